namespace NanoQuant
{
    /// <summary>
    /// TANH, int8 (TFLM reference_integer_ops::Tanh), output scale 1/128 and zero point 0 (TFLM assumes
    /// that output quantization without checking it: the result is written as round(tanh × 128)).
    /// Input: 0 int8. Output: 0 int8 of the same shape.
    /// Parameters: 0 input zero point, 1 input range radius, 2 input multiplier, 3 input left shift
    /// (in [0, 30]; the multiplier and shift bring q − zp to Q4.27, the radius is where the result saturates).
    /// Inside the radius the value goes through gemmlowp's fixed-point tanh (<see cref="FixedPointMath"/>)
    /// and is rounded from Q0.31 to 1/128 steps. The 256 possible results are tabulated at load.
    /// </summary>
    internal sealed class TanhKernel : SigmoidShapedKernel
    {
        internal TanhKernel(OperatorDefinition op, Tensor[] tensors)
            : base(op, tensors)
        {
            FillTable(op);
        }

        /// <summary>gemmlowp's tanh of a Q4.27 value, rounded from Q0.31 to 1/128 steps.</summary>
        protected override int Evaluate(int inQ4)
        {
            return QuantizedMath.RoundingDivideByPot(FixedPointMath.Tanh(inQ4, 4), 24);
        }
    }
}
