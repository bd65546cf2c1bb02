using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// QUANTIZE from int8 to int8 (TFLM reference_ops::Requantize): moves values to another scale and
    /// zero point. Input: 0 int8. Output: 0 int8 of the same shape. Parameters: 0 input zero point,
    /// 1 output zero point, 2 multiplier, 3 shift (input scale / output scale as TFLite's QuantizeMultiplier).
    /// out = clamp(MultiplyByQuantizedMultiplier(q − input zp, multiplier, shift) + output zp, −128, 127).
    /// The 256 possible results are tabulated at load; a step is one lookup.
    /// </summary>
    internal sealed class RequantizeKernel : LookupTableKernel
    {
        internal RequantizeKernel(OperatorDefinition op, Tensor[] tensors)
            : base(op, tensors, RequantizeLayout.ParameterCount)
        {
            int inputZeroPoint = op.Parameters[RequantizeLayout.InputZeroPoint];
            int outputZeroPoint = op.Parameters[RequantizeLayout.OutputZeroPoint];
            Check.ZeroPoint(op, inputZeroPoint, "input");
            Check.ZeroPoint(op, outputZeroPoint, "output");
            int multiplier = Check.Parameter(op, RequantizeLayout.Multiplier, 0, int.MaxValue, "multiplier");
            int shift = op.Parameters[RequantizeLayout.Shift];
            Check.Shift(op, shift, "shift");
            for (int q = -128; q < 128; q++)
            {
                int v = QuantizedMath.MultiplyByQuantizedMultiplier(q - inputZeroPoint, multiplier, shift) + outputZeroPoint;
                Table[q + 128] = (sbyte)(v < -128 ? -128 : (v > 127 ? 127 : v));
            }
        }
    }
}
