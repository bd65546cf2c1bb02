using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// MUL, int8, with broadcasting up to rank 6 (TFLM reference_integer_ops::Mul / BroadcastMul6DSlow).
    /// Inputs: 0 input1 int8, 1 input2 int8 (arena or constant); their shapes broadcast to the output's.
    /// Output: 0 int8. Parameters: 0 input1 zero point, 1 input2 zero point, 2 output zero point,
    /// 3 output multiplier, 4 output shift, 5 activation min, 6 activation max.
    /// out = clamp(zero point + MultiplyByQuantizedMultiplier((q1 − zp1)(q2 − zp2), multiplier, shift)).
    /// </summary>
    internal sealed partial class MulKernel : Kernel
    {
        private readonly Tensor _input1;
        private readonly Tensor _input2;
        private readonly Tensor _output;
        private readonly Broadcast _broadcast;
        private readonly int _zeroPoint1;
        private readonly int _zeroPoint2;
        private readonly int _outputOffset;
        private readonly int _multiplier;
        private readonly int _shift;
        private readonly int _activationMin;
        private readonly int _activationMax;

        internal MulKernel(OperatorDefinition op, Tensor[] tensors)
        {
            Check.Counts(op, MulLayout.InputCount, 1, MulLayout.ParameterCount);
            _input1 = Check.Int8Input(op, tensors, MulLayout.Input1Slot);
            _input2 = Check.Int8Input(op, tensors, MulLayout.Input2Slot);
            _output = Check.Int8Output(op, tensors, 0);
            _broadcast = new Broadcast(op, _input1, _input2, _output);
            _zeroPoint1 = op.Parameters[MulLayout.Input1ZeroPoint];
            _zeroPoint2 = op.Parameters[MulLayout.Input2ZeroPoint];
            _outputOffset = op.Parameters[MulLayout.OutputZeroPoint];
            Check.ZeroPoint(op, _zeroPoint1, "input1");
            Check.ZeroPoint(op, _zeroPoint2, "input2");
            Check.ZeroPoint(op, _outputOffset, "output");
            _multiplier = Check.Parameter(op, MulLayout.OutputMultiplier, 0, int.MaxValue, "output multiplier");
            _shift = op.Parameters[MulLayout.OutputShift];
            Check.Shift(op, _shift, "output shift");
            _activationMin = op.Parameters[MulLayout.ActivationMin];
            _activationMax = op.Parameters[MulLayout.ActivationMax];
            Check.ActivationRange(op, _activationMin, _activationMax);
        }

        internal override long MacCount
        {
            get { return _broadcast.ElementCount; }
        }

        internal override void Invoke()
        {
            sbyte[] input1 = _input1.data;
            sbyte[] input2 = _input2.data;
            sbyte[] output = _output.data;
            int zeroPoint1 = _zeroPoint1;
            int zeroPoint2 = _zeroPoint2;
            int outputOffset = _outputOffset;
            int multiplier = _multiplier;
            int shift = _shift;
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
                    int v = QuantizedMath.MultiplyByQuantizedMultiplier((input1[i1++] - zeroPoint1) * (input2[i2++] - zeroPoint2), multiplier, shift) + outputOffset;
                    output[o++] = (sbyte)(v < min ? min : (v > max ? max : v));
                }

                return;
            }

            // The broadcast walk repeats AddKernel's on purpose: the element expression differs and stays inline,
            // since a call per element is a dispatched call on nanoCLR (the Broadcast class holds the set-up both share).
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
                    int v = QuantizedMath.MultiplyByQuantizedMultiplier((input1[i1] - zeroPoint1) * (input2[i2] - zeroPoint2), multiplier, shift) + outputOffset;
                    output[o++] = (sbyte)(v < min ? min : (v > max ? max : v));
                    i1 += step1;
                    i2 += step2;
                }

                broadcast.Advance();
            }
        }
    }
}
