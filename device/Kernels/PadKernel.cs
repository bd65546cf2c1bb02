namespace NanoQuant
{
    /// <summary>Placeholder: Pad is not implemented yet.</summary>
    internal sealed class PadKernel : Kernel
    {
        internal PadKernel(OperatorDefinition op, Tensor[] tensors)
        {
            throw new InvalidModelException(op.Name + ": not implemented yet");
        }

        internal override void Invoke()
        {
        }
    }
}
