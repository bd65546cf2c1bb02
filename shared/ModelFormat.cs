namespace NanoQuant.Format
{
    /// <summary>
    /// Byte-level constants of the nanoQuant device model (<c>.nq</c>), format version 4.
    /// The layout is documented in docs/device-model-format.md; the host writer and the device
    /// loader both take every number from here.
    /// </summary>
    public static class ModelFormat
    {
        /// <summary>The four bytes every device model starts with: ASCII "NQMD".</summary>
        public const uint Magic = 0x444D514E;

        /// <summary>The newest format version this runtime reads (and writes when a model needs it: <see cref="SparsePaletteVersion"/>).</summary>
        public const ushort Version = 4;

        /// <summary>The format version that adds the uint8 edge flags and the narrow and derived int32 storages.</summary>
        public const ushort CompactVersion = 3;

        /// <summary>The format version that adds palettes with flagged zeros (<see cref="PaletteZeroFlags"/>); a model without one is written as an older version.</summary>
        public const ushort SparsePaletteVersion = 4;

        /// <summary>
        /// The oldest format version this runtime reads. Version 3 only adds the uint8 edge flags and the narrow and
        /// derived int32 storages, so the host writes a model without them as version 2, which runtimes of version 2 still load.
        /// </summary>
        public const ushort MinVersion = 2;

        /// <summary>Size of the fixed header in bytes.</summary>
        public const int HeaderSize = 40;

        /// <summary>The checksum covers every byte from this offset to the end of the file.</summary>
        public const int ChecksumStart = 16;

        /// <summary>Offset of the file length field (uint32).</summary>
        public const int FileLengthOffset = 8;

        /// <summary>Offset of the CRC-32 field (uint32).</summary>
        public const int ChecksumOffset = 12;

        /// <summary>Offset of the arena size field (uint32).</summary>
        public const int ArenaBytesOffset = 16;

        /// <summary>Offset of the tensor count (uint16).</summary>
        public const int TensorCountOffset = 20;

        /// <summary>Offset of the operator count (uint16).</summary>
        public const int OperatorCountOffset = 22;

        /// <summary>Offset of the model input count (uint16).</summary>
        public const int InputCountOffset = 24;

        /// <summary>Offset of the model output count (uint16).</summary>
        public const int OutputCountOffset = 26;

        /// <summary>Offset of the field holding the tensor table's file offset (uint32).</summary>
        public const int TensorTableOffset = 28;

        /// <summary>Offset of the field holding the operator table's file offset (uint32).</summary>
        public const int OperatorTableOffset = 32;

        /// <summary>Offset of the field holding the constant section's file offset (uint32).</summary>
        public const int ConstantsOffset = 36;

        /// <summary>Highest tensor rank a device model may use.</summary>
        public const int MaxRank = 6;

        /// <summary>Most tensors a device model may declare.</summary>
        public const int MaxTensors = 4096;

        /// <summary>Most operators a device model may declare.</summary>
        public const int MaxOperators = 4096;

        /// <summary>Most inputs, outputs or parameters one operator may declare.</summary>
        public const int MaxOperands = 255;

        /// <summary>Tensor index meaning "no tensor" in an operator's input list (an absent optional input).</summary>
        public const int NoTensor = 0xFFFF;

        /// <summary>Size in bytes of a tensor record without its dimensions.</summary>
        public const int TensorRecordFixedSize = TensorRecordLayout.Dimensions;

        /// <summary>Size in bytes of an operator record without its operand lists.</summary>
        public const int OperatorRecordFixedSize = OperatorRecordLayout.Operands;

        /// <summary>Constant data is aligned to this many bytes inside the constant section.</summary>
        public const int ConstantAlignment = 4;

        /// <summary>Tensor flag: the source model took float32 here and quantized it; the host quantizes float input into this tensor.</summary>
        public const int FlagFloatInput = 1;

        /// <summary>Tensor flag: the source model dequantized this tensor to a float32 output; the host dequantizes it.</summary>
        public const int FlagFloatOutput = 2;

        /// <summary>
        /// Tensor flag: a variable (state) arena tensor, such as an LSTM's hidden and cell state. It is
        /// alive for the model's lifetime, starts at its reset value (int8: its zero point; int16: 0),
        /// keeps its value across Invoke calls and is updated in place by the operator that reads it.
        /// </summary>
        public const int FlagVariable = 4;

        /// <summary>
        /// Tensor flag (version 3): the model takes uint8 here (TFLite's <c>inference_input_type=tf.uint8</c>) with
        /// this int8 tensor's scale and zero point + 128; the uint8 → int8 QUANTIZE is a flip of the top bit
        /// (u − 128 = u XOR 0x80), as TFLM computes it (the device Tensor: CopyFromUInt8, CopyToUInt8).
        /// </summary>
        public const int FlagUInt8Input = 8;

        /// <summary>Tensor flag (version 3): the model gives uint8 here (zero point + 128, same scale): the int8 → uint8 QUANTIZE, a flip of the top bit.</summary>
        public const int FlagUInt8Output = 16;

        /// <summary>The flags a version-2 model may carry.</summary>
        public const int KnownFlagsVersion2 = FlagFloatInput | FlagFloatOutput | FlagVariable;

        /// <summary>Every flag this version defines.</summary>
        public const int KnownFlags = KnownFlagsVersion2 | FlagUInt8Input | FlagUInt8Output;

        /// <summary>Bytes per element of <paramref name="type"/>; 0 for a type this version does not define.</summary>
        public static int ElementSize(TensorType type)
        {
            switch (type)
            {
                case TensorType.Int8:
                    return 1;
                case TensorType.Int16:
                    return 2;
                case TensorType.Int32:
                    return 4;
                case TensorType.Int64:
                    return 8;
                default:
                    return 0;
            }
        }

        /// <summary>Size in bytes of a palette block's header (index bits, channel axis, <see cref="PaletteFlagsOffset"/>, one reserved byte).</summary>
        public const int PaletteHeaderSize = 4;

        /// <summary>Fewest bits a palette index may have.</summary>
        public const int PaletteMinBits = 1;

        /// <summary>Most bits a palette index may have (an 8-bit palette would be no smaller than int8).</summary>
        public const int PaletteMaxBits = 7;

        /// <summary>Channel axis value of a palette block with one value table for the whole tensor.</summary>
        public const int PalettePerTensor = 0xFF;

        /// <summary>Offset in a palette block's header of its flags byte (0 before format version 4).</summary>
        public const int PaletteFlagsOffset = 2;

        /// <summary>
        /// Palette flag (format version 4): the elements are a bit stream, least significant bit first, of one bit per
        /// element — 0: the element is 0; 1: its index follows, in the palette's index width — so a pruned weight costs
        /// one bit. The tables hold the non-zero values only.
        /// </summary>
        public const int PaletteZeroFlags = 1;

        /// <summary>Widest element, in bytes, of a narrow int32 constant (storage <see cref="TensorStorage.Narrow"/>).</summary>
        public const int NarrowMaxBytes = 3;
    }
}
