namespace NanoQuant
{
    /// <summary>Placeholder: HardSwish is not implemented yet.</summary>
    internal sealed class HardSwishKernel : Kernel
    {
        internal HardSwishKernel(OperatorDefinition op, Tensor[] tensors)
        {
            throw new InvalidModelException(op.Name + ": not implemented yet");
        }

        internal override void Invoke()
        {
        }
    }
}
