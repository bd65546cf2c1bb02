using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// RELU6, int8, as TFLM computes it (Relu6Quantized): a clamp in the input's quantized domain,
    /// without rescaling to the output's quantization. Input: 0 int8. Output: 0 int8 of the same shape.
    /// Parameters: 0 lower bound (the input zero point), 1 upper bound (6.0 quantized with the input's
    /// scale and zero point, clamped to int8).
    /// </summary>
    internal sealed class Relu6Kernel : Kernel
    {
        private readonly Tensor _input;
        private readonly Tensor _output;
        private readonly int _lower;
        private readonly int _upper;

        internal Relu6Kernel(OperatorDefinition op, Tensor[] tensors)
        {
            Check.Counts(op, 1, 1, Relu6Layout.ParameterCount);
            _input = Check.Int8Input(op, tensors, 0);
            _output = Check.Int8Output(op, tensors, 0);
            Check.SameShape(op, _input, _output, "input and output");
            _lower = op.Parameters[Relu6Layout.Lower];
            _upper = op.Parameters[Relu6Layout.Upper];
            Check.ActivationRange(op, _lower, _upper);
        }

        internal override void Invoke()
        {
            sbyte[] input = _input.data;
            sbyte[] output = _output.data;
            int lower = _lower;
            int upper = _upper;
            int i = _input.offset;
            int o = _output.offset;
            int end = o + _output.elementCount;
            while (o < end)
            {
                int v = input[i++];
                output[o++] = (sbyte)(v > upper ? upper : (v < lower ? lower : v));
            }
        }
    }
}
