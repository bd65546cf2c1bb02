namespace NanoQuant
{
    /// <summary>Operator codes and common parameter slots of a <see cref="KernelBackend"/> call (nanoquant_kernels.h).</summary>
    internal static class NativeOperator
    {
        internal const int Conv2D = 1;
        internal const int DepthwiseConv2D = 2;
        internal const int FullyConnected = 3;
        internal const int AveragePool2D = 4;
        internal const int MaxPool2D = 5;
        internal const int Add = 6;
        internal const int Mul = 7;
        internal const int Softmax = 8;
        internal const int Mean = 9;

        /// <summary>Parameters 0–6: operator, starts and lengths of input, second operand, output; the operator's own follow.</summary>
        internal const int First = 7;

        /// <summary>Most outer axes of a broadcast plan (NQ_BROADCAST_MAX_OUTER).</summary>
        internal const int BroadcastMaxOuter = 5;
    }
}
