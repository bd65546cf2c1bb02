namespace NanoQuant
{
    /// <summary>Placeholder: Softmax is not implemented yet.</summary>
    internal sealed class SoftmaxKernel : Kernel
    {
        internal SoftmaxKernel(OperatorDefinition op, Tensor[] tensors)
        {
            throw new InvalidModelException(op.Name + ": not implemented yet");
        }

        internal override void Invoke()
        {
        }
    }
}
