namespace NanoQuant.Format
{
    /// <summary>
    /// Parameters of HARD_SWISH (<see cref="OperatorType.HardSwish"/>), int8: TFLM's HardSwishParams, the
    /// multipliers down-scaled to int16 as its reference kernel uses them. One input (slot 0), one output.
    /// </summary>
    public static class HardSwishLayout
    {
        /// <summary>Input zero point.</summary>
        public const int InputZeroPoint = 0;

        /// <summary>Output zero point.</summary>
        public const int OutputZeroPoint = 1;

        /// <summary>The "reluish" multiplier (int16 range, ≥ 0).</summary>
        public const int ReluishMultiplier = 2;

        /// <summary>The "reluish" exponent, in [−15, 30].</summary>
        public const int ReluishExponent = 3;

        /// <summary>Output multiplier (int16 range, ≥ 0).</summary>
        public const int OutputMultiplier = 4;

        /// <summary>Output exponent, in [−15, 0].</summary>
        public const int OutputExponent = 5;

        /// <summary>Number of parameters.</summary>
        public const int ParameterCount = 6;
    }
}
