namespace NanoQuant
{
    /// <summary>Placeholder: LeakyRelu is not implemented yet.</summary>
    internal sealed class LeakyReluKernel : Kernel
    {
        internal LeakyReluKernel(OperatorDefinition op, Tensor[] tensors)
        {
            throw new InvalidModelException(op.Name + ": not implemented yet");
        }

        internal override void Invoke()
        {
        }
    }
}
