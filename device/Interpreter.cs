using System;
using System.IO;
using System.Reflection;
using NanoQuant.Format;

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
        private readonly bool _streaming;
        private readonly int _weightBufferBytes;
        private Stream _ownedStream;
        private Kernel[] _managedKernels;
        private KernelBackend _backend;
        private int _nativeOperatorCount;

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
            _streamer = loader.Streamer;
            if (_streamer != null)
            {
                _weightBufferBytes = _streamer.BufferBytes;
            }

            ResetState();
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
            _streaming = loader.StreamsWeights;
            if (_streamer != null)
            {
                _weightBufferBytes = _streamer.BufferBytes + _streamer.TableScratchBytes + (_streaming ? StreamModelSource.ChunkBytes : 0);
            }

            ResetState();
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
                if (interpreter == null || mode != ModelLoadMode.StreamWeights)
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
            get { return _streaming; }
        }

        /// <summary>Bytes of int8 constants (weights) held in RAM: all of them when loaded into RAM, none when streaming.</summary>
        public int ConstantPoolBytes
        {
            get { return _constantPoolBytes; }
        }

        /// <summary>Bytes of int32 and int64 constants (biases, multipliers, shifts) held in RAM in either mode.</summary>
        public int Int32ConstantBytes
        {
            get { return _int32ConstantBytes; }
        }

        /// <summary>
        /// Bytes of the reusable weight buffer that operators' weights are staged into before they run — streamed
        /// from storage, or decoded from palettes — plus, when streaming, the file read chunk and the scratch
        /// palette value tables are read into; 0 when no weights are staged (plain weights held in RAM).
        /// </summary>
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
            if (_disposed && _streaming)
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

        /// <summary>Multiply-accumulates of operator <paramref name="index"/> in one <see cref="Invoke"/>, as its kernel counts them.</summary>
        public long GetOperatorMacCount(int index)
        {
            if (index < 0 || index >= _kernels.Length)
            {
                throw new ArgumentOutOfRangeException("index");
            }

            return _kernels[index].MacCount;
        }

        /// <summary>
        /// Which kernel runs operator <paramref name="index"/>: "managed" (the C# kernel), or for an operator a
        /// <see cref="KernelBackend"/> runs, the kernel the backend picked for its shape when it was bound (the
        /// backend's <see cref="KernelBackend.Name"/>, e.g. "native", or the vendor library's, "cmsis-nn" or "esp-nn").
        /// </summary>
        public string GetOperatorKernel(int index)
        {
            if (index < 0 || index >= _kernels.Length)
            {
                throw new ArgumentOutOfRangeException("index");
            }

            return _kernels[index].KernelName;
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

        /// <summary>
        /// Which kernels run: "managed" (the C# kernels, on any firmware), or the name of the
        /// <see cref="KernelBackend"/> given to <see cref="UseBackend"/> (e.g. "native").
        /// </summary>
        public string Backend
        {
            get { return _backend == null ? "managed" : _backend.Name; }
        }

        /// <summary>Number of operators <see cref="Backend"/> runs natively (0 on the managed kernels); the rest run managed.</summary>
        public int NativeOperatorCount
        {
            get { return _nativeOperatorCount; }
        }

        /// <summary>
        /// Runs the operators that have a native kernel (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED,
        /// AVERAGE_POOL_2D, MAX_POOL_2D, ADD, SUB, MUL, SOFTMAX, MEAN) on <paramref name="backend"/> from the
        /// next <see cref="Invoke"/> on — same bytes, one call per operator; null goes back to the managed
        /// kernels. NanoQuant.Native's NativeKernels.TryUse does this when the firmware has the native part.
        /// </summary>
        /// <returns>The number of operators the backend runs.</returns>
        public int UseBackend(KernelBackend backend)
        {
            Kernel[] kernels = _kernels;
            if (_managedKernels == null)
            {
                _managedKernels = new Kernel[kernels.Length];
                Array.Copy(kernels, _managedKernels, kernels.Length);
            }

            int count = 0;
            for (int i = 0; i < kernels.Length; i++)
            {
                Kernel managed = _managedKernels[i];
                Kernel bound = backend == null ? null : managed.BindTo(backend);
                kernels[i] = bound == null ? managed : bound;
                if (bound != null)
                {
                    count++;
                }
            }

            _backend = backend;
            _nativeOperatorCount = count;
            return count;
        }

        /// <summary>
        /// Runs the operators that have a native kernel on NanoQuant.Native's kernels when the application
        /// ships that assembly and the firmware has its native part (nanoFramework Interop); otherwise
        /// nothing changes and the managed kernels run. <see cref="Backend"/> says which.
        /// NanoQuant.Native is found by name, so an application without it needs no reference to it.
        /// </summary>
        /// <returns>True when the native kernels now run.</returns>
        public bool UseNativeKernels()
        {
            MethodInfo tryUse;
            try
            {
                Assembly assembly = Assembly.Load("NanoQuant.Native");
                Type type = assembly == null ? null : assembly.GetType("NanoQuant.Native.NativeKernels");
                tryUse = type == null ? null : type.GetMethod("TryUse");
            }
            catch (Exception)
            {
                // Not shipped with the application (FileNotFoundException on desktop .NET, other types on nanoCLR).
                return false;
            }

            return tryUse != null && (bool)tryUse.Invoke(null, new object[] { this });
        }

        /// <summary>True when the model has variable (state) tensors, e.g. an LSTM's hidden and cell state, that carry over from one <see cref="Invoke"/> to the next.</summary>
        public bool HasState
        {
            get
            {
                for (int i = 0; i < _tensors.Length; i++)
                {
                    if (_tensors[i].IsVariable)
                    {
                        return true;
                    }
                }

                return false;
            }
        }

        /// <summary>
        /// Puts every variable (state) tensor back to its reset value, as TensorFlow Lite Micro's
        /// ResetVariableTensors does: int8 state to its zero point, int16 state to 0. A new interpreter
        /// starts reset; a streaming model (e.g. an LSTM run one frame per <see cref="Invoke"/>) carries
        /// its state from call to call until this is called, for example at the start of a new sequence.
        /// Allocates nothing.
        /// </summary>
        public void ResetState()
        {
            Tensor[] tensors = _tensors;
            for (int i = 0; i < tensors.Length; i++)
            {
                Tensor t = tensors[i];
                if (!t.IsVariable)
                {
                    continue;
                }

                if (t.type == TensorType.Int8 && t.zeroPoint != 0)
                {
                    sbyte value = (sbyte)t.zeroPoint;
                    sbyte[] data = t.data;
                    int end = t.offset + t.byteLength;
                    for (int k = t.offset; k < end; k++)
                    {
                        data[k] = value;
                    }
                }
                else
                {
                    System.Array.Clear(t.data, t.offset, t.byteLength);
                }
            }
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
