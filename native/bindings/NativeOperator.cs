using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// Operator codes of a <see cref="KernelBackend"/> call (parameter <see cref="NativeCallLayout.Operator"/>; NQ_OP_* in
    /// nanoquant_kernels.h): the device model's own <see cref="OperatorType"/> values, so one number names an operator
    /// everywhere. SUB runs as <see cref="Add"/> (its second table negated).
    /// </summary>
    internal static class NativeOperator
    {
        internal const int FullyConnected = (int)OperatorType.FullyConnected;
        internal const int Conv2D = (int)OperatorType.Conv2D;
        internal const int DepthwiseConv2D = (int)OperatorType.DepthwiseConv2D;
        internal const int AveragePool2D = (int)OperatorType.AveragePool2D;
        internal const int MaxPool2D = (int)OperatorType.MaxPool2D;
        internal const int Softmax = (int)OperatorType.Softmax;
        internal const int Add = (int)OperatorType.Add;
        internal const int Mul = (int)OperatorType.Mul;
        internal const int Mean = (int)OperatorType.Mean;
    }
}
