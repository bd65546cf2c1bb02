namespace NanoQuant
{
    /// <summary>Placeholder: Relu6 is not implemented yet.</summary>
    internal sealed class Relu6Kernel : Kernel
    {
        internal Relu6Kernel(OperatorDefinition op, Tensor[] tensors)
        {
            throw new InvalidModelException(op.Name + ": not implemented yet");
        }

        internal override void Invoke()
        {
        }
    }
}
