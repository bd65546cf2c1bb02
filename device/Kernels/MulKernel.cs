namespace NanoQuant
{
    /// <summary>Placeholder: Mul is not implemented yet.</summary>
    internal sealed class MulKernel : Kernel
    {
        internal MulKernel(OperatorDefinition op, Tensor[] tensors)
        {
            throw new InvalidModelException(op.Name + ": not implemented yet");
        }

        internal override void Invoke()
        {
        }
    }
}
