using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// Reads and checks everything between the header and the constant section (docs/device-model-format.md,
    /// "What the loader checks", steps 3–7): counts, section offsets, the model's input and output lists, every
    /// tensor record (palette block headers read from the source) and every operator record. The device loader
    /// and the host's DeviceModelReader both read a model through this one reader.
    /// </summary>
    internal sealed class ModelTables
    {
        /// <summary>The tensors, records checked; constants not attached yet.</summary>
        internal Tensor[] Tensors;

        /// <summary>The operator records, operand indices checked.</summary>
        internal OperatorDefinition[] Operators;

        /// <summary>The model's input tensor indices.</summary>
        internal int[] Inputs;

        /// <summary>The model's output tensor indices.</summary>
        internal int[] Outputs;

        /// <summary>Bytes of the arena.</summary>
        internal int ArenaBytes;

        /// <summary>File offset of the constant section.</summary>
        internal int ConstantsStart;

        /// <summary>Bytes of the int8/int16 constant pool (palettes decoded or kept encoded, as asked).</summary>
        internal int PoolBytes;

        /// <summary>Number of palette-stored tensors.</summary>
        internal int PaletteCount;

        /// <summary>
        /// Bytes per stored element of each narrow int32 constant (1–3; 0: not narrow), null when none. Only while
        /// loading: kept out of Tensor, where a field costs every tensor of every model RAM on nanoCLR.
        /// </summary>
        internal int[] NarrowBytes;

        // The model's bytes before the constant section (header, edge lists, tensor and operator tables).
        private readonly byte[] _model;
        private readonly ModelSource _source;
        private readonly int _fileLength;
        private readonly int _knownFlags;
        private readonly bool _expandPalettes;
        private readonly int _version;
        private readonly byte[] _paletteHeader = new byte[ModelFormat.PaletteHeaderSize];
        private int _constantsStart;

        /// <summary>
        /// A reader of <paramref name="model"/> (at least the bytes before the constant section), whose checksum
        /// <see cref="ModelHeader.Check"/> has verified; <paramref name="expandPalettes"/>: palettes take their decoded
        /// size in the constant pool, else their block's.
        /// </summary>
        internal ModelTables(byte[] model, ModelSource source, int version, bool expandPalettes)
        {
            _model = model;
            _source = source;
            _fileLength = source.Length;
            _version = version;
            _knownFlags = version == ModelFormat.MinVersion ? ModelFormat.KnownFlagsVersion2 : ModelFormat.KnownFlags;
            _expandPalettes = expandPalettes;
        }

        /// <summary>Reads and checks the tables; the arena may be at most <paramref name="maxArenaBytes"/>.</summary>
        internal void Read(int maxArenaBytes)
        {
            byte[] m = _model;
            uint arenaBytes = (uint)LittleEndian.ReadInt32(m, ModelFormat.ArenaBytesOffset);
            int tensorCount = LittleEndian.ReadUInt16(m, ModelFormat.TensorCountOffset);
            int operatorCount = LittleEndian.ReadUInt16(m, ModelFormat.OperatorCountOffset);
            int inputCount = LittleEndian.ReadUInt16(m, ModelFormat.InputCountOffset);
            int outputCount = LittleEndian.ReadUInt16(m, ModelFormat.OutputCountOffset);
            int tensorTable = ModelHeader.SectionOffset(m, ModelFormat.TensorTableOffset, _fileLength, "tensor table");
            int operatorTable = ModelHeader.SectionOffset(m, ModelFormat.OperatorTableOffset, _fileLength, "operator table");
            _constantsStart = ModelHeader.SectionOffset(m, ModelFormat.ConstantsOffset, _fileLength, "constant section");
            ConstantsStart = _constantsStart;

            if (arenaBytes > (uint)maxArenaBytes)
            {
                throw new InvalidModelException("arena of " + arenaBytes.ToString() + " bytes exceeds the limit of " + maxArenaBytes.ToString());
            }

            if (tensorCount == 0 || tensorCount > ModelFormat.MaxTensors)
            {
                throw new InvalidModelException("tensor count " + tensorCount.ToString() + " is outside [1, " + ModelFormat.MaxTensors.ToString() + "]");
            }

            if (operatorCount > ModelFormat.MaxOperators)
            {
                throw new InvalidModelException("operator count " + operatorCount.ToString() + " is outside [0, " + ModelFormat.MaxOperators.ToString() + "]");
            }

            if (inputCount == 0 || outputCount == 0 || inputCount > tensorCount || outputCount > tensorCount)
            {
                throw new InvalidModelException("input/output counts " + inputCount.ToString() + "/" + outputCount.ToString() + " are invalid");
            }

            if (!(tensorTable <= operatorTable && operatorTable <= _constantsStart) || (_constantsStart % ModelFormat.ConstantAlignment) != 0)
            {
                throw new InvalidModelException("sections are out of order or misaligned");
            }

            int position = ModelFormat.HeaderSize;
            Inputs = ReadTensorIndices(ref position, inputCount, tensorCount, "input");
            Outputs = ReadTensorIndices(ref position, outputCount, tensorCount, "output");
            if (position != tensorTable)
            {
                throw new InvalidModelException("tensor table does not follow the input and output lists");
            }

            ReadTensors(tensorCount, ref position, (int)arenaBytes);
            ArenaBytes = (int)arenaBytes;
            if (position != operatorTable)
            {
                throw new InvalidModelException("operator table does not follow the tensor table");
            }

            Operators = new OperatorDefinition[operatorCount];
            for (int i = 0; i < operatorCount; i++)
            {
                Operators[i] = ReadOperator(i, ref position, tensorCount);
            }

            if (position > _constantsStart)
            {
                throw new InvalidModelException("operator table runs into the constant section");
            }
        }

        private void Need(int position, int count, string what)
        {
            if (count < 0 || position > _constantsStart - count)
            {
                throw new InvalidModelException(what + " runs past its section");
            }
        }

        private int[] ReadTensorIndices(ref int position, int count, int tensorCount, string what)
        {
            Need(position, count * 2, what + " list");
            int[] indices = new int[count];
            for (int i = 0; i < count; i++)
            {
                int index = LittleEndian.ReadUInt16(_model, position);
                position += 2;
                if (index >= tensorCount)
                {
                    throw new InvalidModelException(what + " " + i.ToString() + " names tensor " + index.ToString() + ", but there are " + tensorCount.ToString());
                }

                for (int j = 0; j < i; j++)
                {
                    if (indices[j] == index)
                    {
                        throw new InvalidModelException(what + " tensor " + index.ToString() + " is listed twice");
                    }
                }

                indices[i] = index;
            }

            return indices;
        }

        private void ReadTensors(int count, ref int position, int arenaBytes)
        {
            byte[] m = _model;
            int constantsLength = _fileLength - _constantsStart;
            int poolBytes = 0;
            Tensors = new Tensor[count];
            for (int i = 0; i < count; i++)
            {
                string name = "tensor " + i.ToString();
                Need(position, ModelFormat.TensorRecordFixedSize, name);
                Tensor t = new Tensor();
                int type = m[position + TensorRecordLayout.Type];
                int rank = m[position + TensorRecordLayout.Rank];
                int storage = m[position + TensorRecordLayout.Storage];
                t.flags = m[position + TensorRecordLayout.Flags];
                t.zeroPoint = LittleEndian.ReadInt32(m, position + TensorRecordLayout.ZeroPoint);
                int scaleBits = LittleEndian.ReadInt32(m, position + TensorRecordLayout.Scale);
                int dataOffset = LittleEndian.ReadInt32(m, position + TensorRecordLayout.DataOffset);
                int byteLength = LittleEndian.ReadInt32(m, position + TensorRecordLayout.ByteLength);
                position += ModelFormat.TensorRecordFixedSize;

                int elementSize = ModelFormat.ElementSize((TensorType)type);
                if (elementSize == 0)
                {
                    throw new InvalidModelException(name + ": unknown type " + type.ToString());
                }

                if (storage != (int)TensorStorage.Arena && storage != (int)TensorStorage.Constant && storage != (int)TensorStorage.Palette
                    && storage != (int)TensorStorage.Narrow && storage != (int)TensorStorage.Derived)
                {
                    throw new InvalidModelException(name + ": unknown storage " + storage.ToString());
                }

                // A narrow int32 constant (1–3 bytes an element) is widened at load; a derived one (a folded
                // bias) has no bytes and is computed by its operator's kernel.
                bool isNarrow = storage == (int)TensorStorage.Narrow;
                if (isNarrow || storage == (int)TensorStorage.Derived)
                {
                    if (_knownFlags == ModelFormat.KnownFlagsVersion2)
                    {
                        throw new InvalidModelException(name + ": storage " + storage.ToString() + " needs format version 3");
                    }

                    if (type != (int)TensorType.Int32)
                    {
                        throw new InvalidModelException(name + ": only int32 constants can be stored narrow or derived");
                    }

                    if (isNarrow)
                    {
                        storage = (int)TensorStorage.Constant;
                    }
                }

                // A palette is an int8 constant whose stored bytes are a palette block; once checked it is a constant like any other.
                bool isPalette = storage == (int)TensorStorage.Palette;
                if (isPalette)
                {
                    storage = (int)TensorStorage.Constant;
                    if (type != (int)TensorType.Int8)
                    {
                        throw new InvalidModelException(name + ": only int8 constants can be stored as a palette");
                    }
                }

                if (rank > ModelFormat.MaxRank)
                {
                    throw new InvalidModelException(name + ": rank " + rank.ToString() + " exceeds " + ModelFormat.MaxRank.ToString());
                }

                if ((t.flags & ~_knownFlags) != 0)
                {
                    throw new InvalidModelException(name + ": unknown flags " + t.flags.ToString());
                }

                int edgeFlags = ModelFormat.FlagFloatInput | ModelFormat.FlagFloatOutput | ModelFormat.FlagUInt8Input | ModelFormat.FlagUInt8Output;
                if ((t.flags & (ModelFormat.FlagUInt8Input | ModelFormat.FlagUInt8Output)) != 0
                    && ((t.flags & (ModelFormat.FlagFloatInput | ModelFormat.FlagFloatOutput)) != 0 || type != (int)TensorType.Int8))
                {
                    throw new InvalidModelException(name + ": a uint8 edge must be an int8 tensor and not also a float edge");
                }

                t.type = (TensorType)type;
                t.storage = (TensorStorage)storage;
                t.scale = ScaleFromBits(scaleBits, name);
                if (t.type == TensorType.Int8 && (t.zeroPoint < -128 || t.zeroPoint > 127))
                {
                    throw new InvalidModelException(name + ": zero point " + t.zeroPoint.ToString() + " is outside int8");
                }

                if (t.type == TensorType.Int16 && (t.zeroPoint < -32768 || t.zeroPoint > 32767))
                {
                    throw new InvalidModelException(name + ": zero point " + t.zeroPoint.ToString() + " is outside int16");
                }

                Need(position, rank * 4, name + " shape");
                t.shape = new int[rank];
                long elements = 1;
                for (int d = 0; d < rank; d++)
                {
                    int dim = LittleEndian.ReadInt32(m, position);
                    position += 4;
                    if (dim < 1 || dim > 0x1000000)
                    {
                        throw new InvalidModelException(name + ": dimension " + d.ToString() + " is " + dim.ToString());
                    }

                    t.shape[d] = dim;
                    elements *= dim;
                    if (elements > 0x10000000)
                    {
                        throw new InvalidModelException(name + ": too many elements");
                    }
                }

                t.elementCount = (int)elements;
                t.byteLength = (int)elements * elementSize;
                if (isNarrow)
                {
                    int width = byteLength == t.elementCount ? 1 : byteLength == 2 * t.elementCount ? 2 : byteLength == 3 * t.elementCount ? 3 : 0;
                    if (width == 0)
                    {
                        throw new InvalidModelException(name + ": narrow byte length " + byteLength.ToString() + " is not 1, 2 or 3 bytes for each of " + t.elementCount.ToString() + " elements");
                    }

                    if (NarrowBytes == null)
                    {
                        NarrowBytes = new int[count];
                    }

                    NarrowBytes[i] = width;
                }
                else if (t.storage == TensorStorage.Derived)
                {
                    if (byteLength != 0 || dataOffset != 0 || t.flags != 0)
                    {
                        throw new InvalidModelException(name + ": a derived tensor has no data (byte length and offset 0) and no flags");
                    }
                }
                else if (!isPalette && byteLength != t.byteLength)
                {
                    throw new InvalidModelException(name + ": byte length " + byteLength.ToString() + " does not match its shape (" + t.byteLength.ToString() + ")");
                }

                if (t.storage == TensorStorage.Arena)
                {
                    if (t.type != TensorType.Int8 && t.type != TensorType.Int16)
                    {
                        throw new InvalidModelException(name + ": arena tensors must be int8 or int16");
                    }

                    if (dataOffset < 0 || dataOffset > arenaBytes - byteLength)
                    {
                        throw new InvalidModelException(name + ": arena range [" + dataOffset.ToString() + ", +" + byteLength.ToString() + ") is outside the " + arenaBytes.ToString() + "-byte arena");
                    }

                    if ((t.flags & ModelFormat.FlagVariable) != 0 && (t.flags & edgeFlags) != 0)
                    {
                        throw new InvalidModelException(name + ": a variable tensor cannot be a model edge");
                    }

                    if ((t.flags & ModelFormat.FlagVariable) != 0 && t.type == TensorType.Int16 && t.zeroPoint != 0)
                    {
                        throw new InvalidModelException(name + ": an int16 variable tensor must have zero point 0 (it resets to 0)");
                    }

                    t.offset = dataOffset;
                }
                else if (t.storage == TensorStorage.Derived)
                {
                    // Computed by the kernel that reads it (checked above: no bytes, no flags).
                }
                else
                {
                    if (t.flags != 0)
                    {
                        throw new InvalidModelException(name + ": a constant cannot be a model edge");
                    }

                    if (dataOffset < 0 || dataOffset > constantsLength - byteLength || (dataOffset % ModelFormat.ConstantAlignment) != 0)
                    {
                        throw new InvalidModelException(name + ": constant range [" + dataOffset.ToString() + ", +" + byteLength.ToString() + ") is outside the constant section or misaligned");
                    }

                    t.fileOffset = _constantsStart + dataOffset;
                    if (isPalette)
                    {
                        t.palette = ReadPalette(t, byteLength, name);
                        PaletteCount++;
                        if (_expandPalettes)
                        {
                            t.offset = poolBytes;
                            poolBytes += t.byteLength;
                        }
                        else
                        {
                            t.palette.BlockOffset = poolBytes;
                            poolBytes += byteLength;
                        }
                    }
                    else if (t.type == TensorType.Int8 || t.type == TensorType.Int16)
                    {
                        t.offset = poolBytes;
                        poolBytes += byteLength;
                    }
                }

                Tensors[i] = t;
            }

            PoolBytes = poolBytes;
        }

        /// <summary>
        /// Checks a palette block's header (read from the source: the block lies in the constant section)
        /// against the tensor's shape and the block's length: index bits 1 … 7, a channel axis inside the
        /// rank (or one table for the tensor), reserved bytes zero, and a length of exactly header +
        /// tables + packed indices. Indices need no check: a k-bit index cannot leave a 2^k-entry table.
        /// </summary>
        private Palette ReadPalette(Tensor t, int blockBytes, string name)
        {
            if (blockBytes < ModelFormat.PaletteHeaderSize)
            {
                throw new InvalidModelException(name + ": palette block of " + blockBytes.ToString() + " bytes is shorter than its header");
            }

            byte[] header = _paletteHeader;
            _source.ReadBytes(t.fileOffset, header, 0, ModelFormat.PaletteHeaderSize);
            int bits = header[0];
            int axis = header[1];
            if (bits < ModelFormat.PaletteMinBits || bits > ModelFormat.PaletteMaxBits)
            {
                throw new InvalidModelException(name + ": palette index width " + bits.ToString() + " bits is outside [" + ModelFormat.PaletteMinBits.ToString() + ", " + ModelFormat.PaletteMaxBits.ToString() + "]");
            }

            int flags = header[ModelFormat.PaletteFlagsOffset];
            if ((flags & ~ModelFormat.PaletteZeroFlags) != 0)
            {
                throw new InvalidModelException(name + ": unknown palette flags " + flags.ToString());
            }

            if (header[3] != 0)
            {
                throw new InvalidModelException(name + ": palette header has non-zero reserved bytes");
            }

            bool zeroFlags = flags == ModelFormat.PaletteZeroFlags;
            if (zeroFlags && _version < ModelFormat.SparsePaletteVersion)
            {
                throw new InvalidModelException(name + ": a palette with flagged zeros needs format version " + ModelFormat.SparsePaletteVersion.ToString() + ", the model is version " + _version.ToString());
            }

            Palette p = new Palette();
            p.Bits = bits;
            p.ZeroFlags = zeroFlags;
            if (axis == ModelFormat.PalettePerTensor)
            {
                p.Channels = 1;
                p.Inner = t.elementCount;
            }
            else
            {
                if (axis >= t.shape.Length)
                {
                    throw new InvalidModelException(name + ": palette channel axis " + axis.ToString() + " is outside rank " + t.shape.Length.ToString());
                }

                p.Channels = t.shape[axis];
                int inner = 1;
                for (int d = axis + 1; d < t.shape.Length; d++)
                {
                    inner *= t.shape[d];
                }

                p.Inner = inner;
            }

            if (zeroFlags)
            {
                // From one bit per element (all zero) to 1 + bits per element (none zero): the stream's length depends
                // on how many are zero. Decoding stops reading at the block's end whatever the flags say.
                long fewest = Palette.StreamBlockLength(bits, p.Channels, t.elementCount);
                long most = Palette.StreamBlockLength(bits, p.Channels, (long)t.elementCount * (bits + 1));
                if (blockBytes < fewest || blockBytes > most)
                {
                    throw new InvalidModelException(name + ": palette block with flagged zeros is " + blockBytes.ToString() + " bytes; " + bits.ToString() + "-bit indices and " + p.Channels.ToString() + " tables need " + fewest.ToString() + " to " + most.ToString());
                }
            }
            else
            {
                long expected = Palette.BlockLength(bits, p.Channels, t.elementCount);
                if (expected != blockBytes)
                {
                    throw new InvalidModelException(name + ": palette block is " + blockBytes.ToString() + " bytes; " + bits.ToString() + "-bit indices and " + p.Channels.ToString() + " tables need " + expected.ToString());
                }
            }

            p.BlockBytes = blockBytes;
            p.TableBytes = p.Channels << bits;
            p.IndexBytes = blockBytes - ModelFormat.PaletteHeaderSize - p.TableBytes;
            return p;
        }

        private static float ScaleFromBits(int bits, string name)
        {
            int exponent = (bits >> 23) & 0xFF;
            if (exponent == 0xFF || bits < 0)
            {
                throw new InvalidModelException(name + ": scale is negative, infinite or NaN");
            }

            return System.BitConverter.ToSingle(System.BitConverter.GetBytes(bits), 0);
        }

        private OperatorDefinition ReadOperator(int index, ref int position, int tensorCount)
        {
            byte[] m = _model;
            string name = "operator " + index.ToString();
            Need(position, ModelFormat.OperatorRecordFixedSize, name);
            int type = m[position + OperatorRecordLayout.Type];
            int inputCount = m[position + OperatorRecordLayout.InputCount];
            int outputCount = m[position + OperatorRecordLayout.OutputCount];
            int parameterCount = m[position + OperatorRecordLayout.ParameterCount];
            position += ModelFormat.OperatorRecordFixedSize;
            Need(position, (inputCount + outputCount) * 2 + parameterCount * 4, name + " operands");

            int[] inputs = new int[inputCount];
            for (int i = 0; i < inputCount; i++)
            {
                int t = LittleEndian.ReadUInt16(m, position);
                position += 2;
                if (t >= tensorCount && t != ModelFormat.NoTensor)
                {
                    throw new InvalidModelException(name + ": input " + i.ToString() + " names tensor " + t.ToString() + ", but there are " + tensorCount.ToString());
                }

                inputs[i] = t;
            }

            int[] outputs = new int[outputCount];
            for (int i = 0; i < outputCount; i++)
            {
                int t = LittleEndian.ReadUInt16(m, position);
                position += 2;
                if (t >= tensorCount)
                {
                    throw new InvalidModelException(name + ": output " + i.ToString() + " names tensor " + t.ToString() + ", but there are " + tensorCount.ToString());
                }

                outputs[i] = t;
            }

            int[] parameters = new int[parameterCount];
            for (int i = 0; i < parameterCount; i++)
            {
                parameters[i] = LittleEndian.ReadInt32(m, position);
                position += 4;
            }

            return new OperatorDefinition(index, (OperatorType)type, inputs, outputs, parameters);
        }
    }
}
