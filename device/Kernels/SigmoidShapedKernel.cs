using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// LOGISTIC's and TANH's int8 table (TFLM reference_integer_ops::Logistic and ::Tanh share this walk):
    /// q − input zp saturates to −128 / 127 beyond the input range radius; inside it the value is rescaled to
    /// Q4.27 and goes through the derived kernel's fixed-point function (<see cref="Evaluate"/>).
    /// Parameters by <see cref="LogisticTanhLayout"/>: input zero point, input range radius, input multiplier,
    /// input left shift (in [0, 30]). Work at load only: Invoke is <see cref="LookupTableKernel"/>'s lookup.
    /// </summary>
    internal abstract class SigmoidShapedKernel : LookupTableKernel
    {
        /// <summary>Checks the operands and the number of parameters (the table is filled by <see cref="FillTable"/>).</summary>
        protected SigmoidShapedKernel(OperatorDefinition op, Tensor[] tensors)
            : base(op, tensors, LogisticTanhLayout.ParameterCount)
        {
        }

        /// <summary>The int8 result (before the clamp) for an input inside the radius, rescaled to Q4.27.</summary>
        protected abstract int Evaluate(int inQ4);

        /// <summary>Checks the parameters and fills <see cref="LookupTableKernel.Table"/> for the 256 inputs.</summary>
        protected void FillTable(OperatorDefinition op)
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
                    v = Evaluate(QuantizedMath.MultiplyByQuantizedMultiplier(x, multiplier, shift));
                    v = v < -128 ? -128 : (v > 127 ? 127 : v);
                }

                Table[q + 128] = (sbyte)v;
            }
        }
    }
}
