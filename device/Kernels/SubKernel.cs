namespace NanoQuant
{
    /// <summary>Placeholder: Sub is not implemented yet.</summary>
    internal sealed class SubKernel : Kernel
    {
        internal SubKernel(OperatorDefinition op, Tensor[] tensors)
        {
            throw new InvalidModelException(op.Name + ": not implemented yet");
        }

        internal override void Invoke()
        {
        }
    }
}
