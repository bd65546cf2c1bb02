using System;
using System.IO;

namespace NanoQuant
{
    /// <summary>
    /// Runs a nanoQuant device model. The constructor checks the whole model and allocates the
    /// arena once; <see cref="Invoke"/> runs every operator with integer arithmetic and allocates
    /// nothing. Write inputs with <see cref="Tensor.CopyFrom"/> or <see cref="Tensor.Quantize"/>,
    /// call <see cref="Invoke"/>, read outputs with <see cref="Tensor.CopyTo"/> or
    /// <see cref="Tensor.Dequantize"/>.
    /// A model can come from a byte array (e.g. a managed resource), a stream, or a file on the
    /// device's storage (I:\ internal flash, D:\ SD card) — see <see cref="FromFile(string, ModelLoadMode)"/>;
    /// with <see cref="ModelLoadMode.StreamWeights"/> the int8 weights stay in the file and are read
    /// one operator at a time into a single reusable buffer, so a model larger than free RAM can run.
    /// </summary>
    public sealed class Interpreter : IDisposable
    {
        /// <summary>The largest arena a model may ask for unless the caller says otherwise.</summary>
        public const int DefaultMaxArenaBytes = 16 * 1024 * 1024;

        private int _nextOperator;
        private bool _disposed;

        private readonly Tensor[] _tensors;
        private readonly Kernel[] _kernels;
        private readonly int[] _inputs;
        private readonly int[] _outputs;
        private readonly int _arenaBytes;
        private readonly int _constantBytes;
        private readonly int _constantPoolBytes;
        private readonly int _int32ConstantBytes;
        private readonly WeightStreamer _streamer;
        private readonly int _weightBufferBytes;
        private Stream _ownedStream;

        /// <summary>Loads and checks a device model held in memory. The model array is not kept.</summary>
        /// <exception cref="InvalidModelException">The model is malformed; the message says how.</exception>
        public Interpreter(byte[] model)
            : this(model, DefaultMaxArenaBytes)
        {
        }

        /// <summary>Loads and checks a device model, refusing one whose arena exceeds <paramref name="maxArenaBytes"/>.</summary>
        /// <exception cref="InvalidModelException">The model is malformed; the message says how.</exception>
        public Interpreter(byte[] model, int maxArenaBytes)
            : this(model, maxArenaBytes, int.MaxValue)
        {
        }

        /// <summary>
        /// Loads and checks a device model, allocating no array larger than <paramref name="maxArrayBytes"/>:
        /// a larger arena is split into several arrays at offsets no tensor crosses, and int8 constants that
        /// would need a larger array are refused (stream them instead). nanoFramework allocates an object of
        /// at most 65,535 heap blocks: pass about 786,000 on 32-bit boards, 1,572,000 on the 64-bit nanoCLR.
        /// </summary>
        /// <exception cref="InvalidModelException">The model is malformed or needs a larger array; the message says how.</exception>
        public Interpreter(byte[] model, int maxArenaBytes, int maxArrayBytes)
        {
            ModelLoader loader = ModelLoader.Load(model, maxArenaBytes, maxArrayBytes);
            _tensors = loader.Tensors;
            _kernels = loader.Kernels;
            _inputs = loader.Inputs;
            _outputs = loader.Outputs;
            _arenaBytes = loader.ArenaBytes;
            _constantBytes = model.Length;
            _constantPoolBytes = loader.ConstantPool.Length;
            _int32ConstantBytes = loader.Int32ConstantBytes;
        }

        /// <summary>
        /// Loads and checks a device model from a readable, seekable stream holding exactly the model.
        /// The checksum is verified by reading the whole stream through a small buffer before anything
        /// else is trusted. With <see cref="ModelLoadMode.CopyToRam"/> the stream is not used after the
        /// constructor returns; with <see cref="ModelLoadMode.StreamWeights"/> it must stay open and
        /// unchanged for the interpreter's lifetime (the caller still owns and disposes it).
        /// </summary>
        /// <exception cref="InvalidModelException">The model is malformed; the message says how.</exception>
        public Interpreter(Stream stream, ModelLoadMode mode, int maxArenaBytes)
            : this(stream, mode, maxArenaBytes, int.MaxValue)
        {
        }

        /// <summary>
        /// As <see cref="Interpreter(Stream, ModelLoadMode, int)"/>, allocating no array larger than
        /// <paramref name="maxArrayBytes"/> (see <see cref="Interpreter(byte[], int, int)"/>).
        /// </summary>
        /// <exception cref="InvalidModelException">The model is malformed or needs a larger array; the message says how.</exception>
        public Interpreter(Stream stream, ModelLoadMode mode, int maxArenaBytes, int maxArrayBytes)
        {
            ModelLoader loader = ModelLoader.Load(stream, mode, maxArenaBytes, maxArrayBytes);
            _tensors = loader.Tensors;
            _kernels = loader.Kernels;
            _inputs = loader.Inputs;
            _outputs = loader.Outputs;
            _arenaBytes = loader.ArenaBytes;
            _constantBytes = loader.FileLength;
            _constantPoolBytes = loader.ConstantPool.Length;
            _int32ConstantBytes = loader.Int32ConstantBytes;
            _streamer = loader.Streamer;
            if (_streamer != null)
            {
                _weightBufferBytes = _streamer.BufferBytes + StreamModelSource.ChunkBytes;
            }
        }

        /// <summary>Loads a device model from a file, copying its constants to RAM (the file is closed before this returns).</summary>
        /// <param name="path">For example I:\model.nq (internal flash) or D:\models\model.nq (SD card).</param>
        /// <exception cref="InvalidModelException">The model is malformed; the message says how.</exception>
        public static Interpreter FromFile(string path)
        {
            return FromFile(path, ModelLoadMode.CopyToRam, DefaultMaxArenaBytes);
        }

        /// <summary>Loads a device model from a file in the given mode.</summary>
        /// <exception cref="InvalidModelException">The model is malformed; the message says how.</exception>
        public static Interpreter FromFile(string path, ModelLoadMode mode)
        {
            return FromFile(path, mode, DefaultMaxArenaBytes);
        }

        /// <summary>
        /// Loads a device model from a file in the given mode, refusing an arena larger than
        /// <paramref name="maxArenaBytes"/>. In <see cref="ModelLoadMode.StreamWeights"/> mode the
        /// interpreter keeps the file open until <see cref="Dispose"/>.
        /// </summary>
        /// <exception cref="InvalidModelException">The model is malformed; the message says how.</exception>
        public static Interpreter FromFile(string path, ModelLoadMode mode, int maxArenaBytes)
        {
            if (path == null)
            {
                throw new ArgumentNullException("path");
            }

            FileStream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            Interpreter interpreter = null;
            try
            {
                interpreter = new Interpreter(stream, mode, maxArenaBytes);
            }
            finally
            {
                if (interpreter == null || mode == ModelLoadMode.CopyToRam)
                {
                    stream.Dispose();
                }
            }

            if (mode == ModelLoadMode.StreamWeights)
            {
                interpreter._ownedStream = stream;
            }

            return interpreter;
        }

        /// <summary>True when int8 weights are read from storage during <see cref="Invoke"/> (<see cref="ModelLoadMode.StreamWeights"/>).</summary>
        public bool IsStreamingWeights
        {
            get { return _streamer != null; }
        }

        /// <summary>Bytes of int8 constants (weights) held in RAM: all of them when loaded into RAM, none when streaming.</summary>
        public int ConstantPoolBytes
        {
            get { return _constantPoolBytes; }
        }

        /// <summary>Bytes of int32 constants (biases, multipliers, shifts) held in RAM in either mode.</summary>
        public int Int32ConstantBytes
        {
            get { return _int32ConstantBytes; }
        }

        /// <summary>Streaming mode: bytes of the reusable weight buffer plus the file read chunk (0 otherwise).</summary>
        public int WeightBufferBytes
        {
            get { return _weightBufferBytes; }
        }

        /// <summary>Closes the model file when the interpreter opened it for streaming; otherwise does nothing.</summary>
        public void Dispose()
        {
            _disposed = true;
            Stream stream = _ownedStream;
            _ownedStream = null;
            if (stream != null)
            {
                stream.Dispose();
            }
        }

        private void RequireOpen()
        {
            if (_disposed && _streamer != null)
            {
                throw new InvalidOperationException("the interpreter is disposed: its model file is closed");
            }
        }

        /// <summary>Number of model inputs.</summary>
        public int InputCount
        {
            get { return _inputs.Length; }
        }

        /// <summary>Number of model outputs.</summary>
        public int OutputCount
        {
            get { return _outputs.Length; }
        }

        /// <summary>Number of operators; <see cref="InvokeOperator"/> runs one of them.</summary>
        public int OperatorCount
        {
            get { return _kernels.Length; }
        }

        /// <summary>Number of tensors in the model.</summary>
        public int TensorCount
        {
            get { return _tensors.Length; }
        }

        /// <summary>Bytes of the activation arena allocated at load.</summary>
        public int ArenaBytes
        {
            get { return _arenaBytes; }
        }

        /// <summary>Size of the device model (file) the interpreter was loaded from.</summary>
        public int ModelBytes
        {
            get { return _constantBytes; }
        }

        /// <summary>Multiply-accumulates in one <see cref="Invoke"/>.</summary>
        public long MacCount
        {
            get
            {
                long total = 0;
                for (int i = 0; i < _kernels.Length; i++)
                {
                    total += _kernels[i].MacCount;
                }

                return total;
            }
        }

        /// <summary>Model input <paramref name="index"/>.</summary>
        public Tensor GetInput(int index)
        {
            if (index < 0 || index >= _inputs.Length)
            {
                throw new ArgumentOutOfRangeException("index", "the model has " + _inputs.Length.ToString() + " inputs");
            }

            return _tensors[_inputs[index]];
        }

        /// <summary>Model output <paramref name="index"/>.</summary>
        public Tensor GetOutput(int index)
        {
            if (index < 0 || index >= _outputs.Length)
            {
                throw new ArgumentOutOfRangeException("index", "the model has " + _outputs.Length.ToString() + " outputs");
            }

            return _tensors[_outputs[index]];
        }

        /// <summary>Tensor <paramref name="index"/> of the model (an arena tensor holds valid data only while it is alive).</summary>
        public Tensor GetTensor(int index)
        {
            if (index < 0 || index >= _tensors.Length)
            {
                throw new ArgumentOutOfRangeException("index", "the model has " + _tensors.Length.ToString() + " tensors");
            }

            return _tensors[index];
        }

        /// <summary>Runs the whole model on the current inputs.</summary>
        public void Invoke()
        {
            RequireOpen();
            _nextOperator = 0;
            Kernel[] kernels = _kernels;
            WeightStreamer streamer = _streamer;
            if (streamer == null)
            {
                for (int i = 0; i < kernels.Length; i++)
                {
                    kernels[i].Invoke();
                }
            }
            else
            {
                for (int i = 0; i < kernels.Length; i++)
                {
                    streamer.Stage(i);
                    kernels[i].Invoke();
                }
            }
        }

        /// <summary>
        /// Runs operator <paramref name="index"/> alone, for stepping through a model (checking
        /// intermediate tensors). Operators run in order: <paramref name="index"/> must be the one after
        /// the operator run last, or 0 to start over.
        /// </summary>
        /// <exception cref="InvalidOperationException">The operator is out of order, or the interpreter is disposed.</exception>
        public void InvokeOperator(int index)
        {
            if (index < 0 || index >= _kernels.Length)
            {
                throw new ArgumentOutOfRangeException("index", "the model has " + _kernels.Length.ToString() + " operators");
            }

            RequireOpen();
            if (index != 0 && index != _nextOperator)
            {
                throw new InvalidOperationException("operators run in order: the next is " + _nextOperator.ToString() + " (or 0 to start over), not " + index.ToString());
            }

            _nextOperator = index + 1 == _kernels.Length ? 0 : index + 1;

            if (_streamer != null)
            {
                _streamer.Stage(index);
            }

            _kernels[index].Invoke();
        }
    }
}
