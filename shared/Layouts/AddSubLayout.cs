namespace NanoQuant.Format
{
    /// <summary>
    /// Operands and parameters of ADD and SUB (<see cref="OperatorType.Add"/>, <see cref="OperatorType.Sub"/>),
    /// int8 and 16x8: TFLM's rescaled addition, each input scaled to a common scale by its multiplier after
    /// the left shift, the sum rescaled to the output.
    /// </summary>
    public static class AddSubLayout
    {
        /// <summary>Input slot of the first operand.</summary>
        public const int Input1Slot = 0;

        /// <summary>Input slot of the second operand (broadcast against the first).</summary>
        public const int Input2Slot = 1;

        /// <summary>Number of inputs.</summary>
        public const int InputCount = 2;

        /// <summary>First input's zero point.</summary>
        public const int Input1ZeroPoint = 0;

        /// <summary>Second input's zero point.</summary>
        public const int Input2ZeroPoint = 1;

        /// <summary>Output zero point, added after rescaling.</summary>
        public const int OutputZeroPoint = 2;

        /// <summary>Left shift applied to both inputs before their multipliers (20 for int8, 15 for int16).</summary>
        public const int LeftShift = 3;

        /// <summary>First input's multiplier.</summary>
        public const int Input1Multiplier = 4;

        /// <summary>First input's shift (≤ 0).</summary>
        public const int Input1Shift = 5;

        /// <summary>Second input's multiplier.</summary>
        public const int Input2Multiplier = 6;

        /// <summary>Second input's shift (≤ 0).</summary>
        public const int Input2Shift = 7;

        /// <summary>Output multiplier.</summary>
        public const int OutputMultiplier = 8;

        /// <summary>Output shift (≤ 0).</summary>
        public const int OutputShift = 9;

        /// <summary>Lower end of the activation range.</summary>
        public const int ActivationMin = 10;

        /// <summary>Upper end of the activation range.</summary>
        public const int ActivationMax = 11;

        /// <summary>Number of parameters.</summary>
        public const int ParameterCount = 12;
    }
}
