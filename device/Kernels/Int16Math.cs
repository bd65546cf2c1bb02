namespace NanoQuant
{
    /// <summary>
    /// Arithmetic the int16 (16x8) kernels share: TFLM's 64-bit MultiplyByQuantizedMultiplier (the
    /// multiplier rounded to 16 bits, one rounding shift) and its shift range.
    /// Int16 elements are little-endian byte pairs in the sbyte arena: (d[p] &amp; 0xFF) | (d[p + 1] &lt;&lt; 8).
    /// </summary>
    internal static class Int16Math
    {
        /// <summary>
        /// Most int16 × int8 products an int32 sum holds exactly: each is at most 2^22 in magnitude
        /// (−32768 × −128), and 511 × 2^22 &lt; 2^31.
        /// </summary>
        internal const int Int32Products = 511;

        /// <summary>
        /// Most int8 × (int16 + input offset) products an int32 sum holds exactly (fully connected, whose input
        /// offset lies in [−32767, 32768]): each is below 2^16 × 2^7 = 2^23 in magnitude, and 255 × 2^23 &lt; 2^31.
        /// </summary>
        internal const int Int32OffsetProducts = 255;

        /// <summary>Smallest shift the 64-bit MultiplyByQuantizedMultiplier accepts.</summary>
        internal const int MinShift = -31;

        /// <summary>Largest shift the 64-bit MultiplyByQuantizedMultiplier accepts.</summary>
        internal const int MaxShift = 7;

        /// <summary>
        /// TFLM MultiplyByQuantizedMultiplier(int64 x, multiplier, shift): the multiplier reduced to
        /// 16 bits with rounding, then x × reduced + 2^(total − 1) shifted right by total = 15 − shift.
        /// </summary>
        internal static int MultiplyByQuantizedMultiplier(long x, int multiplier, int shift)
        {
            long reduced = multiplier < 0x7FFF0000 ? ((multiplier + (1 << 15)) >> 16) : 0x7FFF;
            int totalShift = 15 - shift;
            return (int)(((x * reduced) + (1L << (totalShift - 1))) >> totalShift);
        }

        /// <summary>
        /// One output of a 16x8 conv, depthwise or fully connected kernel: <see cref="MultiplyByQuantizedMultiplier"/>
        /// of the accumulator, plus the output offset, clamped to [min, max], stored little-endian at
        /// <paramref name="index"/>. One call per output element (not per multiply-accumulate), so the
        /// kernels' variants share it rather than inline it.
        /// </summary>
        internal static void Store(sbyte[] output, int index, long acc, int multiplier, int shift, int outputOffset, int min, int max)
        {
            int v = MultiplyByQuantizedMultiplier(acc, multiplier, shift) + outputOffset;
            v = v < min ? min : (v > max ? max : v);
            output[index] = (sbyte)v;
            output[index + 1] = (sbyte)(v >> 8);
        }

        /// <summary>Per-channel shifts for the 64-bit multiply: each within [−31, 7].</summary>
        internal static int[] Shifts(OperatorDefinition op, Tensor[] tensors, int slot, int length)
        {
            int[] shifts = Check.Int32Constant(op, tensors, slot, length);
            for (int i = 0; i < shifts.Length; i++)
            {
                if (!(shifts[i] >= MinShift && shifts[i] <= MaxShift))
                {
                    Check.Fail(op, "shift " + shifts[i].ToString() + " is outside [-31, 7]");
                }
            }

            return shifts;
        }

        /// <summary>Non-negative multipliers.</summary>
        internal static int[] Multipliers(OperatorDefinition op, Tensor[] tensors, int slot, int length)
        {
            int[] multipliers = Check.Int32Constant(op, tensors, slot, length);
            for (int i = 0; i < multipliers.Length; i++)
            {
                if (!(multipliers[i] >= 0))
                {
                    Check.Fail(op, "multiplier " + multipliers[i].ToString() + " is negative");
                }
            }

            return multipliers;
        }
    }
}
