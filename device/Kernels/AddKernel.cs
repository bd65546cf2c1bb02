using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// ADD, int8, with broadcasting up to rank 6 (TFLM reference_integer_ops::Add / BroadcastAdd6DSlow).
    /// Inputs: 0 input1 int8, 1 input2 int8 (arena or constant); their shapes broadcast to the output's.
    /// Output: 0 int8. Parameters: 0 input1 zero point, 1 input2 zero point, 2 output zero point,
    /// 3 left shift (20 for int8), 4 input1 multiplier, 5 input1 shift (≤ 0), 6 input2 multiplier,
    /// 7 input2 shift (≤ 0), 8 output multiplier, 9 output shift (≤ 0), 10 activation min, 11 activation max.
    /// Each input is rescaled as ((q − zero point) · 2^left shift) × multiplier (rounding doubling high
    /// multiply, then rounding right shift); the sum is rescaled by the output multiplier, offset and
    /// clamped. The rescaled value of each of the 256 int8 inputs is tabulated at load, so a step costs
    /// two lookups and one requantization.
    /// </summary>
    internal partial class AddKernel : Kernel
    {
        private readonly Tensor _input1;
        private readonly Tensor _input2;
        private readonly Tensor _output;
        private readonly Broadcast _broadcast;
        private readonly int[] _table1;
        private readonly int[] _table2;
        private readonly int _outputOffset;
        private readonly int _outputMultiplier;
        private readonly int _outputShift;
        private readonly int _activationMin;
        private readonly int _activationMax;

        internal AddKernel(OperatorDefinition op, Tensor[] tensors)
            : this(op, tensors, false)
        {
        }

        /// <summary>ADD, or SUB when <paramref name="subtract"/>: input2's table is negated, so raw = s1 − s2.</summary>
        protected AddKernel(OperatorDefinition op, Tensor[] tensors, bool subtract)
        {
            Check.Counts(op, AddSubLayout.InputCount, 1, AddSubLayout.ParameterCount);
            _input1 = Check.Int8Input(op, tensors, AddSubLayout.Input1Slot);
            _input2 = Check.Int8Input(op, tensors, AddSubLayout.Input2Slot);
            _output = Check.Int8Output(op, tensors, 0);
            _broadcast = new Broadcast(op, _input1, _input2, _output);
            int zeroPoint1 = op.Parameters[AddSubLayout.Input1ZeroPoint];
            int zeroPoint2 = op.Parameters[AddSubLayout.Input2ZeroPoint];
            _outputOffset = op.Parameters[AddSubLayout.OutputZeroPoint];
            Check.ZeroPoint(op, zeroPoint1, "input1");
            Check.ZeroPoint(op, zeroPoint2, "input2");
            Check.ZeroPoint(op, _outputOffset, "output");

            // (q − zero point) lies in [−255, 255]; shifted left by at most 22 it stays within int32.
            int leftShift = Check.Parameter(op, AddSubLayout.LeftShift, 0, 22, "left shift");
            int multiplier1 = Check.Parameter(op, AddSubLayout.Input1Multiplier, 0, int.MaxValue, "input1 multiplier");
            int shift1 = Check.Parameter(op, AddSubLayout.Input1Shift, QuantizedMath.MinShift, 0, "input1 shift");
            int multiplier2 = Check.Parameter(op, AddSubLayout.Input2Multiplier, 0, int.MaxValue, "input2 multiplier");
            int shift2 = Check.Parameter(op, AddSubLayout.Input2Shift, QuantizedMath.MinShift, 0, "input2 shift");
            _outputMultiplier = Check.Parameter(op, AddSubLayout.OutputMultiplier, 0, int.MaxValue, "output multiplier");
            _outputShift = Check.Parameter(op, AddSubLayout.OutputShift, QuantizedMath.MinShift, 0, "output shift");
            _activationMin = op.Parameters[AddSubLayout.ActivationMin];
            _activationMax = op.Parameters[AddSubLayout.ActivationMax];
            Check.ActivationRange(op, _activationMin, _activationMax);

            _table1 = new int[256];
            _table2 = new int[256];
            for (int q = -128; q < 128; q++)
            {
                _table1[q + 128] = QuantizedMath.MultiplyByQuantizedMultiplierSmallerThanOneExp((q - zeroPoint1) * (1 << leftShift), multiplier1, shift1);

                // |value| < 2^28 here, so negating cannot overflow and s1 + (−s2) is exactly s1 − s2.
                int scaled2 = QuantizedMath.MultiplyByQuantizedMultiplierSmallerThanOneExp((q - zeroPoint2) * (1 << leftShift), multiplier2, shift2);
                _table2[q + 128] = subtract ? -scaled2 : scaled2;
            }
        }

        internal override void Invoke()
        {
            sbyte[] input1 = _input1.data;
            sbyte[] input2 = _input2.data;
            sbyte[] output = _output.data;
            int[] table1 = _table1;
            int[] table2 = _table2;
            int outputOffset = _outputOffset;
            int multiplier = _outputMultiplier;
            int shift = _outputShift;
            int min = _activationMin;
            int max = _activationMax;
            int base1 = _input1.offset;
            int base2 = _input2.offset;
            int o = _output.offset;
            Broadcast broadcast = _broadcast;
            if (broadcast.IsElementwise)
            {
                int end = o + broadcast.ElementCount;
                int i1 = base1;
                int i2 = base2;
                while (o < end)
                {
                    int raw = table1[input1[i1++] + 128] + table2[input2[i2++] + 128];
                    int v = QuantizedMath.MultiplyByQuantizedMultiplierSmallerThanOneExp(raw, multiplier, shift) + outputOffset;
                    output[o++] = (sbyte)(v < min ? min : (v > max ? max : v));
                }

                return;
            }

            int inner = broadcast.InnerCount;
            int step1 = broadcast.InnerStep1;
            int step2 = broadcast.InnerStep2;
            broadcast.Start();
            for (int outer = broadcast.OuterCount; outer > 0; outer--)
            {
                int i1 = base1 + broadcast.Offset1;
                int i2 = base2 + broadcast.Offset2;
                int end = o + inner;
                while (o < end)
                {
                    int raw = table1[input1[i1] + 128] + table2[input2[i2] + 128];
                    int v = QuantizedMath.MultiplyByQuantizedMultiplierSmallerThanOneExp(raw, multiplier, shift) + outputOffset;
                    output[o++] = (sbyte)(v < min ? min : (v > max ? max : v));
                    i1 += step1;
                    i2 += step2;
                }

                broadcast.Advance();
            }
        }
    }
}
