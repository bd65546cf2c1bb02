namespace NanoQuant.Format
{
    /// <summary>
    /// Operands and parameters of LOGISTIC and TANH (<see cref="OperatorType.Logistic"/>,
    /// <see cref="OperatorType.Tanh"/>): int8 as TFLM's reference integer kernels (input rescaled to Q4.27
    /// within a radius, gemmlowp's fixed-point function), 16x8 as TFLM's int16 kernels (a 256-entry sigmoid
    /// table, tanh through the same table).
    /// </summary>
    public static class LogisticTanhLayout
    {
        /// <summary>Input slot (int8 or int16).</summary>
        public const int InputSlot = 0;

        /// <summary>Number of inputs (int8).</summary>
        public const int InputCount = 1;

        /// <summary>16x8: input slot of the sigmoid table (int32 constant, 256 entries).</summary>
        public const int Int16SigmoidTableSlot = 1;

        /// <summary>16x8: number of inputs.</summary>
        public const int Int16InputCount = 2;

        /// <summary>int8: input zero point.</summary>
        public const int InputZeroPoint = 0;

        /// <summary>int8: input range radius: differences from the zero point beyond it saturate.</summary>
        public const int InputRadius = 1;

        /// <summary>int8: input multiplier (≥ 0).</summary>
        public const int InputMultiplier = 2;

        /// <summary>int8: input left shift, in [0, 30].</summary>
        public const int InputLeftShift = 3;

        /// <summary>int8: number of parameters.</summary>
        public const int ParameterCount = 4;

        /// <summary>16x8: input multiplier, in [1, 32767].</summary>
        public const int Int16InputMultiplier = 0;

        /// <summary>16x8: input left shift, in [0, 31].</summary>
        public const int Int16InputLeftShift = 1;

        /// <summary>16x8: number of parameters.</summary>
        public const int Int16ParameterCount = 2;
    }
}
