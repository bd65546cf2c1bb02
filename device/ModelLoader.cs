using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// Reads and checks a device model completely: header, checksum, every table entry, every
    /// offset and length, every operator through its kernel's constructor, and the memory plan.
    /// Nothing in the model is trusted before the check that covers it. The steps are small types in
    /// device/Loading: <see cref="ModelHeader"/> (header and checksum), <see cref="ModelTables"/> (the records),
    /// <see cref="PlanValidator"/> and <see cref="ArenaSegments"/> (the plan), <see cref="ConstantLoader"/> (the
    /// constants) and <see cref="KernelBuilder"/> (the kernels).
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

        /// <summary>The tables as read (records, narrow widths, the constant section's offset): what the host's DeviceModelReader maps.</summary>
        internal ModelTables Tables;

        private readonly ModelSource _source;
        private readonly bool _streamWeights;
        private int _version = ModelFormat.Version;

        // Palette weights decoded once into the constant pool at load (in RAM), rather than per operator.
        private bool _expandPalettes = true;
        private int _maxArrayBytes = int.MaxValue;

        // The model's bytes before the constant section (header, edge lists, tensor and operator tables):
        // the whole model array for an in-RAM model, a copy of that prefix for a streamed one.
        private byte[] _model;

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
            int constantsStart = ModelHeader.SectionOffset(header, ModelFormat.ConstantsOffset, length, "constant section");
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

        private void CheckHeaderAndChecksum()
        {
            _version = ModelHeader.Check(_model, _source);
            FileLength = _source.Length;
        }

        /// <summary>Everything after the checksum: the tables, the memory plan, the constants and the kernels.</summary>
        private void ReadTables(int maxArenaBytes)
        {
            ModelTables tables = new ModelTables(_model, _source, _version, _expandPalettes);
            tables.Read(maxArenaBytes);
            Tables = tables;
            Tensors = tables.Tensors;
            Operators = tables.Operators;
            Inputs = tables.Inputs;
            Outputs = tables.Outputs;

            PlanValidator.Validate(Tensors, Operators, Inputs, Outputs);

            ArenaBytes = tables.ArenaBytes;
            ArenaArrays = ArenaSegments.Attach(Tensors, ArenaBytes, _maxArrayBytes);
            ConstantLoader constants = new ConstantLoader(tables, _source, _streamWeights, _expandPalettes, _maxArrayBytes);
            ConstantPool = constants.ConstantPool;
            Streamer = constants.Streamer;
            Int32ConstantBytes = constants.Int32ConstantBytes;

            Kernels = KernelBuilder.Build(Operators, Tensors, Streamer);
        }
    }
}
