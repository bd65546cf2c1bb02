namespace NanoQuant.Format
{
    /// <summary>
    /// Parameters of LEAKY_RELU (<see cref="OperatorType.LeakyRelu"/>), int8 and 16x8: x − input zp rescaled
    /// by the identity multiplier when ≥ 0, by the alpha multiplier otherwise, plus the output zp.
    /// One input (slot 0), one output.
    /// </summary>
    public static class LeakyReluLayout
    {
        /// <summary>Input zero point.</summary>
        public const int InputZeroPoint = 0;

        /// <summary>Output zero point.</summary>
        public const int OutputZeroPoint = 1;

        /// <summary>Multiplier for non-negative inputs (input scale / output scale).</summary>
        public const int IdentityMultiplier = 2;

        /// <summary>Shift for non-negative inputs.</summary>
        public const int IdentityShift = 3;

        /// <summary>Multiplier for negative inputs (α × input scale / output scale; may be negative).</summary>
        public const int AlphaMultiplier = 4;

        /// <summary>Shift for negative inputs.</summary>
        public const int AlphaShift = 5;

        /// <summary>Number of parameters.</summary>
        public const int ParameterCount = 6;
    }
}
