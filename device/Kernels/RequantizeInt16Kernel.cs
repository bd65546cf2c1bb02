using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// QUANTIZE between int8 and int16 (either side int16: TFLM reference_ops::Requantize): out =
    /// clamp(MultiplyByQuantizedMultiplier(q − input zp, multiplier, shift) + output zp) to the output
    /// type's range. Input: 0 int8 or int16. Output: 0 int8 or int16 of the same shape, at least one of
    /// the two int16. Parameters: 0 input zero point, 1 output zero point, 2 multiplier (≥ 0), 3 shift
    /// (input scale / output scale as TFLite's QuantizeMultiplier).
    /// </summary>
    internal sealed class RequantizeInt16Kernel : Kernel
    {
        private readonly Tensor _input;
        private readonly Tensor _output;
        private readonly int _inputZeroPoint;
        private readonly int _outputZeroPoint;
        private readonly int _multiplier;
        private readonly int _shift;

        internal RequantizeInt16Kernel(OperatorDefinition op, Tensor[] tensors)
        {
            Check.Counts(op, 1, 1, RequantizeLayout.ParameterCount);
            _input = Check.ActivationInput(op, tensors, 0);
            Tensor output = tensors[op.Outputs[0]];
            _output = output.type == TensorType.Int16 ? Check.Int16Output(op, tensors, 0) : Check.Int8Output(op, tensors, 0);
            Check.That(_input.type == TensorType.Int16 || _output.type == TensorType.Int16, op, "input or output must be int16");
            Check.SameShape(op, _input, _output, "input and output");
            bool wideIn = _input.type == TensorType.Int16;
            bool wideOut = _output.type == TensorType.Int16;
            _inputZeroPoint = Check.Parameter(op, RequantizeLayout.InputZeroPoint, wideIn ? -32768 : -128, wideIn ? 32767 : 127, "input zero point");
            _outputZeroPoint = Check.Parameter(op, RequantizeLayout.OutputZeroPoint, wideOut ? -32768 : -128, wideOut ? 32767 : 127, "output zero point");
            _multiplier = Check.Parameter(op, RequantizeLayout.Multiplier, 0, int.MaxValue, "multiplier");
            _shift = op.Parameters[RequantizeLayout.Shift];
            Check.Shift(op, _shift, "shift");
        }

        internal override void Invoke()
        {
            sbyte[] input = _input.data;
            sbyte[] output = _output.data;
            bool wideIn = _input.type == TensorType.Int16;
            bool wideOut = _output.type == TensorType.Int16;
            int min = wideOut ? -32768 : -128;
            int max = wideOut ? 32767 : 127;
            int p = _input.offset;
            int o = _output.offset;
            for (int i = 0; i < _input.elementCount; i++)
            {
                int q;
                if (wideIn)
                {
                    q = (input[p] & 0xFF) | (input[p + 1] << 8);
                    p += 2;
                }
                else
                {
                    q = input[p++];
                }

                int v = QuantizedMath.MultiplyByQuantizedMultiplier(q - _inputZeroPoint, _multiplier, _shift) + _outputZeroPoint;
                v = v < min ? min : (v > max ? max : v);
                if (wideOut)
                {
                    output[o] = (sbyte)v;
                    output[o + 1] = (sbyte)(v >> 8);
                    o += 2;
                }
                else
                {
                    output[o++] = (sbyte)v;
                }
            }
        }
    }
}
