using NanoQuant.Format;

namespace NanoQuant.Format
{
    /// <summary>
    /// Operators of the device model. Each value's operand and parameter layout is its class in shared/Layouts
    /// (docs/kernels/&lt;Op&gt;.md describes it); its name for messages is in <see cref="OperatorNames"/> below.
    /// </summary>
    public enum OperatorType : byte
    {
        /// <summary>FULLY_CONNECTED, per-tensor or per-channel weights.</summary>
        FullyConnected = 1,

        /// <summary>CONV_2D with per-channel weights.</summary>
        Conv2D = 2,

        /// <summary>DEPTHWISE_CONV_2D with per-channel weights and a depth multiplier.</summary>
        DepthwiseConv2D = 3,

        /// <summary>AVERAGE_POOL_2D.</summary>
        AveragePool2D = 4,

        /// <summary>MAX_POOL_2D.</summary>
        MaxPool2D = 5,

        /// <summary>RESHAPE, SQUEEZE, EXPAND_DIMS: the bytes are copied unchanged.</summary>
        Reshape = 6,

        /// <summary>SOFTMAX, integer-only as TFLite Micro computes it.</summary>
        Softmax = 7,

        /// <summary>ADD with broadcasting.</summary>
        Add = 8,

        /// <summary>SUB with broadcasting.</summary>
        Sub = 9,

        /// <summary>MUL with broadcasting.</summary>
        Mul = 10,

        /// <summary>PAD and PADV2 (constant padding value).</summary>
        Pad = 11,

        /// <summary>MEAN over some axes.</summary>
        Mean = 12,

        /// <summary>CONCATENATION along one axis.</summary>
        Concatenation = 13,

        /// <summary>TRANSPOSE by a permutation.</summary>
        Transpose = 14,

        /// <summary>STRIDED_SLICE with resolved begin, end and strides.</summary>
        StridedSlice = 15,

        /// <summary>LOGISTIC (sigmoid).</summary>
        Logistic = 16,

        /// <summary>TANH.</summary>
        Tanh = 17,

        /// <summary>RELU (requantizing).</summary>
        Relu = 18,

        /// <summary>RELU6 (clamps in the input's quantized domain, as TFLite Micro does).</summary>
        Relu6 = 19,

        /// <summary>LEAKY_RELU.</summary>
        LeakyRelu = 20,

        /// <summary>HARD_SWISH.</summary>
        HardSwish = 21,

        /// <summary>QUANTIZE from int8 to int8 (a requantization).</summary>
        Requantize = 22,

        /// <summary>UNIDIRECTIONAL_SEQUENCE_LSTM: int8 activations and weights, int16 cell state, state in variable tensors.</summary>
        UnidirectionalSequenceLstm = 23,
    }
}

namespace NanoQuant
{
    /// <summary>
    /// Names of operator types for messages, beside the values they name: enum ToString is not reliable on
    /// nanoFramework, so a new <see cref="OperatorType"/> value adds its <c>case</c> here (OperatorNamesTests checks
    /// every value against its enum name on the desktop).
    /// </summary>
    public static class OperatorNames
    {
        /// <summary>The name of <paramref name="type"/>, or "Unknown(n)".</summary>
        public static string Get(OperatorType type)
        {
            switch (type)
            {
                case OperatorType.FullyConnected: return "FullyConnected";
                case OperatorType.Conv2D: return "Conv2D";
                case OperatorType.DepthwiseConv2D: return "DepthwiseConv2D";
                case OperatorType.AveragePool2D: return "AveragePool2D";
                case OperatorType.MaxPool2D: return "MaxPool2D";
                case OperatorType.Reshape: return "Reshape";
                case OperatorType.Softmax: return "Softmax";
                case OperatorType.Add: return "Add";
                case OperatorType.Sub: return "Sub";
                case OperatorType.Mul: return "Mul";
                case OperatorType.Pad: return "Pad";
                case OperatorType.Mean: return "Mean";
                case OperatorType.Concatenation: return "Concatenation";
                case OperatorType.Transpose: return "Transpose";
                case OperatorType.StridedSlice: return "StridedSlice";
                case OperatorType.Logistic: return "Logistic";
                case OperatorType.Tanh: return "Tanh";
                case OperatorType.Relu: return "Relu";
                case OperatorType.Relu6: return "Relu6";
                case OperatorType.LeakyRelu: return "LeakyRelu";
                case OperatorType.HardSwish: return "HardSwish";
                case OperatorType.Requantize: return "Requantize";
                case OperatorType.UnidirectionalSequenceLstm: return "UnidirectionalSequenceLstm";
                default: return "Unknown(" + ((int)type).ToString() + ")";
            }
        }
    }
}
