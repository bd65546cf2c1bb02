namespace NanoQuant
{
    /// <summary>Placeholder: Relu is not implemented yet.</summary>
    internal sealed class ReluKernel : Kernel
    {
        internal ReluKernel(OperatorDefinition op, Tensor[] tensors)
        {
            throw new InvalidModelException(op.Name + ": not implemented yet");
        }

        internal override void Invoke()
        {
        }
    }
}
