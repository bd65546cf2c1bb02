namespace NanoQuant
{
    /// <summary>
    /// LOGISTIC, int8 (TFLM reference_integer_ops::Logistic), output scale 1/256 and zero point −128.
    /// Input: 0 int8. Output: 0 int8 of the same shape, zero point −128.
    /// Parameters: 0 input zero point, 1 input range radius, 2 input multiplier, 3 input left shift
    /// (in [0, 30]; the multiplier and shift bring q − zp to Q4.27, the radius is where the result saturates).
    /// Inside the radius the value goes through gemmlowp's fixed-point logistic (<see cref="FixedPointMath"/>)
    /// and is rounded from Q0.31 to 1/256 steps. The 256 possible results are tabulated at load.
    /// </summary>
    internal sealed class LogisticKernel : SigmoidShapedKernel
    {
        internal LogisticKernel(OperatorDefinition op, Tensor[] tensors)
            : base(op, tensors)
        {
            Check.That(Output.zeroPoint == -128, op, "output zero point must be -128");
            FillTable(op);
        }

        /// <summary>gemmlowp's logistic of a Q4.27 value, rounded from Q0.31 to 1/256 steps, minus 128.</summary>
        protected override int Evaluate(int inQ4)
        {
            return QuantizedMath.RoundingDivideByPot(FixedPointMath.Logistic(inQ4, 4), 23) - 128;
        }
    }
}
