namespace NanoQuant
{
    /// <summary>
    /// SUB, int16, with broadcasting up to rank 6 (TFLM reference_ops::Sub on int16: the ADD formula with
    /// input2's rescaled value subtracted, left shift 15). Operands and parameters as <see cref="AddInt16Kernel"/>.
    /// </summary>
    internal sealed class SubInt16Kernel : AddInt16Kernel
    {
        internal SubInt16Kernel(OperatorDefinition op, Tensor[] tensors)
            : base(op, tensors, true)
        {
        }
    }
}
