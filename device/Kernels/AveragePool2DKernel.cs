namespace NanoQuant
{
    /// <summary>Placeholder: AveragePool2D is not implemented yet.</summary>
    internal sealed class AveragePool2DKernel : Kernel
    {
        internal AveragePool2DKernel(OperatorDefinition op, Tensor[] tensors)
        {
            throw new InvalidModelException(op.Name + ": not implemented yet");
        }

        internal override void Invoke()
        {
        }
    }
}
