namespace NanoQuant.Format
{
    /// <summary>
    /// Parameters of REQUANTIZE (<see cref="OperatorType.Requantize"/>: TFLite's QUANTIZE between integer
    /// types, int8 and int16 either way): out = clamp(MultiplyByQuantizedMultiplier(x − input zp, multiplier,
    /// shift) + output zp). One input (slot 0), one output.
    /// </summary>
    public static class RequantizeLayout
    {
        /// <summary>Input zero point.</summary>
        public const int InputZeroPoint = 0;

        /// <summary>Output zero point.</summary>
        public const int OutputZeroPoint = 1;

        /// <summary>Multiplier (input scale / output scale, ≥ 0).</summary>
        public const int Multiplier = 2;

        /// <summary>Shift.</summary>
        public const int Shift = 3;

        /// <summary>Number of parameters.</summary>
        public const int ParameterCount = 4;
    }
}
