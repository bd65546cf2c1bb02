using NanoQuant.Format;
using NanoQuant.Host.Lowering;
using static NanoQuant.Tests.Kernels.OneOperatorModel;

namespace NanoQuant.Tests.Kernels;

/// <summary>
/// int8 SOFTMAX (device/Kernels/SoftmaxKernel.cs, which tabulates exp at load and sums by table lookups)
/// against a plain reference loop written from TFLM's reference_ops::Softmax (the int8 path): per row the
/// maximum, then for every element its difference rescaled to Q5.26 and exponentiated with gemmlowp's
/// exp_on_negative_values each time (no table), the sum in Q12.19, GetReciprocal, and each output
/// rounded to 1/256 steps minus 128; differences below diff_min give −128. The fixed-point primitives
/// (<see cref="FixedPointMath"/>, <see cref="QuantizedMath"/>) are tested against gemmlowp's values on their own.
/// Random shapes, input scales (so diff_min cuts some rows and not others) and β from a fixed seed.
/// </summary>
public class SoftmaxKernelTests
{
    private const int ScaledDiffIntegerBits = 5;
    private const int AccumulationIntegerBits = 12;

    /// <summary>The lowering's parameters (<see cref="SoftmaxLayout"/>) for β × input scale.</summary>
    private static int[] Parameters(double betaTimesScale) =>
        SoftmaxLowering.Parameters(Math.Min(betaTimesScale * (1 << (31 - ScaledDiffIntegerBits)), (1L << 31) - 1.0));

    /// <summary>TFLM's reference_ops::Softmax for int8 in and out, written as its loops are.</summary>
    private static sbyte[] Reference(sbyte[] input, int depth, int[] parameters)
    {
        int multiplier = parameters[SoftmaxLayout.InputMultiplier];
        int leftShift = parameters[SoftmaxLayout.InputLeftShift];
        int diffMin = parameters[SoftmaxLayout.DiffMin];
        var output = new sbyte[input.Length];
        for (int row = 0; row < input.Length / depth; row++)
        {
            int start = row * depth;
            int max = sbyte.MinValue;
            for (int c = 0; c < depth; c++)
            {
                max = Math.Max(max, input[start + c]);
            }

            int sumOfExps = 0;
            for (int c = 0; c < depth; c++)
            {
                int diff = input[start + c] - max;
                if (diff >= diffMin)
                {
                    int rescaled = QuantizedMath.MultiplyByQuantizedMultiplierGreaterThanOne(diff, multiplier, leftShift);
                    sumOfExps += FixedPointMath.Rescale(FixedPointMath.ExpOnNegativeValues(rescaled, ScaledDiffIntegerBits), 0, AccumulationIntegerBits);
                }
            }

            int shiftedScale = FixedPointMath.GetReciprocal(sumOfExps, AccumulationIntegerBits, out int bitsOverUnit);
            for (int c = 0; c < depth; c++)
            {
                int diff = input[start + c] - max;
                if (diff >= diffMin)
                {
                    int rescaled = QuantizedMath.MultiplyByQuantizedMultiplierGreaterThanOne(diff, multiplier, leftShift);
                    int exp = FixedPointMath.ExpOnNegativeValues(rescaled, ScaledDiffIntegerBits);
                    int unsaturated = QuantizedMath.RoundingDivideByPot(QuantizedMath.SaturatingRoundingDoublingHighMul(shiftedScale, exp), bitsOverUnit + 31 - 8);
                    output[start + c] = (sbyte)Math.Clamp(unsaturated + sbyte.MinValue, sbyte.MinValue, sbyte.MaxValue);
                }
                else
                {
                    output[start + c] = sbyte.MinValue;
                }
            }
        }

        return output;
    }

    [Fact]
    public void Int8_softmax_matches_the_reference_loop()
    {
        var rng = new Random(9);
        for (int trial = 0; trial < 200; trial++)
        {
            int rank = rng.Next(1, 5);
            var shape = RandomShape(rng, rank, 6);
            shape[rank - 1] = rng.Next(3) == 0 ? rng.Next(1, 200) : rng.Next(1, 12);
            double betaTimesScale = Math.Pow(2, -rng.Next(1, 10) - rng.NextDouble());
            var parameters = Parameters(betaTimesScale);
            var input = RandomInt8(rng, Count(shape));
            if (trial % 10 == 0)
            {
                // Near-equal rows: every difference small, the sum close to the row length.
                input = [.. input.Select(v => (sbyte)(v % 3))];
            }

            var actual = Run(Build(OperatorType.Softmax, [shape], shape, parameters, outputZeroPoint: sbyte.MinValue), input);
            Assert.Equal(Reference(input, shape[rank - 1], parameters), actual);
        }
    }

    [Fact]
    public void Int8_softmax_of_extreme_rows_matches_the_reference_loop()
    {
        // One element (always 127 after the −128 offset: exp(0) / exp(0) = 1 rounds to 256/256), a row of
        // equal values, one peak among the lowest values with diff_min cutting the rest, and an alternating row.
        sbyte[][] rows =
        [
            [5],
            [.. Enumerable.Repeat((sbyte)-7, 16)],
            [127, .. Enumerable.Repeat(sbyte.MinValue, 9)],
            [.. Enumerable.Range(0, 32).Select(i => i % 2 == 0 ? sbyte.MaxValue : sbyte.MinValue)],
        ];
        foreach (double betaTimesScale in new[] { 1.0 / 256, 0.1, 0.5 })
        {
            var parameters = Parameters(betaTimesScale);
            foreach (var row in rows)
            {
                var actual = Run(Build(OperatorType.Softmax, [[1, row.Length]], [1, row.Length], parameters, outputZeroPoint: sbyte.MinValue), row);
                Assert.Equal(Reference(row, row.Length, parameters), actual);
            }
        }
    }

    [Fact]
    public void Softmax_rejects_parameters_outside_TFLMs_range()
    {
        var valid = Parameters(0.1);
        Build(OperatorType.Softmax, [[2, 8]], [2, 8], valid, outputZeroPoint: sbyte.MinValue);
        Assert.Throws<InvalidModelException>(() => Build(OperatorType.Softmax, [[2, 8]], [2, 8], valid, outputZeroPoint: 0));
        int[] shift = [.. valid];
        shift[SoftmaxLayout.InputLeftShift] = 32;
        RejectedSoftmax(shift);
        int[] diffMin = [.. valid];
        diffMin[SoftmaxLayout.DiffMin] = 1;
        RejectedSoftmax(diffMin);
        RejectedSoftmax(valid[..SoftmaxLayout.DiffMin]);

        static void RejectedSoftmax(int[] parameters) =>
            Assert.Throws<InvalidModelException>(() => Build(OperatorType.Softmax, [[2, 8]], [2, 8], parameters, outputZeroPoint: sbyte.MinValue));
    }
}
