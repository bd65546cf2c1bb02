namespace NanoQuant
{
    /// <summary>Placeholder: Concatenation is not implemented yet.</summary>
    internal sealed class ConcatenationKernel : Kernel
    {
        internal ConcatenationKernel(OperatorDefinition op, Tensor[] tensors)
        {
            throw new InvalidModelException(op.Name + ": not implemented yet");
        }

        internal override void Invoke()
        {
        }
    }
}
