namespace NanoQuant.Format
{
    /// <summary>Operands and parameters of FULLY_CONNECTED (<see cref="OperatorType.FullyConnected"/>), int8 and 16x8.</summary>
    public static class FullyConnectedLayout
    {
        /// <summary>Input slot of the activation input (batches × depth elements).</summary>
        public const int InputSlot = 0;

        /// <summary>Input slot of the int8 filter [units, depth].</summary>
        public const int FilterSlot = 1;

        /// <summary>Input slot of the bias [units]: int32 with the input offset folded in (int8), optional int64 (16x8).</summary>
        public const int BiasSlot = 2;

        /// <summary>Input slot of the multipliers ([units], or [1] for per-tensor int8 weights).</summary>
        public const int MultipliersSlot = 3;

        /// <summary>Input slot of the shifts (as many as multipliers).</summary>
        public const int ShiftsSlot = 4;

        /// <summary>Number of inputs.</summary>
        public const int InputCount = 5;

        /// <summary>int8 variant: parameter index of the output offset (the output zero point).</summary>
        public const int OutputOffset = 0;

        /// <summary>int8 variant: parameter index of the activation minimum.</summary>
        public const int ActivationMin = 1;

        /// <summary>int8 variant: parameter index of the activation maximum.</summary>
        public const int ActivationMax = 2;

        /// <summary>int8 variant: number of parameters.</summary>
        public const int ParameterCount = 3;

        /// <summary>16x8 variant: parameter index of the input offset.</summary>
        public const int Int16InputOffset = 0;

        /// <summary>16x8 variant: parameter index of the output offset.</summary>
        public const int Int16OutputOffset = 1;

        /// <summary>16x8 variant: parameter index of the activation minimum.</summary>
        public const int Int16ActivationMin = 2;

        /// <summary>16x8 variant: parameter index of the activation maximum.</summary>
        public const int Int16ActivationMax = 3;

        /// <summary>16x8 variant: number of parameters.</summary>
        public const int Int16ParameterCount = 4;
    }
}
