namespace NanoQuant
{
    /// <summary>
    /// gemmlowp's scalar fixed-point arithmetic (fixedpoint/fixedpoint.h, the version TensorFlow Lite
    /// Micro builds with) on plain 32-bit integers, for the kernels that TFLM evaluates with it:
    /// SOFTMAX (exp of negative values, the reciprocal of the sum), LOGISTIC and TANH.
    /// A value "in Qm" is gemmlowp's FixedPoint&lt;int32, m&gt;: m integer bits, 31 − m fractional bits;
    /// only its raw int is passed around. Wrap-around int arithmetic where gemmlowp uses plain
    /// operators, saturation exactly where gemmlowp saturates.
    /// </summary>
    public static class FixedPointMath
    {
        /// <summary>1.0 in Q0 (saturated: the largest raw value).</summary>
        public const int OneQ0 = int.MaxValue;

        /// <summary>x × 2^exponent for 0 ≤ exponent ≤ 31, saturating to the int range (SaturatingRoundingMultiplyByPOT, positive exponent).</summary>
        public static int SaturatingShiftLeft(int x, int exponent)
        {
            if (exponent == 0)
            {
                return x;
            }

            long shifted = (long)x << exponent;
            if (shifted > int.MaxValue)
            {
                return int.MaxValue;
            }

            if (shifted < int.MinValue)
            {
                return int.MinValue;
            }

            // gemmlowp compares against ±(2^(31−e) − 1): −2^(31−e) also saturates, to int.MinValue, which is its exact value.
            return (int)shifted;
        }

        /// <summary>Rescales a raw value from Q<paramref name="fromBits"/> to Q<paramref name="toBits"/> (gemmlowp's Rescale).</summary>
        public static int Rescale(int x, int fromBits, int toBits)
        {
            int exponent = fromBits - toBits;
            return exponent >= 0 ? SaturatingShiftLeft(x, exponent) : QuantizedMath.RoundingDivideByPot(x, -exponent);
        }

        /// <summary>(a + b) / 2 rounded half away from zero, computed without overflow.</summary>
        public static int RoundingHalfSum(int a, int b)
        {
            long sum = (long)a + b;
            long sign = sum >= 0 ? 1 : -1;
            return (int)((sum + sign) / 2);
        }

        /// <summary>Number of leading zero bits of <paramref name="x"/> (32 for 0).</summary>
        public static int CountLeadingZeros(uint x)
        {
            if (x == 0)
            {
                return 32;
            }

            int n = 0;
            if ((x & 0xFFFF0000u) == 0)
            {
                n += 16;
                x <<= 16;
            }

            if ((x & 0xFF000000u) == 0)
            {
                n += 8;
                x <<= 8;
            }

            if ((x & 0xF0000000u) == 0)
            {
                n += 4;
                x <<= 4;
            }

            if ((x & 0xC0000000u) == 0)
            {
                n += 2;
                x <<= 2;
            }

            if ((x & 0x80000000u) == 0)
            {
                n += 1;
            }

            return n;
        }

        /// <summary>exp(a) for a in [−1/4, 0), Q0 in and out: a fourth-order Taylor expansion around −1/8.</summary>
        public static int ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl(int a)
        {
            const int ExpMinusOneEighth = 1895147668;
            const int OneThird = 715827883;
            int x = a + (1 << 28);
            int x2 = QuantizedMath.SaturatingRoundingDoublingHighMul(x, x);
            int x3 = QuantizedMath.SaturatingRoundingDoublingHighMul(x2, x);
            int x4 = QuantizedMath.SaturatingRoundingDoublingHighMul(x2, x2);
            int x4Over4 = QuantizedMath.RoundingDivideByPot(x4, 2);
            int poly = QuantizedMath.RoundingDivideByPot(
                QuantizedMath.SaturatingRoundingDoublingHighMul(x4Over4 + x3, OneThird) + x2, 1);
            return ExpMinusOneEighth + QuantizedMath.SaturatingRoundingDoublingHighMul(ExpMinusOneEighth, x + poly);
        }

        /// <summary>
        /// exp(a) for a ≤ 0 given in Q<paramref name="integerBits"/> (0 ≤ integerBits ≤ 30); the result is in Q0.
        /// The fraction modulo 1/4 goes through the polynomial, each higher bit multiplies by a constant exp(−2^k).
        /// </summary>
        public static int ExpOnNegativeValues(int a, int integerBits)
        {
            int fractionalBits = 31 - integerBits;
            int oneQuarter = 1 << (fractionalBits - 2);
            int modQuarterMinusQuarter = (a & (oneQuarter - 1)) - oneQuarter;
            int result = ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl(Rescale(modQuarterMinusQuarter, integerBits, 0));
            int remainder = modQuarterMinusQuarter - a;

            // exp(−2^k) in Q0 for k = −2 … 4, applied where bit (fractionalBits + k) of the remainder is set.
            if (integerBits > -2 && (remainder & (1 << (fractionalBits - 2))) != 0)
            {
                result = QuantizedMath.SaturatingRoundingDoublingHighMul(result, 1672461947);
            }

            if (integerBits > -1 && (remainder & (1 << (fractionalBits - 1))) != 0)
            {
                result = QuantizedMath.SaturatingRoundingDoublingHighMul(result, 1302514674);
            }

            if (integerBits > 0 && (remainder & (1 << fractionalBits)) != 0)
            {
                result = QuantizedMath.SaturatingRoundingDoublingHighMul(result, 790015084);
            }

            if (integerBits > 1 && (remainder & (1 << (fractionalBits + 1))) != 0)
            {
                result = QuantizedMath.SaturatingRoundingDoublingHighMul(result, 290630308);
            }

            if (integerBits > 2 && (remainder & (1 << (fractionalBits + 2))) != 0)
            {
                result = QuantizedMath.SaturatingRoundingDoublingHighMul(result, 39332535);
            }

            if (integerBits > 3 && (remainder & (1 << (fractionalBits + 3))) != 0)
            {
                result = QuantizedMath.SaturatingRoundingDoublingHighMul(result, 720401);
            }

            if (integerBits > 4 && (remainder & (1 << (fractionalBits + 4))) != 0)
            {
                result = QuantizedMath.SaturatingRoundingDoublingHighMul(result, 242);
            }

            if (integerBits > 5)
            {
                // Below −32 the result is zero.
                int clamp = -(1 << (36 - integerBits));
                if (a < clamp)
                {
                    result = 0;
                }
            }

            return a == 0 ? OneQ0 : result;
        }

        /// <summary>Newton–Raphson iterations shared by the two divisions: returns x ≈ 1 / halfDenominator in Q2.</summary>
        private static int NewtonRaphsonReciprocalQ2(int halfDenominator)
        {
            const int FortyEightOverSeventeen = 1515870810;
            const int MinusThirtyTwoOverSeventeen = -1010580540;
            const int OneQ2 = 1 << 29;
            int x = FortyEightOverSeventeen + QuantizedMath.SaturatingRoundingDoublingHighMul(halfDenominator, MinusThirtyTwoOverSeventeen);
            for (int i = 0; i < 3; i++)
            {
                int halfDenominatorTimesX = QuantizedMath.SaturatingRoundingDoublingHighMul(halfDenominator, x);
                int oneMinus = OneQ2 - halfDenominatorTimesX;
                x = x + SaturatingShiftLeft(QuantizedMath.SaturatingRoundingDoublingHighMul(x, oneMinus), 2);
            }

            return x;
        }

        /// <summary>1 / (1 + a) for a in [0, 1), Q0 in and out.</summary>
        public static int OneOverOnePlusXForXIn01(int a)
        {
            int x = NewtonRaphsonReciprocalQ2(RoundingHalfSum(a, OneQ0));

            // x / 2 read as Q1, rescaled to Q0.
            return SaturatingShiftLeft(x, 1);
        }

        /// <summary>(1 − a) / (1 + a) for a in [0, 1), Q0 in and out.</summary>
        public static int OneMinusXOverOnePlusXForXIn01(int a)
        {
            int x = NewtonRaphsonReciprocalQ2(RoundingHalfSum(a, OneQ0));
            return SaturatingShiftLeft(x - (1 << 29), 2);
        }

        /// <summary>The logistic function of a value in Q<paramref name="integerBits"/>; the result is in Q0.</summary>
        public static int Logistic(int a, int integerBits)
        {
            if (a == 0)
            {
                return 1 << 30;
            }

            int absolute = a > 0 ? a : -a;
            int positive = OneOverOnePlusXForXIn01(ExpOnNegativeValues(-absolute, integerBits));
            return a > 0 ? positive : OneQ0 - positive;
        }

        /// <summary>tanh of a value in Q<paramref name="integerBits"/> (below 30); the result is in Q0.</summary>
        public static int Tanh(int a, int integerBits)
        {
            if (a == 0)
            {
                return 0;
            }

            // −|a| doubled: the same raw value read with one more integer bit.
            int negative = a < 0 ? a : -a;
            int t = OneMinusXOverOnePlusXForXIn01(ExpOnNegativeValues(negative, integerBits + 1));
            return a < 0 ? -t : t;
        }

        /// <summary>
        /// TFLite's GetReciprocal: for x &gt; 0 in Q<paramref name="integerBits"/>, returns 1 / x normalized into
        /// Q0 (a value in (1/2, 1]) and the power of two it was scaled by in <paramref name="bitsOverUnit"/>.
        /// </summary>
        public static int GetReciprocal(int x, int integerBits, out int bitsOverUnit)
        {
            int headroomPlusOne = CountLeadingZeros((uint)x);
            bitsOverUnit = integerBits - headroomPlusOne;
            int shiftedMinusOne = (int)(((uint)x << headroomPlusOne) - 0x80000000u);
            return OneOverOnePlusXForXIn01(shiftedMinusOne);
        }
    }
}
