using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// LEAKY_RELU, int8 (TFLM reference_ops::QuantizeLeakyRelu). Input: 0 int8. Output: 0 int8 of the
    /// same shape. Parameters: 0 input zero point, 1 output zero point, 2 identity multiplier,
    /// 3 identity shift (input scale / output scale), 4 alpha multiplier (signed: negative for a negative
    /// alpha, never int.MinValue), 5 alpha shift (input scale × alpha / output scale).
    /// x = q − input zp; out = clamp(output zp + (x ≥ 0 ? x × identity : ±(x × |alpha|)), −128, 127).
    /// The 256 possible results are tabulated at load; a step is one lookup.
    /// </summary>
    internal sealed class LeakyReluKernel : LookupTableKernel
    {
        internal LeakyReluKernel(OperatorDefinition op, Tensor[] tensors)
            : base(op, tensors, LeakyReluLayout.ParameterCount)
        {
            int inputZeroPoint = op.Parameters[LeakyReluLayout.InputZeroPoint];
            int outputZeroPoint = op.Parameters[LeakyReluLayout.OutputZeroPoint];
            Check.ZeroPoint(op, inputZeroPoint, "input");
            Check.ZeroPoint(op, outputZeroPoint, "output");
            int identityMultiplier = Check.Parameter(op, LeakyReluLayout.IdentityMultiplier, 0, int.MaxValue, "identity multiplier");
            int identityShift = op.Parameters[LeakyReluLayout.IdentityShift];
            Check.Shift(op, identityShift, "identity shift");
            int alphaMultiplier = Check.Parameter(op, LeakyReluLayout.AlphaMultiplier, -int.MaxValue, int.MaxValue, "alpha multiplier");
            int alphaShift = op.Parameters[LeakyReluLayout.AlphaShift];
            Check.Shift(op, alphaShift, "alpha shift");
            bool negativeAlpha = alphaMultiplier < 0;
            int alphaMagnitude = negativeAlpha ? -alphaMultiplier : alphaMultiplier;
            for (int q = -128; q < 128; q++)
            {
                int x = q - inputZeroPoint;
                int v = outputZeroPoint;
                if (x >= 0)
                {
                    v += QuantizedMath.MultiplyByQuantizedMultiplier(x, identityMultiplier, identityShift);
                }
                else
                {
                    int scaled = QuantizedMath.MultiplyByQuantizedMultiplier(x, alphaMagnitude, alphaShift);
                    v += negativeAlpha ? -scaled : scaled;
                }

                Table[q + 128] = (sbyte)(v < -128 ? -128 : (v > 127 ? 127 : v));
            }
        }
    }
}
