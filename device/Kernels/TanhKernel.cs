namespace NanoQuant
{
    /// <summary>Placeholder: Tanh is not implemented yet.</summary>
    internal sealed class TanhKernel : Kernel
    {
        internal TanhKernel(OperatorDefinition op, Tensor[] tensors)
        {
            throw new InvalidModelException(op.Name + ": not implemented yet");
        }

        internal override void Invoke()
        {
        }
    }
}
