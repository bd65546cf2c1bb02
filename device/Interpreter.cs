using System;

namespace NanoQuant
{
    /// <summary>
    /// Runs a nanoQuant device model. The constructor checks the whole model and allocates the
    /// arena once; <see cref="Invoke"/> runs every operator with integer arithmetic and allocates
    /// nothing. Write inputs with <see cref="Tensor.CopyFrom"/> or <see cref="Tensor.Quantize"/>,
    /// call <see cref="Invoke"/>, read outputs with <see cref="Tensor.CopyTo"/> or
    /// <see cref="Tensor.Dequantize"/>.
    /// </summary>
    public sealed class Interpreter
    {
        /// <summary>The largest arena a model may ask for unless the caller says otherwise.</summary>
        public const int DefaultMaxArenaBytes = 16 * 1024 * 1024;

        private readonly Tensor[] _tensors;
        private readonly Kernel[] _kernels;
        private readonly int[] _inputs;
        private readonly int[] _outputs;
        private readonly int _arenaBytes;
        private readonly int _constantBytes;

        /// <summary>Loads and checks a device model held in memory. The model array is not kept.</summary>
        /// <exception cref="InvalidModelException">The model is malformed; the message says how.</exception>
        public Interpreter(byte[] model)
            : this(model, DefaultMaxArenaBytes)
        {
        }

        /// <summary>Loads and checks a device model, refusing one whose arena exceeds <paramref name="maxArenaBytes"/>.</summary>
        /// <exception cref="InvalidModelException">The model is malformed; the message says how.</exception>
        public Interpreter(byte[] model, int maxArenaBytes)
        {
            ModelLoader loader = ModelLoader.Load(model, maxArenaBytes);
            _tensors = loader.Tensors;
            _kernels = loader.Kernels;
            _inputs = loader.Inputs;
            _outputs = loader.Outputs;
            _arenaBytes = loader.Arena.Length;
            _constantBytes = model.Length;
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

        /// <summary>Size of the device model the interpreter was loaded from.</summary>
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
            Kernel[] kernels = _kernels;
            for (int i = 0; i < kernels.Length; i++)
            {
                kernels[i].Invoke();
            }
        }

        /// <summary>
        /// Runs operator <paramref name="index"/> alone, for stepping through a model (checking
        /// intermediate tensors). Operators must be run in order from 0 for the results to mean anything.
        /// </summary>
        public void InvokeOperator(int index)
        {
            if (index < 0 || index >= _kernels.Length)
            {
                throw new ArgumentOutOfRangeException("index", "the model has " + _kernels.Length.ToString() + " operators");
            }

            _kernels[index].Invoke();
        }
    }
}
