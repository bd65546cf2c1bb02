using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// TANH, int16 (TFLM reference_integer_ops::Tanh on int16), through tanh(x) = 2 sigmoid(2x) − 1: the
    /// input is rescaled as for <see cref="LogisticInt16Kernel"/>, sigmoid(|x'|) interpolated in the same
    /// 256-entry table with 8 fractional bits per step, recentred, mirrored for x' &lt; 0 and rounded to
    /// 15 fractional bits (output scale 2^-15, zero point 0).
    /// Inputs: 0 input int16 (zero point 0); 1 table int32 [256]. Output: 0 int16, same shape.
    /// Parameters: 0 input multiplier (in [1, 32767]), 1 input left shift (in [0, 31]).
    /// </summary>
    internal sealed class TanhInt16Kernel : Kernel
    {
        private readonly Tensor _input;
        private readonly Tensor _output;
        private readonly int[] _table;
        private readonly int _multiplier;
        private readonly int _leftShift;

        internal TanhInt16Kernel(OperatorDefinition op, Tensor[] tensors)
        {
            Check.Counts(op, LogisticTanhLayout.Int16InputCount, 1, LogisticTanhLayout.Int16ParameterCount);
            _input = Check.Int16Input(op, tensors, LogisticTanhLayout.InputSlot);
            _output = Check.Int16Output(op, tensors, 0);
            Check.SameShape(op, _input, _output, "input and output");
            _table = LogisticInt16Kernel.SigmoidTable(op, tensors, LogisticTanhLayout.Int16SigmoidTableSlot);
            _multiplier = Check.Parameter(op, LogisticTanhLayout.Int16InputMultiplier, 1, 32767, "input multiplier");
            _leftShift = Check.Parameter(op, LogisticTanhLayout.Int16InputLeftShift, 0, 31, "input left shift");
        }

        // The element loop repeats LogisticInt16Kernel's rescaling and table walk on purpose: the interpolation
        // differs (8 fractional bits per step, recentred), and a shared helper would be a call per element on nanoCLR.
        internal override void Invoke()
        {
            sbyte[] input = _input.data;
            sbyte[] output = _output.data;
            int[] table = _table;
            int multiplier = _multiplier;
            int leftShift = _leftShift;
            int round = leftShift > 0 ? 1 << (leftShift - 1) : 0;
            int p = _input.offset;
            int o = _output.offset;
            int end = o + (2 * _output.elementCount);
            while (o < end)
            {
                int x = ((((input[p] & 0xFF) | (input[p + 1] << 8)) * multiplier) + round) >> leftShift;
                p += 2;
                uint magnitude = (uint)(x < 0 ? -x : x);
                uint step = magnitude >> 8;
                int result;
                if (step >= 255)
                {
                    result = 0xFFFF << 8;
                }
                else
                {
                    uint a = (uint)table[step];
                    uint b = (uint)table[step + 1];
                    result = (int)((a << 8) + ((magnitude & 0xFF) * (b - a)));
                }

                result = x >= 0 ? result - (1 << 23) + (1 << 7) : -result + (1 << 23) + (1 << 7) - 1;
                int v = result >> 8;
                output[o] = (sbyte)v;
                output[o + 1] = (sbyte)(v >> 8);
                o += 2;
            }
        }
    }
}
