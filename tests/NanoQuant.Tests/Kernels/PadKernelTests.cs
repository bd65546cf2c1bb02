using NanoQuant.Format;
using NanoQuant.Host.Lowering;
using static NanoQuant.Tests.Kernels.OneOperatorModel;

namespace NanoQuant.Tests.Kernels;

/// <summary>
/// PAD (device/Kernels/PadKernel.cs) against a plain reference loop written from TFLM's reference_ops::Pad:
/// every output element is the input element its index minus the padding before maps to, or the pad value
/// when that falls outside the input. Random ranks 1–6, shapes, paddings and values from a fixed seed.
/// </summary>
public class PadKernelTests
{
    /// <summary>PAD's parameters as the lowering writes them (<see cref="PadLayout"/>): the value, then (before, after) per dimension.</summary>
    private static int[] Parameters(int value, int[] before, int[] after) =>
        PadLowering.Parameters(value, [.. before.Zip(after, (b, a) => new[] { b, a }).SelectMany(pair => pair)]);

    /// <summary>TFLM's loop: out[i] = in[i − before] inside the input, else the pad value.</summary>
    private static T[] Reference<T>(T[] input, int[] shape, int[] before, int[] after, T value)
    {
        int rank = shape.Length;
        var outShape = Enumerable.Range(0, rank).Select(d => shape[d] + before[d] + after[d]).ToArray();
        var inStrides = Strides(shape);
        var expected = new T[Count(outShape)];
        for (int o = 0; o < expected.Length; o++)
        {
            var idx = Unravel(o, outShape);
            int source = 0;
            bool inside = true;
            for (int d = 0; d < rank; d++)
            {
                int i = idx[d] - before[d];
                inside &= i >= 0 && i < shape[d];
                source += i * inStrides[d];
            }

            expected[o] = inside ? input[source] : value;
        }

        return expected;
    }

    [Fact]
    public void Int8_pad_matches_the_reference_loop_for_every_rank()
    {
        var rng = new Random(4);
        for (int trial = 0; trial < 300; trial++)
        {
            int rank = rng.Next(1, 7);
            var shape = RandomShape(rng, rank, 4);
            var before = Enumerable.Range(0, rank).Select(_ => rng.Next(3) == 0 ? rng.Next(0, 3) : 0).ToArray();
            var after = Enumerable.Range(0, rank).Select(_ => rng.Next(3) == 0 ? rng.Next(0, 3) : 0).ToArray();
            var outShape = Enumerable.Range(0, rank).Select(d => shape[d] + before[d] + after[d]).ToArray();
            int value = rng.Next(-128, 128);
            var input = RandomInt8(rng, Count(shape));
            var actual = Run(Build(OperatorType.Pad, [shape], outShape, Parameters(value, before, after)), input);
            Assert.Equal(Reference(input, shape, before, after, (sbyte)value), actual);
        }
    }

    [Fact]
    public void Int16_pad_matches_the_reference_loop_with_zero_padding()
    {
        var rng = new Random(40);
        for (int trial = 0; trial < 100; trial++)
        {
            int rank = rng.Next(1, 6);
            var shape = RandomShape(rng, rank, 4);
            var before = Enumerable.Range(0, rank).Select(_ => rng.Next(0, 3)).ToArray();
            var after = Enumerable.Range(0, rank).Select(_ => rng.Next(0, 3)).ToArray();
            var outShape = Enumerable.Range(0, rank).Select(d => shape[d] + before[d] + after[d]).ToArray();
            var input = Enumerable.Range(0, Count(shape)).Select(_ => (short)rng.Next(short.MinValue, short.MaxValue + 1)).ToArray();
            var actual = RunInt16(Build(OperatorType.Pad, [shape], outShape, Parameters(0, before, after), elementType: TensorType.Int16), input);
            Assert.Equal(Reference(input, shape, before, after, (short)0), actual);
        }
    }

    [Fact]
    public void Pad_rejects_inconsistent_paddings()
    {
        Build(OperatorType.Pad, [[2, 3]], [4, 3], Parameters(0, [1, 0], [1, 0]));
        Rejected(OperatorType.Pad, [[2, 3]], [4, 3], Parameters(0, [1, 0], [0, 0]));
        Rejected(OperatorType.Pad, [[2, 3]], [4, 3], Parameters(0, [3, 0], [-1, 0]));
        Rejected(OperatorType.Pad, [[2, 3]], [4, 3], Parameters(200, [1, 0], [1, 0]));
        Rejected(OperatorType.Pad, [[2, 3]], [4, 3], [0, 1, 1, 0]);
        Rejected(OperatorType.Pad, [[2, 3]], [4, 3, 1], Parameters(0, [1, 0, 0], [1, 0, 0]));
        Rejected(OperatorType.Pad, [[2, 3]], [4, 3], Parameters(5, [1, 0], [1, 0]), TensorType.Int16);
    }
}
