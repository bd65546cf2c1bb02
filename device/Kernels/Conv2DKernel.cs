namespace NanoQuant
{
    /// <summary>Placeholder: Conv2D is not implemented yet.</summary>
    internal sealed class Conv2DKernel : Kernel
    {
        internal Conv2DKernel(OperatorDefinition op, Tensor[] tensors)
        {
            throw new InvalidModelException(op.Name + ": not implemented yet");
        }

        internal override void Invoke()
        {
        }
    }
}
