namespace NanoQuant
{
    /// <summary>Placeholder: Logistic is not implemented yet.</summary>
    internal sealed class LogisticKernel : Kernel
    {
        internal LogisticKernel(OperatorDefinition op, Tensor[] tensors)
        {
            throw new InvalidModelException(op.Name + ": not implemented yet");
        }

        internal override void Invoke()
        {
        }
    }
}
