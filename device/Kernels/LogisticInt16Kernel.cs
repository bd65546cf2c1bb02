using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// LOGISTIC, int16 (TFLM reference_integer_ops::Logistic on int16): the input is rescaled to
    /// 1/(3 × 4096) per step, x' = (x × multiplier + round) &gt;&gt; left shift (a power-of-two input scale
    /// uses multiplier 3, shift 0), and sigmoid(|x'|) is interpolated in a 256-entry table of
    /// sigmoid(i / 24) in unsigned 0.16 fixed point (9 fractional bits per step), mirrored for x' &lt; 0,
    /// and rounded to 15 fractional bits (output scale 2^-15, zero point 0). The host computes the table.
    /// Inputs: 0 input int16 (zero point 0); 1 table int32 [256] (values in [0, 65535]).
    /// Output: 0 int16, same shape. Parameters: 0 input multiplier (in [1, 32767]), 1 input left shift
    /// (in [0, 31]).
    /// </summary>
    internal sealed class LogisticInt16Kernel : Kernel
    {
        private readonly Tensor _input;
        private readonly Tensor _output;
        private readonly int[] _table;
        private readonly int _multiplier;
        private readonly int _leftShift;

        internal LogisticInt16Kernel(OperatorDefinition op, Tensor[] tensors)
        {
            Check.Counts(op, LogisticTanhLayout.Int16InputCount, 1, LogisticTanhLayout.Int16ParameterCount);
            _input = Check.Int16Input(op, tensors, LogisticTanhLayout.InputSlot);
            _output = Check.Int16Output(op, tensors, 0);
            Check.SameShape(op, _input, _output, "input and output");
            _table = SigmoidTable(op, tensors, LogisticTanhLayout.Int16SigmoidTableSlot);
            _multiplier = Check.Parameter(op, LogisticTanhLayout.Int16InputMultiplier, 1, 32767, "input multiplier");
            _leftShift = Check.Parameter(op, LogisticTanhLayout.Int16InputLeftShift, 0, 31, "input left shift");
        }

        /// <summary>The 256-entry sigmoid table (unsigned 0.16) of the int16 LOGISTIC and TANH kernels.</summary>
        internal static int[] SigmoidTable(OperatorDefinition op, Tensor[] tensors, int slot)
        {
            int[] table = Check.Int32Constant(op, tensors, slot, 256);
            for (int i = 0; i < table.Length; i++)
            {
                if (!(table[i] >= 0 && table[i] <= 65535 && (i == 0 || table[i] >= table[i - 1])))
                {
                    Check.Fail(op, "the sigmoid table must be non-decreasing within [0, 65535]");
                }
            }

            return table;
        }

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
                uint step = magnitude >> 9;
                uint result;
                if (step >= 255)
                {
                    result = 0x7FFFu << 10;
                }
                else
                {
                    uint a = (uint)table[step];
                    uint b = (uint)table[step + 1];
                    result = (a << 9) + ((magnitude & 0x1FF) * (b - a));
                }

                result = x >= 0 ? result + (1u << 9) : (1u << 25) - result + (1u << 9) - 1;
                int v = (int)(result >> 10);
                output[o] = (sbyte)v;
                output[o + 1] = (sbyte)(v >> 8);
                o += 2;
            }
        }
    }
}
