namespace NanoQuant
{
    /// <summary>
    /// A native implementation of the int8 kernels that carry a model's time (CONV_2D,
    /// DEPTHWISE_CONV_2D, FULLY_CONNECTED, AVERAGE_POOL_2D, MAX_POOL_2D, ADD, SUB, MUL, SOFTMAX, MEAN),
    /// bit-exact with the managed kernels. An interpreter given one with
    /// <see cref="Interpreter.UseBackend"/> hands each of those operators to <see cref="Run"/> — one call per
    /// operator — and keeps the managed kernels for the rest. The NanoQuant.Native assembly provides the
    /// nanoFramework Interop implementation (the C kernels in native/kernels compiled into the firmware).
    /// </summary>
    /// <remarks>
    /// The call's layout is the C header's (native/kernels/nanoquant_kernels.h): parameters 0–6 are
    /// the operator code, the start and length of the input, second operand and output tensors in their
    /// arrays; the operator's own parameters follow. <see cref="AbiVersion"/> numbers that layout.
    /// </remarks>
    public abstract class KernelBackend
    {
        /// <summary>Version of the parameter layout (NQ_ABI_VERSION in nanoquant_kernels.h).</summary>
        public const int AbiVersion = 3;

        /// <summary>Short name shown by <see cref="Interpreter.Backend"/>, for example "native".</summary>
        public abstract string Name { get; }

        /// <summary>
        /// Runs one operator: <paramref name="input"/>, <paramref name="second"/> (filter or second input) and
        /// <paramref name="output"/> are whole arrays with each tensor's start and length in
        /// <paramref name="parameters"/>; <paramref name="table0"/>–<paramref name="table3"/> are the int32
        /// operands (biases, multipliers, shifts, lookup tables), null where the operator has fewer.
        /// </summary>
        /// <exception cref="System.ArgumentException">The parameters do not describe a valid call (the native side checked every index).</exception>
        public abstract void Run(int[] parameters, sbyte[] input, sbyte[] second, sbyte[] output, int[] table0, int[] table1, int[] table2, int[] table3);

        /// <summary>
        /// Which kernel <see cref="Run"/> gives a call with these <paramref name="parameters"/> (the starts are not read):
        /// 0 the backend's own, 1 CMSIS-NN, 2 ESP-NN (NQ_KERNEL_* in nanoquant_kernels.h: the native build's rule table
        /// picks a vendor library per call where it was built with one). Asked once per operator at
        /// <see cref="Interpreter.UseBackend"/>; <see cref="Interpreter.GetOperatorKernel"/> names the answer.
        /// </summary>
        public virtual int KernelFor(int[] parameters)
        {
            return 0;
        }
    }
}
