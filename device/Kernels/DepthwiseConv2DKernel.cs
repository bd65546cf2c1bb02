namespace NanoQuant
{
    /// <summary>Placeholder: DepthwiseConv2D is not implemented yet.</summary>
    internal sealed class DepthwiseConv2DKernel : Kernel
    {
        internal DepthwiseConv2DKernel(OperatorDefinition op, Tensor[] tensors)
        {
            throw new InvalidModelException(op.Name + ": not implemented yet");
        }

        internal override void Invoke()
        {
        }
    }
}
