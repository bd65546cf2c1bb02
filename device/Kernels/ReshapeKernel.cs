namespace NanoQuant
{
    /// <summary>
    /// RESHAPE, SQUEEZE and EXPAND_DIMS: the int8 or int16 bytes are copied unchanged (TFLM copies the
    /// buffer; the new shape is the output tensor's own shape).
    /// Inputs: 0 input int8 or int16. Output: the same type with the same number of elements. No parameters.
    /// </summary>
    internal sealed class ReshapeKernel : Kernel
    {
        private readonly Tensor _input;
        private readonly Tensor _output;
        private readonly int _count;

        internal ReshapeKernel(OperatorDefinition op, Tensor[] tensors)
        {
            Check.Counts(op, 1, 1, 0);
            _input = Check.ActivationInput(op, tensors, 0);
            _output = Check.OutputLike(op, tensors, 0, _input);
            Check.SameLength(op, _input, _output);
            _count = _input.byteLength;
        }

        internal override void Invoke()
        {
            System.Array.Copy(_input.data, _input.offset, _output.data, _output.offset, _count);
        }
    }
}
