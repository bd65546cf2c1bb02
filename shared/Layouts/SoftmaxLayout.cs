namespace NanoQuant.Format
{
    /// <summary>
    /// Operands and parameters of SOFTMAX (<see cref="OperatorType.Softmax"/>). int8: TFLite's
    /// PreprocessSoftmaxScaling(beta, input scale, 5) and −CalculateInputRadius; 16x8: the input rescaling
    /// and the two 513-entry tables TFLM's int16 softmax interpolates.
    /// </summary>
    public static class SoftmaxLayout
    {
        /// <summary>Input slot of the logits (int8 or int16).</summary>
        public const int InputSlot = 0;

        /// <summary>Number of inputs (int8).</summary>
        public const int InputCount = 1;

        /// <summary>16x8: input slot of the exp table (int32 constant, 513 entries).</summary>
        public const int Int16ExpTableSlot = 1;

        /// <summary>16x8: input slot of the 1/(1+x) table (int32 constant, 513 entries).</summary>
        public const int Int16ReciprocalTableSlot = 2;

        /// <summary>16x8: number of inputs.</summary>
        public const int Int16InputCount = 3;

        /// <summary>int8: input multiplier (β × input scale × 2^26 as a multiplier above one).</summary>
        public const int InputMultiplier = 0;

        /// <summary>int8: input left shift, in [0, 31].</summary>
        public const int InputLeftShift = 1;

        /// <summary>int8: diff_min (≤ 0): differences from the row's maximum below it count as zero.</summary>
        public const int DiffMin = 2;

        /// <summary>int8: number of parameters.</summary>
        public const int ParameterCount = 3;

        /// <summary>16x8: input multiplier (≥ 0).</summary>
        public const int Int16InputMultiplier = 0;

        /// <summary>16x8: input shift, in [−31, 30].</summary>
        public const int Int16InputShift = 1;

        /// <summary>16x8: number of parameters.</summary>
        public const int Int16ParameterCount = 2;
    }
}
