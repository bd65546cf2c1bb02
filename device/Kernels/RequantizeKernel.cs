namespace NanoQuant
{
    /// <summary>Placeholder: Requantize is not implemented yet.</summary>
    internal sealed class RequantizeKernel : Kernel
    {
        internal RequantizeKernel(OperatorDefinition op, Tensor[] tensors)
        {
            throw new InvalidModelException(op.Name + ": not implemented yet");
        }

        internal override void Invoke()
        {
        }
    }
}
