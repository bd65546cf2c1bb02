namespace NanoQuant
{
    /// <summary>
    /// A managed kernel's operator run by a <see cref="KernelBackend"/>: the parameters and int32 operands
    /// the managed kernel computed at load, handed to the backend in one call per <see cref="Invoke"/>.
    /// The tensors' arrays and starts are read at each call (weight streaming moves a filter between calls).
    /// </summary>
    internal sealed class NativeKernel : Kernel
    {
        private readonly Kernel _managed;
        private readonly KernelBackend _backend;
        private readonly int[] _parameters;
        private readonly Tensor _input;
        private readonly Tensor _second;
        private readonly Tensor _output;
        private readonly int[] _table0;
        private readonly int[] _table1;
        private readonly int[] _table2;
        private readonly int[] _table3;
        private readonly string _kernelName;

        /// <summary>Parameters 0–6 are filled here; <paramref name="parameters"/> holds the operator's own from <see cref="NativeCallLayout.First"/>.</summary>
        internal NativeKernel(Kernel managed, KernelBackend backend, int code, int[] parameters, Tensor input, Tensor second, Tensor output,
            int[] table0, int[] table1, int[] table2, int[] table3)
        {
            _managed = managed;
            _backend = backend;
            _parameters = parameters;
            _input = input;
            _second = second;
            _output = output;
            _table0 = table0;
            _table1 = table1;
            _table2 = table2;
            _table3 = table3;
            parameters[NativeCallLayout.Operator] = code;
            parameters[NativeCallLayout.InputLength] = input.elementCount;
            parameters[NativeCallLayout.SecondLength] = second == null ? 0 : second.elementCount;
            parameters[NativeCallLayout.OutputLength] = output.elementCount;
            _kernelName = NativeKernelChoice.Name(backend.KernelFor(parameters), backend.Name);
        }

        /// <summary>The backend's kernel for this call's shape, asked once here: its name, or the vendor library's.</summary>
        internal override string KernelName
        {
            get { return _kernelName; }
        }

        internal override long MacCount
        {
            get { return _managed.MacCount; }
        }

        internal override void Invoke()
        {
            int[] parameters = _parameters;
            Tensor second = _second;
            parameters[NativeCallLayout.InputStart] = _input.offset;
            parameters[NativeCallLayout.OutputStart] = _output.offset;
            sbyte[] secondData = null;
            if (second != null)
            {
                parameters[NativeCallLayout.SecondStart] = second.offset;
                secondData = second.data;
            }

            _backend.Run(parameters, _input.data, secondData, _output.data, _table0, _table1, _table2, _table3);
        }
    }
}
