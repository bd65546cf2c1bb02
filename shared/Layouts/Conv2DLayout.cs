namespace NanoQuant.Format
{
    /// <summary>
    /// Operands and parameters of CONV_2D (<see cref="OperatorType.Conv2D"/>): input slots of the int8 and the
    /// 16x8 variant; the parameters are the window (<see cref="ConvWindowLayout"/>).
    /// </summary>
    public static class Conv2DLayout
    {
        /// <summary>Input slot of the activation input [batches, height, width, channels].</summary>
        public const int InputSlot = 0;

        /// <summary>Input slot of the int8 filter [out channels, kernel height, kernel width, channels per group].</summary>
        public const int FilterSlot = 1;

        /// <summary>Input slot of the bias [out channels] (int32; int64 and optional in the 16x8 variant).</summary>
        public const int BiasSlot = 2;

        /// <summary>int8 variant: input slot of the folded bias, bias + input offset × Σ filter row (stored or derived).</summary>
        public const int FoldedBiasSlot = 3;

        /// <summary>int8 variant: input slot of the per-channel multipliers.</summary>
        public const int MultipliersSlot = 4;

        /// <summary>int8 variant: input slot of the per-channel shifts.</summary>
        public const int ShiftsSlot = 5;

        /// <summary>int8 variant: number of inputs.</summary>
        public const int InputCount = 6;

        /// <summary>16x8 variant (no folded bias): input slot of the multipliers.</summary>
        public const int Int16MultipliersSlot = 3;

        /// <summary>16x8 variant: input slot of the shifts.</summary>
        public const int Int16ShiftsSlot = 4;

        /// <summary>16x8 variant: number of inputs.</summary>
        public const int Int16InputCount = 5;

        /// <summary>Parameter index of the first of the window's parameters (<see cref="ConvWindowLayout"/>), which are all of CONV_2D's.</summary>
        public const int ConvWindowParameters = 0;

        /// <summary>Number of parameters: the window's.</summary>
        public const int ParameterCount = ConvWindowLayout.Count;
    }
}
