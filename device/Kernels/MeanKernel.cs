namespace NanoQuant
{
    /// <summary>Placeholder: Mean is not implemented yet.</summary>
    internal sealed class MeanKernel : Kernel
    {
        internal MeanKernel(OperatorDefinition op, Tensor[] tensors)
        {
            throw new InvalidModelException(op.Name + ": not implemented yet");
        }

        internal override void Invoke()
        {
        }
    }
}
