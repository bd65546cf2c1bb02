using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NanoQuant.Host.FloatReference;

/// <summary>
/// Weights of a convolution or fully-connected layer repacked for <see cref="Gemm"/>: the
/// [outputs, depth] matrix transposed to [depth, outputs] with the output dimension padded with
/// zeros to a whole number of SIMD vectors; the bias padded likewise.
/// </summary>
internal sealed class PackedWeights
{
    public PackedWeights(float[] weights, int outputs, int depth, float[]? bias)
    {
        Outputs = outputs;
        Depth = depth;
        int width = Vector<float>.Count;
        PaddedOutputs = (outputs + width - 1) / width * width;
        Data = new float[depth * PaddedOutputs];
        for (int o = 0; o < outputs; o++)
        {
            for (int k = 0; k < depth; k++)
            {
                Data[(k * PaddedOutputs) + o] = weights[(o * depth) + k];
            }
        }

        Bias = new float[PaddedOutputs];
        bias?.AsSpan(0, outputs).CopyTo(Bias);
    }

    public int Outputs { get; }
    public int Depth { get; }
    public int PaddedOutputs { get; }
    public float[] Data { get; }
    public float[] Bias { get; }
}

/// <summary>
/// out[r, o] = clamp(Σ_k in[r, k] × w[o, k] + bias[o]) for a block of rows, vectorized across
/// output channels and four rows at a time. Each output is summed over k in order from zero, one
/// rounded multiply and one rounded add per term, then the bias is added and the result clamped —
/// the order and rounding of TFLite's float reference kernels, so results match them closely
/// (usually exactly).
/// </summary>
internal static class Gemm
{
    public static void Run(ReadOnlySpan<float> input, int rows, int inputStride, PackedWeights weights, Span<float> output, int outputStride, float min, float max)
    {
        int depth = weights.Depth;
        if (rows == 0)
        {
            return;
        }

        if ((long)(rows - 1) * inputStride + depth > input.Length || (long)(rows - 1) * outputStride + weights.Outputs > output.Length)
        {
            throw new ArgumentException("operands are too small for the product");
        }

        ref float a = ref MemoryMarshal.GetReference(input);
        ref float c = ref MemoryMarshal.GetReference(output);
        ref float b = ref MemoryMarshal.GetArrayDataReference(weights.Data);
        ref float bias = ref MemoryMarshal.GetArrayDataReference(weights.Bias);
        int padded = weights.PaddedOutputs;
        int outputs = weights.Outputs;
        int width = Vector<float>.Count;
        var low = new Vector<float>(min);
        var high = new Vector<float>(max);

        int r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            ref float a0 = ref Unsafe.Add(ref a, r * inputStride);
            ref float a1 = ref Unsafe.Add(ref a0, inputStride);
            ref float a2 = ref Unsafe.Add(ref a1, inputStride);
            ref float a3 = ref Unsafe.Add(ref a2, inputStride);
            for (int j = 0; j < padded; j += width)
            {
                Vector<float> s0 = default, s1 = default, s2 = default, s3 = default;
                ref float column = ref Unsafe.Add(ref b, j);
                for (int k = 0; k < depth; k++)
                {
                    var w = Vector.LoadUnsafe(ref column, (nuint)(k * padded));
                    s0 += new Vector<float>(Unsafe.Add(ref a0, k)) * w;
                    s1 += new Vector<float>(Unsafe.Add(ref a1, k)) * w;
                    s2 += new Vector<float>(Unsafe.Add(ref a2, k)) * w;
                    s3 += new Vector<float>(Unsafe.Add(ref a3, k)) * w;
                }

                var bv = Vector.LoadUnsafe(ref bias, (nuint)j);
                Store(Vector.Min(Vector.Max(s0 + bv, low), high), ref c, (r * outputStride) + j, outputs - j);
                Store(Vector.Min(Vector.Max(s1 + bv, low), high), ref c, ((r + 1) * outputStride) + j, outputs - j);
                Store(Vector.Min(Vector.Max(s2 + bv, low), high), ref c, ((r + 2) * outputStride) + j, outputs - j);
                Store(Vector.Min(Vector.Max(s3 + bv, low), high), ref c, ((r + 3) * outputStride) + j, outputs - j);
            }
        }

        for (; r < rows; r++)
        {
            ref float a0 = ref Unsafe.Add(ref a, r * inputStride);
            for (int j = 0; j < padded; j += width)
            {
                Vector<float> s0 = default;
                ref float column = ref Unsafe.Add(ref b, j);
                for (int k = 0; k < depth; k++)
                {
                    s0 += new Vector<float>(Unsafe.Add(ref a0, k)) * Vector.LoadUnsafe(ref column, (nuint)(k * padded));
                }

                var bv = Vector.LoadUnsafe(ref bias, (nuint)j);
                Store(Vector.Min(Vector.Max(s0 + bv, low), high), ref c, (r * outputStride) + j, outputs - j);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector<float> value, ref float destination, int offset, int remaining)
    {
        if (remaining >= Vector<float>.Count)
        {
            value.StoreUnsafe(ref destination, (nuint)offset);
            return;
        }

        for (int i = 0; i < remaining; i++)
        {
            Unsafe.Add(ref destination, offset + i) = value[i];
        }
    }
}
