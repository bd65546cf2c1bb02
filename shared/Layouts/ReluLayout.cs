namespace NanoQuant.Format
{
    /// <summary>
    /// Parameters of RELU (<see cref="OperatorType.Relu"/>, also RELU_N1_TO_1 and RELU_0_TO_1), int8 and 16x8:
    /// out = clamp(MultiplyByQuantizedMultiplier(x − input zp, multiplier, shift) + output zp, min, max).
    /// One input (slot 0), one output.
    /// </summary>
    public static class ReluLayout
    {
        /// <summary>Input zero point.</summary>
        public const int InputZeroPoint = 0;

        /// <summary>Output zero point.</summary>
        public const int OutputZeroPoint = 1;

        /// <summary>Rescaling multiplier (≥ 0).</summary>
        public const int Multiplier = 2;

        /// <summary>Rescaling shift.</summary>
        public const int Shift = 3;

        /// <summary>Lower end of the activation range.</summary>
        public const int ActivationMin = 4;

        /// <summary>Upper end of the activation range.</summary>
        public const int ActivationMax = 5;

        /// <summary>Number of parameters.</summary>
        public const int ParameterCount = 6;
    }
}
