using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>Names of operator types for messages (enum ToString is not reliable on nanoFramework).</summary>
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
