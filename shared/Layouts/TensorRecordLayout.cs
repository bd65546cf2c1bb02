namespace NanoQuant.Format
{
    /// <summary>
    /// Byte offsets of the fields of a tensor record in the device model's tensor table
    /// (docs/device-model-format.md, "Tensor record"); the writer, the device loader and the host reader use these.
    /// </summary>
    public static class TensorRecordLayout
    {
        /// <summary>Element type (<see cref="TensorType"/>), 1 byte.</summary>
        public const int Type = 0;

        /// <summary>Rank, 1 byte.</summary>
        public const int Rank = 1;

        /// <summary>Storage (<see cref="TensorStorage"/>), 1 byte.</summary>
        public const int Storage = 2;

        /// <summary>Flags (ModelFormat.Flag*), 1 byte.</summary>
        public const int Flags = 3;

        /// <summary>Zero point, int32.</summary>
        public const int ZeroPoint = 4;

        /// <summary>Scale, IEEE-754 float32 bits.</summary>
        public const int Scale = 8;

        /// <summary>Data offset (arena, or from the start of the constant section), int32.</summary>
        public const int DataOffset = 12;

        /// <summary>Byte length, int32.</summary>
        public const int ByteLength = 16;

        /// <summary>First of rank int32 dimensions; also the size of the fixed part of the record.</summary>
        public const int Dimensions = 20;
    }
}
