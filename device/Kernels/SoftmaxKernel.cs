using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// SOFTMAX over the last axis, int8 in, int8 out with scale 1/256 and zero point −128 (TFLM
    /// reference_ops::Softmax, the integer path: gemmlowp fixed point, <see cref="FixedPointMath"/>).
    /// Input: 0 int8, rank ≥ 1. Output: 0 int8 of the same shape, zero point −128.
    /// Parameters: 0 input multiplier, 1 input left shift (in [0, 31]), 2 diff_min (≤ 0) — TFLite's
    /// PreprocessSoftmaxScaling(beta, input scale, 5) and −CalculateInputRadius(5, left shift).
    /// Per row: d = q − max(row); entries with d &lt; diff_min count as zero; others are rescaled to Q5.26
    /// and exponentiated in Q0.31; the sum (Q12.19) is inverted with GetReciprocal; each output is
    /// exp × 1/sum rounded to 1/256 steps, minus 128. exp(d) for the 256 possible d is tabulated at load.
    /// Where TFLM would stop on its exponent check (a row sum ≥ 2^28, only from rows of 512 or more
    /// near-equal values) this kernel writes −128, the value the rounding shift tends to.
    /// </summary>
    internal sealed partial class SoftmaxKernel : Kernel
    {
        private const int AccumulationIntegerBits = 12;

        private readonly Tensor _input;
        private readonly Tensor _output;
        private readonly int _depth;
        private readonly int _rows;

        // Indexed by d + 255 for d in [−255, 0]: exp(d) in Q0, and the same rescaled to Q12 for the sum.
        private readonly int[] _exp;
        private readonly int[] _expAccumulated;

        internal SoftmaxKernel(OperatorDefinition op, Tensor[] tensors)
        {
            Check.Counts(op, SoftmaxLayout.InputCount, 1, SoftmaxLayout.ParameterCount);
            _input = Check.Int8Input(op, tensors, SoftmaxLayout.InputSlot);
            _output = Check.Int8Output(op, tensors, 0);
            Check.SameShape(op, _input, _output, "input and output");
            Check.That(_input.shape.Length >= 1, op, "input must have rank 1 or more");
            Check.That(_output.zeroPoint == -128, op, "output zero point must be -128");
            _depth = _input.shape[_input.shape.Length - 1];
            _rows = _input.elementCount / _depth;
            int multiplier = Check.Parameter(op, SoftmaxLayout.InputMultiplier, 0, int.MaxValue, "input multiplier");
            int shift = Check.Parameter(op, SoftmaxLayout.InputLeftShift, 0, 31, "input left shift");

            // Within the radius |d| × 2^shift ≤ 31 × 2^26: the rescaling cannot overflow.
            int radius = (int)((31L << 26) >> shift);
            int diffMin = Check.Parameter(op, SoftmaxLayout.DiffMin, -radius, 0, "diff_min");
            _exp = new int[256];
            _expAccumulated = new int[256];
            for (int d = -255; d <= 0; d++)
            {
                int e = 0;
                if (d >= diffMin)
                {
                    int scaled = QuantizedMath.MultiplyByQuantizedMultiplierGreaterThanOne(d, multiplier, shift);
                    e = FixedPointMath.ExpOnNegativeValues(scaled, 5);
                }

                _exp[d + 255] = e;
                _expAccumulated[d + 255] = FixedPointMath.Rescale(e, 0, AccumulationIntegerBits);
            }
        }

        internal override void Invoke()
        {
            sbyte[] input = _input.data;
            sbyte[] output = _output.data;
            int[] exp = _exp;
            int[] expAccumulated = _expAccumulated;
            int depth = _depth;
            int rowStart = _input.offset;
            int o = _output.offset;
            for (int r = 0; r < _rows; r++)
            {
                int rowEnd = rowStart + depth;
                int max = -128;
                for (int i = rowStart; i < rowEnd; i++)
                {
                    int v = input[i];
                    if (v > max)
                    {
                        max = v;
                    }
                }

                // Table index of q is q − max + 255.
                int bias = 255 - max;
                int sum = 0;
                for (int i = rowStart; i < rowEnd; i++)
                {
                    sum += expAccumulated[input[i] + bias];
                }

                int bitsOverUnit;
                int reciprocal = FixedPointMath.GetReciprocal(sum, AccumulationIntegerBits, out bitsOverUnit);
                int exponent = bitsOverUnit + 31 - 8;
                if (exponent > 31)
                {
                    for (int i = rowStart; i < rowEnd; i++)
                    {
                        output[o++] = -128;
                    }
                }
                else
                {
                    for (int i = rowStart; i < rowEnd; i++)
                    {
                        int v = QuantizedMath.RoundingDivideByPot(QuantizedMath.SaturatingRoundingDoublingHighMul(reciprocal, exp[input[i] + bias]), exponent) - 128;
                        output[o++] = (sbyte)(v > 127 ? 127 : (v < -128 ? -128 : v));
                    }
                }

                rowStart = rowEnd;
            }
        }
    }
}
