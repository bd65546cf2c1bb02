namespace NanoQuant
{
    /// <summary>
    /// The elementwise walk of the int16 activation kernels (<see cref="ReluInt16Kernel"/>,
    /// <see cref="Relu6Int16Kernel"/>, <see cref="LeakyReluInt16Kernel"/>): int16 input and output of the
    /// same shape; each output element is <see cref="Compute"/> of the input element.
    /// </summary>
    internal abstract class UnaryInt16Kernel : Kernel
    {
        private readonly Tensor _input;
        private readonly Tensor _output;

        protected UnaryInt16Kernel(OperatorDefinition op, Tensor[] tensors, int parameterCount)
        {
            Check.Counts(op, 1, 1, parameterCount);
            _input = Check.Int16Input(op, tensors, 0);
            _output = Check.Int16Output(op, tensors, 0);
            Check.SameShape(op, _input, _output, "input and output");
        }

        /// <summary>The output value (within int16) of one input value.</summary>
        protected abstract int Compute(int q);

        internal override void Invoke()
        {
            sbyte[] input = _input.data;
            sbyte[] output = _output.data;
            int p = _input.offset;
            int o = _output.offset;
            int end = o + (2 * _output.elementCount);
            while (o < end)
            {
                int v = Compute((input[p] & 0xFF) | (input[p + 1] << 8));
                output[o] = (sbyte)v;
                output[o + 1] = (sbyte)(v >> 8);
                o += 2;
                p += 2;
            }
        }
    }
}
