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

        /// <summary>The largest right shift <see cref="ApplyFolded"/> takes: with it, x × multiplier and the folded constants stay within a long.</summary>
        public const int MaxFoldedRightShift = 23;

        /// <summary>
        /// The constant <see cref="ApplyFolded"/> adds to a product at or above −2^30: the doubling high
        /// multiply's 2^30, the right shift's rounding (scaled by 2^31) and the output offset (scaled by
        /// 2^(31 + right)), so that one shift by 31 + right gives the offset result.
        /// </summary>
        public static long FoldedUp(int right, int offset)
        {
            return 0x40000000L + (right > 0 ? 1L << (30 + right) : 0) + ((long)offset << (31 + right));
        }

        /// <summary>The constant <see cref="ApplyFolded"/> subtracts a product below −2^30 from (see <see cref="FoldedUp"/>).</summary>
        public static long FoldedDown(int right, int offset)
        {
            return (right > 0 ? 1L << (30 + right) : 0) + 0x3FFFFFFFL - ((long)offset << (31 + right));
        }

        /// <summary>
        /// MultiplyByQuantizedMultiplier(x, multiplier, −right) + offset in one rounding step, for a multiplier
        /// ≥ 0, no left shift and right ≤ <see cref="MaxFoldedRightShift"/>; the kernels inline this expression:
        /// <code>
        /// long p = x * multiplier;
        /// result = (int)(p &gt;= -0x40000000L ? (p + up) &gt;&gt; (31 + right) : -((down - p) &gt;&gt; (31 + right)));
        /// </code>
        /// The doubling high multiply floors (x·m + 2^30) / 2^31 and the rounding divide then floors (high + 2^(right−1))
        /// / 2^right for high ≥ 0 (that is, x·m ≥ −2^30): nested floor divisions are one floor division by 2^(31+right).
        /// For high &lt; 0 it negates the floor of (2^(right−1) − high) / 2^right, and −high is a ceiling, i.e. a floor
        /// after adding 2^31 − 1: again one division. Adding offset × 2^(31+right) inside the floor adds the offset.
        /// A test checks this against <see cref="QuantizedMath.MultiplyByQuantizedMultiplier"/>.
        /// </summary>
        public static int ApplyFolded(int x, int multiplier, int right, int offset)
        {
            long p = (long)x * multiplier;
            int shift = 31 + right;
            return (int)(p >= -0x40000000L ? (p + FoldedUp(right, offset)) >> shift : -((FoldedDown(right, offset) - p) >> shift));
        }
    }
}
