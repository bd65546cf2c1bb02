namespace NanoQuant.Host.Lowering;

/// <summary>TFLite's padding schemes (schema enum Padding).</summary>
public enum PaddingType : byte
{
    Same = 0,
    Valid = 1,
}

/// <summary>
/// Output sizes and leading padding of a sliding window, as TFLite's ComputePaddingHeightWidth
/// computes them (tensorflow/lite/kernels/padding.h): SAME gives ⌈in / stride⌉ outputs, VALID
/// ⌊(in + stride − effective) / stride⌋; the total padding (out − 1) × stride + effective − in
/// (never negative) is split with the smaller half before the data, the odd pixel after it.
/// </summary>
public static class Padding
{
    /// <summary>The span a dilated filter covers: (filter − 1) × dilation + 1.</summary>
    public static long EffectiveSize(int filterSize, int dilation) => ((long)filterSize - 1) * dilation + 1;

    /// <summary>Number of outputs along one axis, or null where TFLite reports an error (no output fits).</summary>
    public static int? OutputSize(PaddingType padding, int inSize, int filterSize, int stride, int dilation)
    {
        if (inSize < 0 || filterSize <= 0 || stride <= 0 || dilation <= 0)
        {
            return null;
        }

        long value = padding switch
        {
            PaddingType.Same => ((long)inSize + stride - 1) / stride,
            PaddingType.Valid => ((long)inSize + stride - EffectiveSize(filterSize, dilation)) / stride,
            _ => -1,
        };
        return value is < 0 or > int.MaxValue ? null : (int)value;
    }

    /// <summary>Padding before the first input element along one axis (TFLite's padding value; the odd extra pixel goes after).</summary>
    public static int Before(int stride, int dilation, int inSize, int filterSize, int outSize)
    {
        long total = (((long)outSize - 1) * stride) + EffectiveSize(filterSize, dilation) - inSize;
        return (int)(Math.Max(total, 0) / 2);
    }
}
