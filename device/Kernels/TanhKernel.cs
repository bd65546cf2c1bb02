using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// TANH, int8 (TFLM reference_integer_ops::Tanh), output scale 1/128 and zero point 0 (TFLM assumes
    /// that output quantization without checking it: the result is written as round(tanh × 128)).
    /// Input: 0 int8. Output: 0 int8 of the same shape.
    /// Parameters: 0 input zero point, 1 input range radius, 2 input multiplier, 3 input left shift
    /// (in [0, 30]; the multiplier and shift bring q − zp to Q4.27, the radius is where the result saturates).
    /// Inside the radius the value goes through gemmlowp's fixed-point tanh (<see cref="FixedPointMath"/>)
    /// and is rounded from Q0.31 to 1/128 steps. The 256 possible results are tabulated at load.
    /// </summary>
    internal sealed class TanhKernel : LookupTableKernel
    {
        internal TanhKernel(OperatorDefinition op, Tensor[] tensors)
            : base(op, tensors, LogisticTanhLayout.ParameterCount)
        {
            int zeroPoint = op.Parameters[LogisticTanhLayout.InputZeroPoint];
            Check.ZeroPoint(op, zeroPoint, "input");
            int multiplier = Check.Parameter(op, LogisticTanhLayout.InputMultiplier, 0, int.MaxValue, "input multiplier");
            int shift = Check.Parameter(op, LogisticTanhLayout.InputLeftShift, 0, 30, "input left shift");

            // Inside the radius |x| × 2^shift < 15 × 2^27, so the rescaling cannot overflow.
            int radius = Check.Parameter(op, LogisticTanhLayout.InputRadius, 0, (15 << 27) >> shift, "input range radius");
            for (int q = -128; q < 128; q++)
            {
                int x = q - zeroPoint;
                int v;
                if (x <= -radius)
                {
                    v = -128;
                }
                else if (x >= radius)
                {
                    v = 127;
                }
                else
                {
                    int inQ4 = QuantizedMath.MultiplyByQuantizedMultiplier(x, multiplier, shift);
                    v = QuantizedMath.RoundingDivideByPot(FixedPointMath.Tanh(inQ4, 4), 24);
                    v = v < -128 ? -128 : (v > 127 ? 127 : v);
                }

                Table[q + 128] = (sbyte)v;
            }
        }
    }
}
