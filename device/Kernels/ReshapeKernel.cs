namespace NanoQuant
{
    /// <summary>
    /// RESHAPE, SQUEEZE and EXPAND_DIMS: the int8 bytes are copied unchanged (TFLM copies the buffer;
    /// the new shape is the output tensor's own shape).
    /// Inputs: 0 input int8. Output: int8 with the same number of elements. No parameters.
    /// </summary>
    internal sealed class ReshapeKernel : Kernel
    {
        private readonly Tensor _input;
        private readonly Tensor _output;
        private readonly int _count;

        internal ReshapeKernel(OperatorDefinition op, Tensor[] tensors)
        {
            Check.Counts(op, 1, 1, 0);
            _input = Check.Int8Input(op, tensors, 0);
            _output = Check.Int8Output(op, tensors, 0);
            Check.SameLength(op, _input, _output);
            _count = _input.elementCount;
        }

        internal override void Invoke()
        {
            System.Array.Copy(_input.data, _input.offset, _output.data, _output.offset, _count);
        }
    }
}
