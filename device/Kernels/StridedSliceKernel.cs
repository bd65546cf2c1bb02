namespace NanoQuant
{
    /// <summary>Placeholder: StridedSlice is not implemented yet.</summary>
    internal sealed class StridedSliceKernel : Kernel
    {
        internal StridedSliceKernel(OperatorDefinition op, Tensor[] tensors)
        {
            throw new InvalidModelException(op.Name + ": not implemented yet");
        }

        internal override void Invoke()
        {
        }
    }
}
