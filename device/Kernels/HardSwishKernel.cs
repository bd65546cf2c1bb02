using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// HARD_SWISH, int8 (TFLM reference_ops::HardSwish, quantized): x · relu6(x + 3) / 6 evaluated in
    /// 16-bit fixed point with TFLM's exact saturations, truncations and int16 wrap-arounds.
    /// Input: 0 int8. Output: 0 int8 of the same shape.
    /// Parameters: 0 input zero point, 1 output zero point, 2 "reluish" multiplier (int16, in [0, 32767]),
    /// 3 reluish exponent (in [−15, 30]), 4 output multiplier (int16, in [0, 32767]), 5 output exponent
    /// (in [−15, 0]). The multipliers are TFLite's QuantizeMultiplier results for
    /// (input scale / 128) / (3 / 32768) and (input scale / 128) / output scale, rounded to 16 bits.
    /// The 256 possible results are tabulated at load; a step is one lookup.
    /// </summary>
    internal sealed class HardSwishKernel : LookupTableKernel
    {
        internal HardSwishKernel(OperatorDefinition op, Tensor[] tensors)
            : base(op, tensors, HardSwishLayout.ParameterCount)
        {
            int inputZeroPoint = op.Parameters[HardSwishLayout.InputZeroPoint];
            int outputZeroPoint = op.Parameters[HardSwishLayout.OutputZeroPoint];
            Check.ZeroPoint(op, inputZeroPoint, "input");
            Check.ZeroPoint(op, outputZeroPoint, "output");
            int reluishMultiplier = Check.Parameter(op, HardSwishLayout.ReluishMultiplier, 0, 32767, "reluish multiplier");
            int reluishExponent = Check.Parameter(op, HardSwishLayout.ReluishExponent, -15, 30, "reluish exponent");
            int outputMultiplier = Check.Parameter(op, HardSwishLayout.OutputMultiplier, 0, 32767, "output multiplier");
            int outputExponent = Check.Parameter(op, HardSwishLayout.OutputExponent, -15, 0, "output exponent");
            for (int q = -128; q < 128; q++)
            {
                Table[q + 128] = (sbyte)Evaluate(q, inputZeroPoint, outputZeroPoint, reluishMultiplier, reluishExponent, outputMultiplier, outputExponent);
            }
        }

        /// <summary>One element; every intermediate is an int16 in TFLM, so each is narrowed with (short) where TFLM narrows.</summary>
        private static int Evaluate(int q, int inputZeroPoint, int outputZeroPoint, int reluishMultiplier, int reluishExponent, int outputMultiplier, int outputExponent)
        {
            short inputValue = (short)(q - inputZeroPoint);
            short hires = (short)(inputValue * 128);
            short preshiftOutputScale = SaturatingRoundingDoublingHighMul16(hires, (short)outputMultiplier);
            short reluish = hires;
            if (reluishExponent > 0)
            {
                reluish = SaturatingLeftShift16(reluish, reluishExponent - 1);
            }

            reluish = SaturatingRoundingDoublingHighMul16(reluish, (short)reluishMultiplier);
            if (reluishExponent > 0)
            {
                reluish = SaturatingLeftShift16(reluish, 1);
            }

            if (reluishExponent < 0)
            {
                // For exponents up to 15 the int16 rounding shift equals the int32 one on the same value.
                reluish = (short)QuantizedMath.RoundingDivideByPot(reluish, -reluishExponent);
            }

            // From [−1, 1] to [0, 1].
            reluish = (short)((reluish + (1 << 15)) >> 1);
            short preshiftOutput = SaturatingDoublingHighMul16(reluish, preshiftOutputScale);
            short value = (short)QuantizedMath.RoundingDivideByPot(preshiftOutput, -outputExponent);
            value = (short)(value + outputZeroPoint);
            return value < -128 ? -128 : (value > 127 ? 127 : value);
        }

        private static short SaturatingLeftShift16(short value, int amount)
        {
            long result = (long)value * (1 << amount);
            return (short)(result > short.MaxValue ? short.MaxValue : (result < short.MinValue ? short.MinValue : result));
        }

        /// <summary>gemmlowp's int16 SaturatingRoundingDoublingHighMul.</summary>
        private static short SaturatingRoundingDoublingHighMul16(short a, short b)
        {
            if (a == short.MinValue && b == short.MinValue)
            {
                return short.MaxValue;
            }

            int product = a * b;
            int nudge = product >= 0 ? (1 << 14) : (1 - (1 << 14));
            return (short)((product + nudge) / (1 << 15));
        }

        /// <summary>Like the rounding variant but truncating toward zero (ARM SQDMULH).</summary>
        private static short SaturatingDoublingHighMul16(short a, short b)
        {
            if (a == short.MinValue && b == short.MinValue)
            {
                return short.MaxValue;
            }

            return (short)((a * b) / (1 << 15));
        }
    }
}
