using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// RELU, int8 (TFLM ReluQuantized): requantizes from the input's scale to the output's and clamps
    /// at the output's zero point. Input: 0 int8. Output: 0 int8 of the same shape.
    /// Parameters: 0 input zero point, 1 output zero point, 2 multiplier, 3 shift, 4 activation min,
    /// 5 activation max. out = clamp(output zp + MultiplyByQuantizedMultiplier(q − input zp, multiplier, shift)).
    /// The 256 possible results are tabulated at load; a step is one lookup.
    /// </summary>
    internal sealed class ReluKernel : LookupTableKernel
    {
        internal ReluKernel(OperatorDefinition op, Tensor[] tensors)
            : base(op, tensors, ReluLayout.ParameterCount)
        {
            int inputZeroPoint = op.Parameters[ReluLayout.InputZeroPoint];
            int outputZeroPoint = op.Parameters[ReluLayout.OutputZeroPoint];
            Check.ZeroPoint(op, inputZeroPoint, "input");
            Check.ZeroPoint(op, outputZeroPoint, "output");
            int multiplier = Check.Parameter(op, ReluLayout.Multiplier, 0, int.MaxValue, "multiplier");
            int shift = op.Parameters[ReluLayout.Shift];
            Check.Shift(op, shift, "shift");
            int min = op.Parameters[ReluLayout.ActivationMin];
            int max = op.Parameters[ReluLayout.ActivationMax];
            Check.ActivationRange(op, min, max);
            for (int q = -128; q < 128; q++)
            {
                int v = outputZeroPoint + QuantizedMath.MultiplyByQuantizedMultiplier(q - inputZeroPoint, multiplier, shift);
                Table[q + 128] = (sbyte)(v < min ? min : (v > max ? max : v));
            }
        }
    }
}
