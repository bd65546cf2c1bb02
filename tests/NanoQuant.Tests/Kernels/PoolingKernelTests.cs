using NanoQuant.Format;
using NanoQuant.Host.Lowering;
using static NanoQuant.Tests.Kernels.OneOperatorModel;

namespace NanoQuant.Tests.Kernels;

/// <summary>
/// AVERAGE_POOL_2D and MAX_POOL_2D, int8 and int16 (device/Kernels/AveragePool2D*Kernel.cs, MaxPool2D*Kernel.cs,
/// the window walk of PoolingKernel.cs) against a plain reference loop written from TFLM's reference pooling:
/// every window tap bounds-checked, the average over the taps inside the input rounded half away from zero,
/// the maximum from the type's lowest value, then the activation clamp. Random batches, sizes, filters,
/// strides, SAME/VALID padding and activation ranges from a fixed seed.
/// </summary>
public class PoolingKernelTests
{
    /// <summary>TFLM's output size and padding (ComputePaddingHeightWidth) for one axis.</summary>
    private static (int Out, int Before, int After) Geometry(bool same, int input, int filter, int stride)
    {
        int output = same ? (input + stride - 1) / stride : (input + stride - filter) / stride;
        int total = Math.Max(((output - 1) * stride) + filter - input, 0);
        return (output, total / 2, total - (total / 2));
    }

    private sealed record Case(int Batches, int Height, int Width, int Depth, int FilterHeight, int FilterWidth, int StrideHeight, int StrideWidth,
        int OutHeight, int OutWidth, int PadTop, int PadBottom, int PadLeft, int PadRight, int Min, int Max)
    {
        public int[] InputShape => [Batches, Height, Width, Depth];

        public int[] OutputShape => [Batches, OutHeight, OutWidth, Depth];

        public int[] Parameters => PoolingLowering.Parameters(StrideHeight, StrideWidth, FilterHeight, FilterWidth, PadTop, PadBottom, PadLeft, PadRight, Min, Max);
    }

    /// <summary>Random geometry; null when VALID padding leaves no output.</summary>
    private static Case? RandomCase(Random rng, int lowest, int highest)
    {
        int batches = rng.Next(1, 3), height = rng.Next(1, 9), width = rng.Next(1, 9), depth = rng.Next(1, 6);
        int fh = rng.Next(1, 5), fw = rng.Next(1, 5), sh = rng.Next(1, 4), sw = rng.Next(1, 4);
        bool same = rng.Next(2) == 0;
        if (!same && (fh > height || fw > width))
        {
            return null;
        }

        var (oh, pt, pb) = Geometry(same, height, fh, sh);
        var (ow, pl, pr) = Geometry(same, width, fw, sw);
        bool fullRange = rng.Next(3) == 0;
        int min = fullRange ? lowest : rng.Next(lowest, 0), max = fullRange ? highest : rng.Next(0, highest + 1);
        return new Case(batches, height, width, depth, fh, fw, sh, sw, oh, ow, pt, pb, pl, pr, min, max);
    }

    /// <summary>TFLM's reference AveragePool / MaxPool over NHWC.</summary>
    private static int[] Reference(OperatorType type, Case c, int[] input, int lowest)
    {
        var expected = new int[c.Batches * c.OutHeight * c.OutWidth * c.Depth];
        int o = 0;
        for (int b = 0; b < c.Batches; b++)
        {
            for (int oy = 0; oy < c.OutHeight; oy++)
            {
                for (int ox = 0; ox < c.OutWidth; ox++)
                {
                    for (int ch = 0; ch < c.Depth; ch++)
                    {
                        int sum = 0, n = 0, best = lowest;
                        for (int fy = 0; fy < c.FilterHeight; fy++)
                        {
                            for (int fx = 0; fx < c.FilterWidth; fx++)
                            {
                                int y = (oy * c.StrideHeight) - c.PadTop + fy, x = (ox * c.StrideWidth) - c.PadLeft + fx;
                                if (y >= 0 && y < c.Height && x >= 0 && x < c.Width)
                                {
                                    int v = input[((((b * c.Height) + y) * c.Width) + x) * c.Depth + ch];
                                    sum += v;
                                    n++;
                                    best = Math.Max(best, v);
                                }
                            }
                        }

                        int r = type == OperatorType.MaxPool2D ? best : (sum > 0 ? (sum + (n / 2)) / n : (sum - (n / 2)) / n);
                        expected[o++] = Math.Clamp(r, c.Min, c.Max);
                    }
                }
            }
        }

        return expected;
    }

    [Theory]
    [InlineData(OperatorType.AveragePool2D)]
    [InlineData(OperatorType.MaxPool2D)]
    public void Int8_pooling_matches_the_reference_loop(OperatorType type)
    {
        var rng = new Random(7);
        for (int trial = 0; trial < 300; trial++)
        {
            if (RandomCase(rng, sbyte.MinValue, sbyte.MaxValue) is not { } c)
            {
                continue;
            }

            var input = RandomInt8(rng, Count(c.InputShape));
            var actual = Run(Build(type, [c.InputShape], c.OutputShape, c.Parameters), input);
            var expected = Reference(type, c, [.. input.Select(v => (int)v)], sbyte.MinValue);
            Assert.Equal(expected.Select(v => (sbyte)v).ToArray(), actual);
        }
    }

    [Theory]
    [InlineData(OperatorType.AveragePool2D)]
    [InlineData(OperatorType.MaxPool2D)]
    public void Int16_pooling_matches_the_reference_loop(OperatorType type)
    {
        var rng = new Random(70);
        for (int trial = 0; trial < 200; trial++)
        {
            if (RandomCase(rng, short.MinValue, short.MaxValue) is not { } c)
            {
                continue;
            }

            var input = Enumerable.Range(0, Count(c.InputShape)).Select(i => i % 7 == 0 ? short.MinValue : (short)rng.Next(short.MinValue, short.MaxValue + 1)).ToArray();
            var actual = RunInt16(Build(type, [c.InputShape], c.OutputShape, c.Parameters, elementType: TensorType.Int16), input);
            var expected = Reference(type, c, [.. input.Select(v => (int)v)], short.MinValue);
            Assert.Equal(expected.Select(v => (short)v).ToArray(), actual);
        }
    }

    [Fact]
    public void Pooling_rejects_inconsistent_geometry()
    {
        int[][] input = [[1, 8, 8, 4]];
        Build(OperatorType.MaxPool2D, input, [1, 4, 4, 4], PoolingLowering.Parameters(2, 2, 2, 2, 0, 0, 0, 0, -128, 127));
        Rejected(OperatorType.MaxPool2D, input, [1, 5, 4, 4], PoolingLowering.Parameters(2, 2, 2, 2, 0, 0, 0, 0, -128, 127));
        Rejected(OperatorType.MaxPool2D, input, [1, 4, 4, 4], PoolingLowering.Parameters(2, 2, 2, 2, 2, 0, 0, 0, -128, 127));
        Rejected(OperatorType.MaxPool2D, input, [1, 4, 4, 4], PoolingLowering.Parameters(2, 2, 2, 2, -1, 1, 0, 0, -128, 127));
        Rejected(OperatorType.AveragePool2D, input, [1, 4, 4, 4], PoolingLowering.Parameters(0, 2, 2, 2, 0, 0, 0, 0, -128, 127));
        Rejected(OperatorType.AveragePool2D, input, [1, 4, 4, 4], PoolingLowering.Parameters(2, 2, 2, 2, 0, 0, 0, 0, 10, -10));
        Rejected(OperatorType.AveragePool2D, input, [1, 4, 4, 3], PoolingLowering.Parameters(2, 2, 2, 2, 0, 0, 0, 0, -128, 127));
        Rejected(OperatorType.AveragePool2D, input, [1, 4, 4, 4], [2, 2, 2, 2, 0, 0, 0, 0, -128]);
        Rejected(OperatorType.AveragePool2D, [[8, 8, 4]], [4, 4, 4], PoolingLowering.Parameters(2, 2, 2, 2, 0, 0, 0, 0, -128, 127));
    }
}
