namespace NanoQuant.Format
{
    /// <summary>
    /// Parameters of RELU6 (<see cref="OperatorType.Relu6"/>), int8 and 16x8: a clamp without rescaling, with
    /// the input's quantization (TFLM's activations_common.cc). One input (slot 0), one output.
    /// </summary>
    public static class Relu6Layout
    {
        /// <summary>Lower bound: the input zero point (0 for 16x8).</summary>
        public const int Lower = 0;

        /// <summary>Upper bound: 6.0 quantized with the input's scale and zero point.</summary>
        public const int Upper = 1;

        /// <summary>Number of parameters.</summary>
        public const int ParameterCount = 2;
    }
}
