using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// LEAKY_RELU, int16 (TFLM reference_ops::QuantizeLeakyRelu on int16). Input: 0 int16. Output: 0 int16
    /// of the same shape. Parameters as <see cref="LeakyReluKernel"/>: 0 input zero point, 1 output zero
    /// point, 2 identity multiplier, 3 identity shift, 4 alpha multiplier (signed), 5 alpha shift.
    /// x = q − input zp; out = clamp(output zp + (x ≥ 0 ? x × identity : ±(x × |alpha|)), −32768, 32767).
    /// </summary>
    internal sealed class LeakyReluInt16Kernel : UnaryInt16Kernel
    {
        private readonly int _inputZeroPoint;
        private readonly int _outputZeroPoint;
        private readonly int _identityMultiplier;
        private readonly int _identityShift;
        private readonly int _alphaMagnitude;
        private readonly int _alphaShift;
        private readonly bool _negativeAlpha;

        internal LeakyReluInt16Kernel(OperatorDefinition op, Tensor[] tensors)
            : base(op, tensors, LeakyReluLayout.ParameterCount)
        {
            _inputZeroPoint = Check.Parameter(op, LeakyReluLayout.InputZeroPoint, -32768, 32767, "input zero point");
            _outputZeroPoint = Check.Parameter(op, LeakyReluLayout.OutputZeroPoint, -32768, 32767, "output zero point");
            _identityMultiplier = Check.Parameter(op, LeakyReluLayout.IdentityMultiplier, 0, int.MaxValue, "identity multiplier");
            _identityShift = op.Parameters[LeakyReluLayout.IdentityShift];
            Check.Shift(op, _identityShift, "identity shift");
            int alphaMultiplier = Check.Parameter(op, LeakyReluLayout.AlphaMultiplier, -int.MaxValue, int.MaxValue, "alpha multiplier");
            _alphaShift = op.Parameters[LeakyReluLayout.AlphaShift];
            Check.Shift(op, _alphaShift, "alpha shift");
            _negativeAlpha = alphaMultiplier < 0;
            _alphaMagnitude = _negativeAlpha ? -alphaMultiplier : alphaMultiplier;
        }

        protected override int Compute(int q)
        {
            int x = q - _inputZeroPoint;
            int v = _outputZeroPoint;
            if (x >= 0)
            {
                v += QuantizedMath.MultiplyByQuantizedMultiplier(x, _identityMultiplier, _identityShift);
            }
            else
            {
                int scaled = QuantizedMath.MultiplyByQuantizedMultiplier(x, _alphaMagnitude, _alphaShift);
                v += _negativeAlpha ? -scaled : scaled;
            }

            return v < -32768 ? -32768 : (v > 32767 ? 32767 : v);
        }
    }
}
