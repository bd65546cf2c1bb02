namespace NanoQuant
{
    /// <summary>
    /// Fixed-point requantization exactly as TensorFlow Lite Micro's reference kernels do it:
    /// gemmlowp's SaturatingRoundingDoublingHighMul and RoundingDivideByPOT, combined into the
    /// double-rounding MultiplyByQuantizedMultiplier. Loaders check that every shift lies in
    /// [<see cref="MinShift"/>, <see cref="MaxShift"/>] so none of these can shift out of range.
    /// </summary>
    public static class QuantizedMath
    {
        /// <summary>Smallest shift a quantized multiplier may carry (a right shift by 31).</summary>
        public const int MinShift = -31;

        /// <summary>Largest shift a quantized multiplier may carry (a left shift by 30).</summary>
        public const int MaxShift = 30;

        /// <summary>
        /// (a × b × 2) / 2^32 rounded to nearest, ties away from zero; saturates the one overflowing
        /// case (both int.MinValue) to int.MaxValue.
        /// </summary>
        public static int SaturatingRoundingDoublingHighMul(int a, int b)
        {
            if (a == int.MinValue && b == int.MinValue)
            {
                return int.MaxValue;
            }

            long product = (long)a * b;
            long nudge = product >= 0 ? (1L << 30) : (1L - (1L << 30));
            return (int)((product + nudge) / (1L << 31));
        }

        /// <summary>x / 2^exponent rounded to nearest, ties away from zero. <paramref name="exponent"/> in [0, 31].</summary>
        public static int RoundingDivideByPot(int x, int exponent)
        {
            int mask = (int)((1L << exponent) - 1);
            int remainder = x & mask;
            int threshold = (mask >> 1) + (x < 0 ? 1 : 0);
            return (x >> exponent) + (remainder > threshold ? 1 : 0);
        }

        /// <summary>
        /// x × multiplier × 2^shift / 2^31 as TFLite Micro computes it: a left shift for positive
        /// <paramref name="shift"/>, the rounding doubling high multiply, then a rounding right shift —
        /// RoundingDivideByPot(SaturatingRoundingDoublingHighMul(x × 2^left, multiplier), right).
        /// Written out without calls and without a 64-bit division, because it runs once per output
        /// element and a call costs several multiply-accumulates on an IL interpreter; a test checks it
        /// against the composition of the two functions above.
        /// </summary>
        public static int MultiplyByQuantizedMultiplier(int x, int multiplier, int shift)
        {
            int a = shift > 0 ? x << shift : x;
            int high;
            if (a == int.MinValue && multiplier == int.MinValue)
            {
                high = int.MaxValue;
            }
            else
            {
                long product = (long)a * multiplier;

                // (product + nudge) / 2^31, truncating toward zero like C's division.
                high = product >= 0
                    ? (int)((product + (1L << 30)) >> 31)
                    : -(int)((-(product + (1L - (1L << 30)))) >> 31);
            }

            if (shift >= 0)
            {
                return high;
            }

            int mask = (int)((1L << -shift) - 1);
            int remainder = high & mask;
            int threshold = (mask >> 1) + (high < 0 ? 1 : 0);
            return (high >> -shift) + (remainder > threshold ? 1 : 0);
        }

        /// <summary>gemmlowp's MultiplyByQuantizedMultiplierSmallerThanOneExp: <paramref name="leftShift"/> ≤ 0.</summary>
        public static int MultiplyByQuantizedMultiplierSmallerThanOneExp(int x, int multiplier, int leftShift)
        {
            return RoundingDivideByPot(SaturatingRoundingDoublingHighMul(x, multiplier), -leftShift);
        }

        /// <summary>gemmlowp's MultiplyByQuantizedMultiplierGreaterThanOne: <paramref name="leftShift"/> ≥ 0.</summary>
        public static int MultiplyByQuantizedMultiplierGreaterThanOne(int x, int multiplier, int leftShift)
        {
            return SaturatingRoundingDoublingHighMul(x * (1 << leftShift), multiplier);
        }
    }
}
