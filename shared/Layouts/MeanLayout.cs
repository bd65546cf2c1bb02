namespace NanoQuant.Format
{
    /// <summary>
    /// Parameters of MEAN (<see cref="OperatorType.Mean"/>), int8 and int16: TFLM's QuantizedMeanOrSum, an
    /// int32 sum per output requantized once with 1/n folded into the multiplier. One input (slot 0), one output.
    /// </summary>
    public static class MeanLayout
    {
        /// <summary>Input zero point.</summary>
        public const int InputZeroPoint = 0;

        /// <summary>Output zero point.</summary>
        public const int OutputZeroPoint = 1;

        /// <summary>Multiplier (input scale / output scale with 1/n folded in, ≥ 0).</summary>
        public const int Multiplier = 2;

        /// <summary>Shift.</summary>
        public const int Shift = 3;

        /// <summary>Bit d set when input dimension d is reduced.</summary>
        public const int AxesMask = 4;

        /// <summary>Number of parameters.</summary>
        public const int ParameterCount = 5;
    }
}
