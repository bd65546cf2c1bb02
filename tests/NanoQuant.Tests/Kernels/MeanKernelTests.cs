using NanoQuant.Format;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.Lowering;
using static NanoQuant.Tests.Kernels.OneOperatorModel;

namespace NanoQuant.Tests.Kernels;

/// <summary>
/// MEAN (device/Kernels/MeanKernel.cs) against a plain reference loop written from TFLM's
/// reference_ops::QuantizedMeanOrSum: an int32 sum of (q − input zp) per output over the reduced axes, then
/// MultiplyByQuantizedMultiplier with 1/n folded into the multiplier (<see cref="MeanLowering.FoldCount"/>),
/// plus the output zero point, clamped. Random ranks 1–6, shapes, axis sets, keep_dims and zero points from a
/// fixed seed, int8 and int16.
/// </summary>
public class MeanKernelTests
{
    /// <summary>MEAN's parameters by <see cref="MeanLayout"/>'s names.</summary>
    private static int[] Parameters(int inputZeroPoint, int outputZeroPoint, int multiplier, int shift, int mask) =>
        ParameterBlock.Of(MeanLayout.ParameterCount, (MeanLayout.InputZeroPoint, inputZeroPoint), (MeanLayout.OutputZeroPoint, outputZeroPoint),
            (MeanLayout.Multiplier, multiplier), (MeanLayout.Shift, shift), (MeanLayout.AxesMask, mask));

    /// <summary>TFLM's loop: sums per kept index, one requantization each.</summary>
    private static int[] Reference(int[] input, int[] shape, int mask, int inputZeroPoint, int outputZeroPoint, int multiplier, int shift, int min, int max)
    {
        int rank = shape.Length;
        var keptShape = Enumerable.Range(0, rank).Select(d => (mask & (1 << d)) != 0 ? 1 : shape[d]).ToArray();
        int count = Enumerable.Range(0, rank).Where(d => (mask & (1 << d)) != 0).Aggregate(1, (a, d) => a * shape[d]);
        var sums = new int[Count(keptShape)];
        var keptStrides = Strides(keptShape);
        for (int i = 0; i < input.Length; i++)
        {
            var idx = Unravel(i, shape);
            int o = 0;
            for (int d = 0; d < rank; d++)
            {
                o += (keptShape[d] == 1 ? 0 : idx[d]) * keptStrides[d];
            }

            sums[o] += input[i] - inputZeroPoint;
        }

        return sums.Select(sum => Math.Clamp(QuantizedMath.MultiplyByQuantizedMultiplier(sum, multiplier, shift) + outputZeroPoint, min, max)).ToArray();
    }

    private static (int[] Shape, int Mask, int[] OutShape, int Count) RandomCase(Random rng)
    {
        int rank = rng.Next(1, 7);
        var shape = RandomShape(rng, rank, 5);
        int mask = rng.Next(0, 1 << rank);
        bool keep = rng.Next(2) == 0;
        var outShape = Enumerable.Range(0, rank).Where(d => keep || (mask & (1 << d)) == 0).Select(d => (mask & (1 << d)) != 0 ? 1 : shape[d]).ToArray();
        int count = Enumerable.Range(0, rank).Where(d => (mask & (1 << d)) != 0).Aggregate(1, (a, d) => a * shape[d]);
        return (shape, mask, outShape.Length == 0 ? [1] : outShape, count);
    }

    [Fact]
    public void Int8_mean_matches_the_reference_loop_for_any_axes()
    {
        var rng = new Random(6);
        for (int trial = 0; trial < 300; trial++)
        {
            var (shape, mask, outShape, count) = RandomCase(rng);
            int inZp = rng.Next(-128, 128), outZp = rng.Next(-128, 128);
            var (m, s) = QuantizationMath.QuantizeMultiplier(Math.Exp(rng.NextDouble() * 6 - 3));
            (m, s) = MeanLowering.FoldCount(m, s, count);
            var input = RandomInt8(rng, Count(shape));
            var actual = Run(Build(OperatorType.Mean, [shape], outShape, Parameters(inZp, outZp, m, s, mask), inZp, outZp), input);
            var expected = Reference([.. input.Select(v => (int)v)], shape, mask, inZp, outZp, m, s, sbyte.MinValue, sbyte.MaxValue);
            Assert.Equal(expected.Select(v => (sbyte)v).ToArray(), actual);
        }
    }

    [Fact]
    public void Int16_mean_matches_the_reference_loop_for_any_axes()
    {
        var rng = new Random(60);
        for (int trial = 0; trial < 150; trial++)
        {
            var (shape, mask, outShape, count) = RandomCase(rng);
            var (m, s) = QuantizationMath.QuantizeMultiplier(Math.Exp(rng.NextDouble() * 4 - 2));
            (m, s) = MeanLowering.FoldCount(m, s, count);
            var input = Enumerable.Range(0, Count(shape)).Select(_ => (short)rng.Next(short.MinValue, short.MaxValue + 1)).ToArray();
            var actual = RunInt16(Build(OperatorType.Mean, [shape], outShape, Parameters(0, 0, m, s, mask), elementType: TensorType.Int16), input);
            var expected = Reference([.. input.Select(v => (int)v)], shape, mask, 0, 0, m, s, short.MinValue, short.MaxValue);
            Assert.Equal(expected.Select(v => (short)v).ToArray(), actual);
        }
    }

    [Fact]
    public void Mean_rejects_bad_parameters()
    {
        Build(OperatorType.Mean, [[1, 4, 4, 8]], [1, 1, 1, 8], Parameters(0, 0, 1 << 30, -1, 0b0110));
        Rejected(OperatorType.Mean, [[1, 4, 4, 8]], [1, 8], Parameters(0, 0, 1 << 30, -1, 0b0110 | 0b10000));
        Rejected(OperatorType.Mean, [[1, 4, 4, 8]], [1, 4], Parameters(0, 0, 1 << 30, -1, 0b0110));
        Rejected(OperatorType.Mean, [[1, 4, 4, 8]], [1, 8], Parameters(0, 200, 1 << 30, -1, 0b0110));
        Rejected(OperatorType.Mean, [[1, 4, 4, 8]], [1, 8], Parameters(0, 0, -5, -1, 0b0110));
        Rejected(OperatorType.Mean, [[1, 4, 4, 8]], [1, 8], Parameters(0, 0, 1 << 30, -40, 0b0110));
    }

    [Fact]
    public void Mean_folds_the_count_as_TFLM_does()
    {
        // 49 elements: shift by 5 (floor(log2 49)), multiplier × 32 / 49 truncated.
        Assert.Equal(((int)((1518500250L << 5) / 49), -1 - 5), MeanLowering.FoldCount(1518500250, -1, 49));

        // The extra shift stops where the final shift would pass −31.
        Assert.Equal(((int)((1073741824L << 2) / 1024), -31), MeanLowering.FoldCount(1073741824, -29, 1024));
    }
}
