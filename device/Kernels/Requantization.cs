namespace NanoQuant
{
    /// <summary>
    /// <see cref="QuantizedMath.MultiplyByQuantizedMultiplier"/> split for kernels that write it out
    /// inline in their loops (a call per output element costs several multiply-accumulates on an IL
    /// interpreter): the shift becomes a left shift, a right shift and the rounding constant of the
    /// right shift, precomputed per channel at load. For a multiplier ≥ 0 (checked at load) the inline
    /// form is <see cref="Apply"/>:
    /// <code>
    /// long high = (((long)(x &lt;&lt; left) * multiplier) + (1L &lt;&lt; 30)) &gt;&gt; 31;
    /// result = (int)(high &gt;= 0 ? (high + rounding) &gt;&gt; right : -((rounding - high) &gt;&gt; right));
    /// </code>
    /// The first line is gemmlowp's rounding doubling high multiply (its nudge and truncating division
    /// are one floor division after adding 2^30; a multiplier ≥ 0 cannot hit its one saturating case),
    /// the second its rounding divide by 2^right, rounding halves away from zero. A test checks
    /// <see cref="Apply"/> against <see cref="QuantizedMath.MultiplyByQuantizedMultiplier"/>.
    /// </summary>
    public static class Requantization
    {
        /// <summary>Per channel: the left shift, max(shift, 0).</summary>
        public static int[] LeftShifts(int[] shifts)
        {
            int[] result = new int[shifts.Length];
            for (int c = 0; c < shifts.Length; c++)
            {
                result[c] = shifts[c] > 0 ? shifts[c] : 0;
            }

            return result;
        }

        /// <summary>Per channel: the right shift, max(−shift, 0).</summary>
        public static int[] RightShifts(int[] shifts)
        {
            int[] result = new int[shifts.Length];
            for (int c = 0; c < shifts.Length; c++)
            {
                result[c] = shifts[c] < 0 ? -shifts[c] : 0;
            }

            return result;
        }

        /// <summary>Per channel: half of 2^right (0 when there is no right shift).</summary>
        public static int[] Roundings(int[] shifts)
        {
            int[] result = new int[shifts.Length];
            for (int c = 0; c < shifts.Length; c++)
            {
                result[c] = shifts[c] < 0 ? (int)(1L << (-shifts[c] - 1)) : 0;
            }

            return result;
        }

        /// <summary>
        /// x × multiplier × 2^(left − right) / 2^31 exactly as MultiplyByQuantizedMultiplier(x, multiplier,
        /// left − right) for a multiplier ≥ 0, from the split shift; the kernels inline this expression.
        /// </summary>
        public static int Apply(int x, int multiplier, int left, int right, int rounding)
        {
            long high = (((long)(x << left) * multiplier) + 0x40000000L) >> 31;
            return (int)(high >= 0 ? (high + rounding) >> right : -((rounding - high) >> right));
        }
    }
}
