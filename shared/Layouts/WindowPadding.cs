namespace NanoQuant.Format
{
    /// <summary>
    /// TFLite's sliding-window arithmetic (ComputePaddingHeightWidth in tensorflow/lite/kernels/padding.h), in one
    /// place for the host's lowerings, its float reference and the device's checks: SAME gives ⌈in / stride⌉
    /// outputs, VALID ⌊(in + stride − effective) / stride⌋; the total padding (out − 1) × stride + effective − in
    /// (never negative) is split with the smaller half before the data, the odd pixel after it. Also the stride
    /// and dilation limits the device accepts. Everything in long, so no argument within int overflows.
    /// </summary>
    public static class WindowPadding
    {
        /// <summary>SAME padding (TFLite's schema value).</summary>
        public const int Same = 0;

        /// <summary>VALID padding (TFLite's schema value).</summary>
        public const int Valid = 1;

        /// <summary>Largest stride a convolution may have.</summary>
        public const int MaxStride = 4096;

        /// <summary>Largest dilation a convolution may have.</summary>
        public const int MaxDilation = 4096;

        /// <summary>The span a dilated filter covers: (filter − 1) × dilation + 1.</summary>
        public static long EffectiveSize(int filterSize, int dilation)
        {
            return (((long)filterSize - 1) * dilation) + 1;
        }

        /// <summary>Number of outputs along one axis (below 1 where no output fits); any padding but <see cref="Same"/> counts as <see cref="Valid"/>.</summary>
        public static long OutputSize(int padding, int inSize, int filterSize, int stride, int dilation)
        {
            return padding == Same
                ? ((long)inSize + stride - 1) / stride
                : ((long)inSize + stride - EffectiveSize(filterSize, dilation)) / stride;
        }

        /// <summary>Total padding along one axis for <paramref name="outSize"/> outputs: (out − 1) × stride + effective − in, or 0 when that is negative.</summary>
        public static long Total(int inSize, int filterSize, int stride, int dilation, long outSize)
        {
            long total = ((outSize - 1) * stride) + EffectiveSize(filterSize, dilation) - inSize;
            return total > 0 ? total : 0;
        }

        /// <summary>Padding before the first input element along one axis: the smaller half of <see cref="Total"/>.</summary>
        public static long Before(int inSize, int filterSize, int stride, int dilation, long outSize)
        {
            return Total(inSize, filterSize, stride, dilation, outSize) / 2;
        }
    }
}
