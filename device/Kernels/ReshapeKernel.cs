namespace NanoQuant
{
    /// <summary>Placeholder: Reshape is not implemented yet.</summary>
    internal sealed class ReshapeKernel : Kernel
    {
        internal ReshapeKernel(OperatorDefinition op, Tensor[] tensors)
        {
            throw new InvalidModelException(op.Name + ": not implemented yet");
        }

        internal override void Invoke()
        {
        }
    }
}
