namespace NanoQuant
{
    /// <summary>Placeholder: Add is not implemented yet.</summary>
    internal sealed class AddKernel : Kernel
    {
        internal AddKernel(OperatorDefinition op, Tensor[] tensors)
        {
            throw new InvalidModelException(op.Name + ": not implemented yet");
        }

        internal override void Invoke()
        {
        }
    }
}
