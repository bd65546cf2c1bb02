namespace NanoQuant.Format
{
    /// <summary>
    /// Operands and parameters of MUL (<see cref="OperatorType.Mul"/>), int8 and 16x8 (whose zero points are
    /// all 0): out = clamp(MultiplyByQuantizedMultiplier((x1 − zp1) × (x2 − zp2), multiplier, shift) + output zp).
    /// </summary>
    public static class MulLayout
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

        /// <summary>Output zero point.</summary>
        public const int OutputZeroPoint = 2;

        /// <summary>Output multiplier.</summary>
        public const int OutputMultiplier = 3;

        /// <summary>Output shift.</summary>
        public const int OutputShift = 4;

        /// <summary>Lower end of the activation range.</summary>
        public const int ActivationMin = 5;

        /// <summary>Upper end of the activation range.</summary>
        public const int ActivationMax = 6;

        /// <summary>Number of parameters.</summary>
        public const int ParameterCount = 7;
    }
}
