using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// Reads and checks a device model completely: header, checksum, every table entry, every
    /// offset and length, every operator through its kernel's constructor, and the memory plan.
    /// Nothing in the model is trusted before the check that covers it.
    /// </summary>
    internal sealed class ModelLoader
    {
        internal Tensor[] Tensors;
        internal Kernel[] Kernels;
        internal OperatorDefinition[] Operators;
        internal int[] Inputs;
        internal int[] Outputs;
        /// <summary>The arena: one array, or several when it exceeds the largest array allowed (see <see cref="ArenaSegments"/>).</summary>
        internal sbyte[][] ArenaArrays;

        /// <summary>Bytes of the arena (all its arrays).</summary>
        internal int ArenaBytes;
        internal sbyte[] ConstantPool;

        /// <summary>
        /// Stages each operator's int8 constants before it runs: all of them in streaming mode, palette-stored
        /// ones (decoded) in either mode; null when nothing needs staging.
        /// </summary>
        internal WeightStreamer Streamer;

        /// <summary>True in streaming mode (int8 constants are read from storage during Invoke).</summary>
        internal bool StreamsWeights
        {
            get { return _streamWeights; }
        }

        /// <summary>Bytes of the model file.</summary>
        internal int FileLength;

        /// <summary>Bytes of int32 and int64 constants in RAM (copied, widened from narrow storage, or derived by their kernel).</summary>
        internal int Int32ConstantBytes;

        private readonly ModelSource _source;
        private readonly bool _streamWeights;
        private int _knownFlags = ModelFormat.KnownFlags;

        // Palette weights decoded once into the constant pool at load (in RAM), rather than per operator.
        private bool _expandPalettes = true;
        private int _maxArrayBytes = int.MaxValue;

        // The model's bytes before the constant section (header, edge lists, tensor and operator tables):
        // the whole model array for an in-RAM model, a copy of that prefix for a streamed one.
        private byte[] _model;
        private int _constantsStart;

        private ModelLoader(ModelSource source, bool streamWeights)
        {
            _source = source;
            _streamWeights = streamWeights;
        }

        /// <summary>Loads <paramref name="model"/>; the arena may be at most <paramref name="maxArenaBytes"/>.</summary>
        internal static ModelLoader Load(byte[] model, int maxArenaBytes)
        {
            return Load(model, maxArenaBytes, int.MaxValue);
        }

        /// <summary>
        /// Loads <paramref name="model"/>; the arena may be at most <paramref name="maxArenaBytes"/> and no array
        /// the loader allocates may exceed <paramref name="maxArrayBytes"/> (a larger arena is split).
        /// </summary>
        internal static ModelLoader Load(byte[] model, int maxArenaBytes, int maxArrayBytes)
        {
            if (model == null)
            {
                throw new InvalidModelException("model is null");
            }

            ModelLoader loader = new ModelLoader(new ArrayModelSource(model), false);
            loader._maxArrayBytes = maxArrayBytes;
            loader._model = model;
            loader.Read(maxArenaBytes);
            return loader;
        }

        /// <summary>
        /// Loads a model from a seekable stream: the checksum is verified by streaming the whole file
        /// through a small buffer before any other field is trusted, then the tables are read; constants
        /// are copied to RAM or, with <paramref name="mode"/> = StreamWeights, int8 constants stay on storage.
        /// </summary>
        internal static ModelLoader Load(System.IO.Stream stream, ModelLoadMode mode, int maxArenaBytes)
        {
            return Load(stream, mode, maxArenaBytes, int.MaxValue);
        }

        /// <summary>As <see cref="Load(System.IO.Stream, ModelLoadMode, int)"/>, with no array larger than <paramref name="maxArrayBytes"/>.</summary>
        internal static ModelLoader Load(System.IO.Stream stream, ModelLoadMode mode, int maxArenaBytes, int maxArrayBytes)
        {
            StreamModelSource source = new StreamModelSource(stream);
            if (mode != ModelLoadMode.CopyToRam && mode != ModelLoadMode.StreamWeights && mode != ModelLoadMode.CompactPalettes)
            {
                throw new System.ArgumentOutOfRangeException("mode");
            }

            ModelLoader loader = new ModelLoader(source, mode == ModelLoadMode.StreamWeights);
            loader._expandPalettes = mode == ModelLoadMode.CopyToRam;
            loader._maxArrayBytes = maxArrayBytes;
            int length = source.Length;
            if (length < ModelFormat.HeaderSize)
            {
                throw new InvalidModelException("model is " + length.ToString() + " bytes, shorter than the " + ModelFormat.HeaderSize.ToString() + "-byte header");
            }

            byte[] header = new byte[ModelFormat.HeaderSize];
            source.ReadBytes(0, header, 0, header.Length);
            loader._model = header;
            loader.CheckHeaderAndChecksum();

            // Checksum verified: the constant section's offset may now be trusted (after its range check)
            // and the tables before it are read into RAM.
            int constantsStart = loader.ReadSectionOffset(ModelFormat.ConstantsOffset, "constant section");
            byte[] tables = new byte[constantsStart];
            source.ReadBytes(0, tables, 0, constantsStart);
            loader._model = tables;
            loader.ReadTables(maxArenaBytes);
            return loader;
        }

        private void Read(int maxArenaBytes)
        {
            if (_source.Length < ModelFormat.HeaderSize)
            {
                throw new InvalidModelException("model is " + _source.Length.ToString() + " bytes, shorter than the " + ModelFormat.HeaderSize.ToString() + "-byte header");
            }

            CheckHeaderAndChecksum();
            ReadTables(maxArenaBytes);
        }

        /// <summary>Magic, version, header size, file length and the CRC over the whole file (read from the source).</summary>
        private void CheckHeaderAndChecksum()
        {
            byte[] m = _model;
            int modelLength = _source.Length;

            if ((uint)LittleEndian.ReadInt32(m, 0) != ModelFormat.Magic)
            {
                throw new InvalidModelException("not a nanoQuant device model (bad magic)");
            }

            int version = LittleEndian.ReadUInt16(m, 4);
            if (version < ModelFormat.MinVersion || version > ModelFormat.Version)
            {
                throw new InvalidModelException("format version " + version.ToString() + " is not supported (this runtime reads versions " + ModelFormat.MinVersion.ToString() + " to " + ModelFormat.Version.ToString() + ")");
            }

            _knownFlags = version == ModelFormat.MinVersion ? ModelFormat.KnownFlagsVersion2 : ModelFormat.KnownFlags;

            if (LittleEndian.ReadUInt16(m, 6) != ModelFormat.HeaderSize)
            {
                throw new InvalidModelException("header size field is wrong");
            }

            uint fileLength = (uint)LittleEndian.ReadInt32(m, ModelFormat.FileLengthOffset);
            if (fileLength != (uint)modelLength)
            {
                throw new InvalidModelException("model declares " + fileLength.ToString() + " bytes but has " + modelLength.ToString() + " (truncated or extended)");
            }

            uint storedCrc = (uint)LittleEndian.ReadInt32(m, ModelFormat.ChecksumOffset);
            uint crc = _source.Crc(ModelFormat.ChecksumStart);
            if (crc != storedCrc)
            {
                throw new InvalidModelException("checksum mismatch: the model is corrupted");
            }

            FileLength = modelLength;
        }

        /// <summary>Everything after the checksum: the tables, the memory plan, the constants and the kernels.</summary>
        private void ReadTables(int maxArenaBytes)
        {
            byte[] m = _model;
            uint arenaBytes = (uint)LittleEndian.ReadInt32(m, ModelFormat.ArenaBytesOffset);
            int tensorCount = LittleEndian.ReadUInt16(m, ModelFormat.TensorCountOffset);
            int operatorCount = LittleEndian.ReadUInt16(m, ModelFormat.OperatorCountOffset);
            int inputCount = LittleEndian.ReadUInt16(m, ModelFormat.InputCountOffset);
            int outputCount = LittleEndian.ReadUInt16(m, ModelFormat.OutputCountOffset);
            int tensorTable = ReadSectionOffset(ModelFormat.TensorTableOffset, "tensor table");
            int operatorTable = ReadSectionOffset(ModelFormat.OperatorTableOffset, "operator table");
            _constantsStart = ReadSectionOffset(ModelFormat.ConstantsOffset, "constant section");

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

            PlanValidator.Validate(Tensors, Operators, Inputs, Outputs);

            ArenaBytes = (int)arenaBytes;
            ArenaArrays = ArenaSegments.Attach(Tensors, ArenaBytes, _maxArrayBytes);
            AttachData();

            Kernels = new Kernel[operatorCount];
            for (int i = 0; i < operatorCount; i++)
            {
                if (Streamer != null)
                {
                    // A kernel's constructor sees its weights, in either mode.
                    Streamer.Stage(i);
                }

                Kernels[i] = KernelFactory.Create(Operators[i], Tensors);
            }
        }

        private int ReadSectionOffset(int field, string name)
        {
            uint value = (uint)LittleEndian.ReadInt32(_model, field);
            if (value < ModelFormat.HeaderSize || value > (uint)FileLength)
            {
                throw new InvalidModelException(name + " offset " + value.ToString() + " is outside the model");
            }

            return (int)value;
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
            int constantsLength = FileLength - _constantsStart;
            int poolBytes = 0;
            Tensors = new Tensor[count];
            for (int i = 0; i < count; i++)
            {
                string name = "tensor " + i.ToString();
                Need(position, ModelFormat.TensorRecordFixedSize, name);
                Tensor t = new Tensor();
                int type = m[position];
                int rank = m[position + 1];
                int storage = m[position + 2];
                t.flags = m[position + 3];
                t.zeroPoint = LittleEndian.ReadInt32(m, position + 4);
                int scaleBits = LittleEndian.ReadInt32(m, position + 8);
                int dataOffset = LittleEndian.ReadInt32(m, position + 12);
                int byteLength = LittleEndian.ReadInt32(m, position + 16);
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

                    if (_narrowBytes == null)
                    {
                        _narrowBytes = new int[count];
                    }

                    _narrowBytes[i] = width;
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
                        _paletteCount++;
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

            _poolBytes = poolBytes;
        }

        private int _poolBytes;
        private int _paletteCount;

        // Bytes per stored element of each narrow int32 constant (1–3; 0: not narrow), only while loading
        // (kept out of Tensor, where a field costs every tensor of every model RAM on nanoCLR); null when none.
        private int[] _narrowBytes;

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

            if (header[2] != 0 || header[3] != 0)
            {
                throw new InvalidModelException(name + ": palette header has non-zero reserved bytes");
            }

            Palette p = new Palette();
            p.Bits = bits;
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

            long expected = Palette.BlockLength(bits, p.Channels, t.elementCount);
            if (expected != blockBytes)
            {
                throw new InvalidModelException(name + ": palette block is " + blockBytes.ToString() + " bytes; " + bits.ToString() + "-bit indices and " + p.Channels.ToString() + " tables need " + expected.ToString());
            }

            p.BlockBytes = blockBytes;
            p.TableBytes = p.Channels << bits;
            p.IndexBytes = blockBytes - ModelFormat.PaletteHeaderSize - p.TableBytes;
            return p;
        }

        private readonly byte[] _paletteHeader = new byte[ModelFormat.PaletteHeaderSize];

        /// <summary>Widens a narrow int32 constant: each element 1, 2 or 3 little-endian bytes, sign-extended.</summary>
        private void ReadNarrow(Tensor t, int width, int[] values)
        {
            byte[] raw = new byte[t.elementCount * width];
            _source.ReadBytes(t.fileOffset, raw, 0, raw.Length);
            int shift = 32 - (8 * width);
            int p = 0;
            for (int i = 0; i < values.Length; i++)
            {
                int v = raw[p];
                if (width > 1)
                {
                    v |= raw[p + 1] << 8;
                }

                if (width > 2)
                {
                    v |= raw[p + 2] << 16;
                }

                values[i] = (v << shift) >> shift;
                p += width;
            }
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
            int type = m[position];
            int inputCount = m[position + 1];
            int outputCount = m[position + 2];
            int parameterCount = m[position + 3];
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

        private void AttachData()
        {
            // Int8 and int16 constants: copied into one byte pool (palettes decoded there, or kept encoded
            // with CompactPalettes), or left on storage for the streamer. Palettes not decoded here are
            // decoded per operator into the streamer's buffer.
            if (_streamWeights)
            {
                ConstantPool = new sbyte[0];
            }
            else
            {
                if (_poolBytes > _maxArrayBytes)
                {
                    throw new InvalidModelException("int8 constants of " + _poolBytes.ToString() + " bytes exceed the largest array of " + _maxArrayBytes.ToString()
                        + " bytes; load the model with ModelLoadMode.StreamWeights");
                }

                ConstantPool = new sbyte[_poolBytes];
            }

            if (_streamWeights || (_paletteCount > 0 && !_expandPalettes))
            {
                Streamer = new WeightStreamer(_source, Tensors, Operators, _streamWeights, _maxArrayBytes);
            }

            int int32Bytes = 0;
            sbyte[] tableScratch = null;
            for (int i = 0; i < Tensors.Length; i++)
            {
                Tensor t = Tensors[i];
                if (t.storage == TensorStorage.Arena)
                {
                    // Attached to its arena array by ArenaSegments.
                }
                else if (t.palette != null)
                {
                    if (_streamWeights)
                    {
                        // Decoded per operator by the streamer.
                    }
                    else if (_expandPalettes)
                    {
                        if (tableScratch == null || tableScratch.Length < t.palette.TableBytes)
                        {
                            tableScratch = new sbyte[t.palette.TableBytes];
                        }

                        t.data = ConstantPool;
                        t.palette.ReadAndDecode(_source, t.fileOffset, tableScratch, t.elementCount, ConstantPool, t.offset);

                        // Decoded into the pool, the tensor is a plain constant: its Palette object would only hold RAM
                        // (nine heap blocks per tensor) the plain model does not need.
                        t.palette = null;
                    }
                    else
                    {
                        t.palette.Block = ConstantPool;
                        _source.ReadInt8(t.fileOffset, ConstantPool, t.palette.BlockOffset, t.palette.BlockBytes);
                    }
                }
                else if (t.type == TensorType.Int8 || t.type == TensorType.Int16)
                {
                    if (!_streamWeights)
                    {
                        t.data = ConstantPool;
                        _source.ReadInt8(t.fileOffset, ConstantPool, t.offset, t.byteLength);
                    }
                }
                else if (t.storage == TensorStorage.Derived)
                {
                    // Computed by its kernel at load, into an array of its own.
                    int32Bytes += t.byteLength;
                }
                else if (t.type == TensorType.Int32)
                {
                    int[] values = new int[t.elementCount];
                    int width = _narrowBytes == null ? 0 : _narrowBytes[i];
                    if (width == 0)
                    {
                        _source.ReadInt32(t.fileOffset, values);
                    }
                    else
                    {
                        ReadNarrow(t, width, values);
                    }

                    t.int32Data = values;
                    int32Bytes += t.byteLength;
                }
                else
                {
                    // Int64 (16x8 biases): read as pairs of little-endian int32 words.
                    int[] words = new int[t.elementCount * 2];
                    _source.ReadInt32(t.fileOffset, words);
                    long[] values = new long[t.elementCount];
                    for (int k = 0; k < values.Length; k++)
                    {
                        values[k] = ((long)words[2 * k + 1] << 32) | (uint)words[2 * k];
                    }

                    t.int64Data = values;
                    int32Bytes += t.byteLength;
                }
            }

            Int32ConstantBytes = int32Bytes;
            _narrowBytes = null;
        }
    }
}
