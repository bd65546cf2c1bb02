using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// RELU6, int16 (TFLM Relu6Quantized&lt;int16_t&gt;): a clamp in the input's quantized domain, without
    /// rescaling. Input: 0 int16. Output: 0 int16 of the same shape. Parameters: 0 lower bound (the
    /// input zero point), 1 upper bound (6.0 quantized with the input's scale, clamped to int16).
    /// </summary>
    internal sealed class Relu6Int16Kernel : UnaryInt16Kernel
    {
        private readonly int _lower;
        private readonly int _upper;

        internal Relu6Int16Kernel(OperatorDefinition op, Tensor[] tensors)
            : base(op, tensors, Relu6Layout.ParameterCount)
        {
            _lower = op.Parameters[Relu6Layout.Lower];
            _upper = op.Parameters[Relu6Layout.Upper];
            Check.ActivationRange(op, _lower, _upper, tensors[op.Outputs[0]]);
        }

        protected override int Compute(int q)
        {
            return q > _upper ? _upper : (q < _lower ? _lower : q);
        }
    }
}
