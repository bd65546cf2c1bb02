namespace NanoQuant
{
    /// <summary>Placeholder: Transpose is not implemented yet.</summary>
    internal sealed class TransposeKernel : Kernel
    {
        internal TransposeKernel(OperatorDefinition op, Tensor[] tensors)
        {
            throw new InvalidModelException(op.Name + ": not implemented yet");
        }

        internal override void Invoke()
        {
        }
    }
}
