using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// ADD, int16, with broadcasting up to rank 6 (TFLM reference_ops::Add / BroadcastAdd6DSlow on int16,
    /// the general-scale path: the int8 formula with left shift 15).
    /// Inputs: 0 input1 int16, 1 input2 int16. Output: 0 int16. Parameters as <see cref="AddKernel"/>:
    /// 0 input1 zero point, 1 input2 zero point, 2 output zero point, 3 left shift (15 for int16),
    /// 4 input1 multiplier, 5 input1 shift (≤ 0), 6 input2 multiplier, 7 input2 shift (≤ 0),
    /// 8 output multiplier, 9 output shift (≤ 0), 10 activation min, 11 activation max.
    /// </summary>
    internal class AddInt16Kernel : BinaryInt16Kernel
    {
        private readonly int _zeroPoint1;
        private readonly int _zeroPoint2;
        private readonly int _outputOffset;
        private readonly int _leftShift;
        private readonly int _multiplier1;
        private readonly int _shift1;
        private readonly int _multiplier2;
        private readonly int _shift2;
        private readonly int _outputMultiplier;
        private readonly int _outputShift;
        private readonly int _min;
        private readonly int _max;
        private readonly bool _subtract;

        internal AddInt16Kernel(OperatorDefinition op, Tensor[] tensors)
            : this(op, tensors, false)
        {
        }

        /// <summary>ADD, or SUB when <paramref name="subtract"/>: raw = s1 − s2.</summary>
        protected AddInt16Kernel(OperatorDefinition op, Tensor[] tensors, bool subtract)
            : base(op, tensors, AddSubLayout.ParameterCount)
        {
            _subtract = subtract;
            _zeroPoint1 = Check.Parameter(op, AddSubLayout.Input1ZeroPoint, -32767, 32767, "input1 zero point");
            _zeroPoint2 = Check.Parameter(op, AddSubLayout.Input2ZeroPoint, -32767, 32767, "input2 zero point");
            _outputOffset = Check.Parameter(op, AddSubLayout.OutputZeroPoint, -32768, 32767, "output zero point");

            // (q − zero point) lies within ±65534; shifted left by at most 15 it stays within int32.
            _leftShift = Check.Parameter(op, AddSubLayout.LeftShift, 0, 15, "left shift");
            _multiplier1 = Check.Parameter(op, AddSubLayout.Input1Multiplier, 0, int.MaxValue, "input1 multiplier");
            _shift1 = Check.Parameter(op, AddSubLayout.Input1Shift, QuantizedMath.MinShift, 0, "input1 shift");
            _multiplier2 = Check.Parameter(op, AddSubLayout.Input2Multiplier, 0, int.MaxValue, "input2 multiplier");
            _shift2 = Check.Parameter(op, AddSubLayout.Input2Shift, QuantizedMath.MinShift, 0, "input2 shift");
            _outputMultiplier = Check.Parameter(op, AddSubLayout.OutputMultiplier, 0, int.MaxValue, "output multiplier");
            _outputShift = Check.Parameter(op, AddSubLayout.OutputShift, QuantizedMath.MinShift, 0, "output shift");
            _min = op.Parameters[AddSubLayout.ActivationMin];
            _max = op.Parameters[AddSubLayout.ActivationMax];
            Check.ActivationRange(op, _min, _max, Output);
        }

        protected override int Compute(int a, int b)
        {
            int s1 = QuantizedMath.MultiplyByQuantizedMultiplierSmallerThanOneExp((a - _zeroPoint1) * (1 << _leftShift), _multiplier1, _shift1);
            int s2 = QuantizedMath.MultiplyByQuantizedMultiplierSmallerThanOneExp((b - _zeroPoint2) * (1 << _leftShift), _multiplier2, _shift2);
            int raw = _subtract ? s1 - s2 : s1 + s2;
            int v = QuantizedMath.MultiplyByQuantizedMultiplierSmallerThanOneExp(raw, _outputMultiplier, _outputShift) + _outputOffset;
            return v < _min ? _min : (v > _max ? _max : v);
        }
    }
}
