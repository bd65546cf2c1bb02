using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// SOFTMAX, int16 (TFLM reference_ops::SoftmaxInt16) over the last axis. Per row: the difference
    /// to the row's maximum is rescaled by MultiplyByQuantizedMultiplier so [−65535, 0] spans [−10, 0],
    /// recentred by +32767, saturated to int16 and looked up in the exp table; the sum of exps is
    /// normalized by its leading zeros, recentred and looked up in the 1/(1 + x) table; each exp times
    /// that reciprocal is shifted back and clamped to [0, 32767] (output scale 1/32768, zero point 0).
    /// Both tables have 513 entries (512 steps and the last point) and are interpolated as TFLM's
    /// LUTLookup does; the host computes them as TFLM's LUTPopulate does.
    /// Inputs: 0 input int16 (zero point 0); 1 exp table int32 [513]; 2 1/(1 + x) table int32 [513]
    /// (values within int16). Output: 0 int16, same shape.
    /// Parameters: 0 input multiplier (≥ 0), 1 input shift (in [−31, 30]).
    /// </summary>
    internal sealed class SoftmaxInt16Kernel : Kernel
    {
        private readonly Tensor _input;
        private readonly Tensor _output;
        private readonly int[] _expTable;
        private readonly int[] _reciprocalTable;
        private readonly int _multiplier;
        private readonly int _shift;
        private readonly int _rows;
        private readonly int _depth;

        internal SoftmaxInt16Kernel(OperatorDefinition op, Tensor[] tensors)
        {
            Check.Counts(op, SoftmaxLayout.Int16InputCount, 1, SoftmaxLayout.Int16ParameterCount);
            _input = Check.Int16Input(op, tensors, SoftmaxLayout.InputSlot);
            _output = Check.Int16Output(op, tensors, 0);
            Check.SameShape(op, _input, _output, "input and output");
            _expTable = Table(op, tensors, SoftmaxLayout.Int16ExpTableSlot);
            _reciprocalTable = Table(op, tensors, SoftmaxLayout.Int16ReciprocalTableSlot);
            _multiplier = Check.Parameter(op, SoftmaxLayout.Int16InputMultiplier, 0, int.MaxValue, "input multiplier");
            _shift = op.Parameters[SoftmaxLayout.Int16InputShift];
            Check.Shift(op, _shift, "input shift");
            Check.That(_input.shape.Length >= 1, op, "input must have rank 1 or more");
            _depth = _input.shape[_input.shape.Length - 1];

            // The sum of exps (each ≤ 32767) must leave a leading zero in 32 bits.
            Check.That(_depth <= 65536, op, "the last axis must have at most 65536 elements");
            _rows = _input.elementCount / _depth;
        }

        private static int[] Table(OperatorDefinition op, Tensor[] tensors, int slot)
        {
            int[] table = Check.Int32Constant(op, tensors, slot, 513);
            for (int i = 0; i < table.Length; i++)
            {
                if (!(table[i] >= -32768 && table[i] <= 32767))
                {
                    Check.Fail(op, "table " + slot.ToString() + " holds a value outside int16");
                }
            }

            return table;
        }

        /// <summary>TFLM LUTLookup: 512 base values indexed by the top 9 bits, interpolated by the low 7.</summary>
        private static int Lookup(int value, int[] table)
        {
            int index = 256 + (value >> 7);
            int offset = value & 0x7F;
            int baseValue = table[index];
            int slope = table[index + 1] - baseValue;
            return (short)(baseValue + (((slope * offset) + 64) >> 7));
        }

        internal override void Invoke()
        {
            sbyte[] input = _input.data;
            sbyte[] output = _output.data;
            int[] expTable = _expTable;
            int depth = _depth;
            int rowBytes = depth * 2;
            for (int r = 0; r < _rows; r++)
            {
                int inStart = _input.offset + (r * rowBytes);
                int outStart = _output.offset + (r * rowBytes);
                int maxInRow = -32768;
                for (int p = inStart; p < inStart + rowBytes; p += 2)
                {
                    int v = (input[p] & 0xFF) | (input[p + 1] << 8);
                    if (v > maxInRow)
                    {
                        maxInRow = v;
                    }
                }

                // The exps are cached in the output row, as TFLM does.
                int sum = 0;
                int q = outStart;
                for (int p = inStart; p < inStart + rowBytes; p += 2)
                {
                    int diff = ((input[p] & 0xFF) | (input[p + 1] << 8)) - maxInRow;
                    int scaled = QuantizedMath.MultiplyByQuantizedMultiplier(diff, _multiplier, _shift) + 32767;
                    scaled = scaled < -32768 ? -32768 : (scaled > 32767 ? 32767 : scaled);
                    int e = Lookup(scaled, expTable);
                    sum += e;
                    output[q] = (sbyte)e;
                    output[q + 1] = (sbyte)(e >> 8);
                    q += 2;
                }

                int headroomPlusOne = LeadingZeros((uint)sum);
                int shiftedSum = (int)((((long)sum << (headroomPlusOne - 1)) + (1 << 13)) >> 14);
                int symmetric = shiftedSum - ((1 << 15) + (1 << 16));
                symmetric = symmetric < -32768 ? -32768 : (symmetric > 32767 ? 32767 : symmetric);
                long reciprocal = Lookup(symmetric, _reciprocalTable);
                int rightShift = 31 - headroomPlusOne;
                long round = 1 << (rightShift - 1);
                for (q = outStart; q < outStart + rowBytes; q += 2)
                {
                    long e = (short)((output[q] & 0xFF) | (output[q + 1] << 8));
                    int result = (int)(((e * reciprocal) + round) >> rightShift);
                    result = result < 0 ? 0 : (result > 32767 ? 32767 : result);
                    output[q] = (sbyte)result;
                    output[q + 1] = (sbyte)(result >> 8);
                }
            }
        }

        private static int LeadingZeros(uint value)
        {
            int count = 0;
            while (count < 32 && (value & 0x80000000u) == 0)
            {
                value <<= 1;
                count++;
            }

            return count;
        }
    }
}
