using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// MUL, int16, with broadcasting up to rank 6 (TFLM reference_integer_ops::Mul / BroadcastMul6DSlow on
    /// int16; TFLM requires zero points 0). Inputs: 0 input1 int16, 1 input2 int16. Output: 0 int16.
    /// Parameters as <see cref="MulKernel"/>: 0 input1 zero point, 1 input2 zero point, 2 output zero point
    /// (all 0), 3 output multiplier, 4 output shift, 5 activation min, 6 activation max.
    /// out = clamp(MultiplyByQuantizedMultiplier(q1 × q2, multiplier, shift)), the product in int32.
    /// </summary>
    internal sealed class MulInt16Kernel : BinaryInt16Kernel
    {
        private readonly int _multiplier;
        private readonly int _shift;
        private readonly int _min;
        private readonly int _max;

        internal MulInt16Kernel(OperatorDefinition op, Tensor[] tensors)
            : base(op, tensors, MulLayout.ParameterCount)
        {
            Check.That(op.Parameters[MulLayout.Input1ZeroPoint] == 0 && op.Parameters[MulLayout.Input2ZeroPoint] == 0 && op.Parameters[MulLayout.OutputZeroPoint] == 0, op, "int16 zero points must be 0");
            _multiplier = Check.Parameter(op, MulLayout.OutputMultiplier, 0, int.MaxValue, "output multiplier");
            _shift = op.Parameters[MulLayout.OutputShift];
            Check.Shift(op, _shift, "output shift");
            _min = op.Parameters[MulLayout.ActivationMin];
            _max = op.Parameters[MulLayout.ActivationMax];
            Check.ActivationRange(op, _min, _max, Output);
        }

        protected override int Compute(int a, int b)
        {
            // |a × b| ≤ 2^30: the int32 product cannot overflow.
            int v = QuantizedMath.MultiplyByQuantizedMultiplier(a * b, _multiplier, _shift);
            return v < _min ? _min : (v > _max ? _max : v);
        }
    }
}
