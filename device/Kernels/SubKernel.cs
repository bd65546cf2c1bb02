namespace NanoQuant
{
    /// <summary>
    /// SUB, int8, with broadcasting up to rank 6 (TFLM reference_ops::Sub / BroadcastQuantSubSlow):
    /// the same operands, parameters and arithmetic as <see cref="AddKernel"/>, with the rescaled
    /// input2 subtracted from the rescaled input1 before the output requantization.
    /// Inputs: 0 input1 int8, 1 input2 int8. Output: 0 int8. Parameters: 0 input1 zero point,
    /// 1 input2 zero point, 2 output zero point, 3 left shift, 4 input1 multiplier, 5 input1 shift,
    /// 6 input2 multiplier, 7 input2 shift, 8 output multiplier, 9 output shift, 10 activation min,
    /// 11 activation max. (The host computes SUB's multipliers in single precision, as TFLM does.)
    /// </summary>
    internal sealed class SubKernel : AddKernel
    {
        internal SubKernel(OperatorDefinition op, Tensor[] tensors)
            : base(op, tensors, true)
        {
        }
    }
}
