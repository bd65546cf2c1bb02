namespace NanoQuant
{
    /// <summary>Placeholder: MaxPool2D is not implemented yet.</summary>
    internal sealed class MaxPool2DKernel : Kernel
    {
        internal MaxPool2DKernel(OperatorDefinition op, Tensor[] tensors)
        {
            throw new InvalidModelException(op.Name + ": not implemented yet");
        }

        internal override void Invoke()
        {
        }
    }
}
