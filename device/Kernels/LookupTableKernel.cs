namespace NanoQuant
{
    /// <summary>
    /// Base of the element-wise int8 kernels whose result depends on the input value alone (RELU,
    /// LEAKY_RELU, HARD_SWISH, LOGISTIC, TANH, int8 QUANTIZE): the derived kernel's constructor fills
    /// <see cref="Table"/> with TFLM's exact integer formula for each of the 256 int8 inputs, and a
    /// step is one lookup per element. Input: 0 int8. Output: 0 int8 of the same shape.
    /// </summary>
    internal abstract class LookupTableKernel : Kernel
    {
        /// <summary>The output for input q at index q + 128.</summary>
        protected readonly sbyte[] Table = new sbyte[256];

        /// <summary>The output tensor (some kernels check its quantization).</summary>
        protected readonly Tensor Output;

        private readonly Tensor _input;

        /// <summary>Checks the one input and one output and the number of parameters.</summary>
        protected LookupTableKernel(OperatorDefinition op, Tensor[] tensors, int parameterCount)
        {
            Check.Counts(op, 1, 1, parameterCount);
            _input = Check.Int8Input(op, tensors, 0);
            Output = Check.Int8Output(op, tensors, 0);
            Check.SameShape(op, _input, Output, "input and output");
        }

        internal override void Invoke()
        {
            sbyte[] input = _input.data;
            sbyte[] output = Output.data;
            sbyte[] table = Table;
            int i = _input.offset;
            int o = Output.offset;
            int end = o + Output.elementCount;
            while (o < end)
            {
                output[o++] = table[input[i++] + 128];
            }
        }
    }
}
