namespace NanoQuant.Format
{
    /// <summary>
    /// Byte offsets of the fields of an operator record in the device model's operator table
    /// (docs/device-model-format.md, "Operator record").
    /// </summary>
    public static class OperatorRecordLayout
    {
        /// <summary>Operator type (<see cref="OperatorType"/>), 1 byte.</summary>
        public const int Type = 0;

        /// <summary>Input count, 1 byte.</summary>
        public const int InputCount = 1;

        /// <summary>Output count, 1 byte.</summary>
        public const int OutputCount = 2;

        /// <summary>Parameter count, 1 byte.</summary>
        public const int ParameterCount = 3;

        /// <summary>Input tensor indices (uint16 each), then output indices (uint16), then parameters (int32); also the size of the fixed part.</summary>
        public const int Operands = 4;
    }
}
