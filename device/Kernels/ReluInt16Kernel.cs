using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// RELU, int16 (TFLM ReluQuantized&lt;int16_t&gt;; zero points 0): requantizes from the input's scale to
    /// the output's and clamps. Input: 0 int16. Output: 0 int16 of the same shape. Parameters as
    /// <see cref="ReluKernel"/>: 0 input zero point, 1 output zero point, 2 multiplier, 3 shift,
    /// 4 activation min, 5 activation max (within int16).
    /// out = clamp(output zp + MultiplyByQuantizedMultiplier(q − input zp, multiplier, shift)).
    /// </summary>
    internal sealed class ReluInt16Kernel : UnaryInt16Kernel
    {
        private readonly int _inputZeroPoint;
        private readonly int _outputZeroPoint;
        private readonly int _multiplier;
        private readonly int _shift;
        private readonly int _min;
        private readonly int _max;

        internal ReluInt16Kernel(OperatorDefinition op, Tensor[] tensors)
            : base(op, tensors, ReluLayout.ParameterCount)
        {
            _inputZeroPoint = Check.Parameter(op, ReluLayout.InputZeroPoint, -32768, 32767, "input zero point");
            _outputZeroPoint = Check.Parameter(op, ReluLayout.OutputZeroPoint, -32768, 32767, "output zero point");
            _multiplier = Check.Parameter(op, ReluLayout.Multiplier, 0, int.MaxValue, "multiplier");
            _shift = op.Parameters[ReluLayout.Shift];
            Check.Shift(op, _shift, "shift");
            _min = op.Parameters[ReluLayout.ActivationMin];
            _max = op.Parameters[ReluLayout.ActivationMax];
            Check.ActivationRange(op, _min, _max, tensors[op.Outputs[0]]);
        }

        protected override int Compute(int q)
        {
            int v = _outputZeroPoint + QuantizedMath.MultiplyByQuantizedMultiplier(q - _inputZeroPoint, _multiplier, _shift);
            return v < _min ? _min : (v > _max ? _max : v);
        }
    }
}
