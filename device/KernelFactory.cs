using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>Creates the kernel for an operator record; the kernel's constructor checks it.</summary>
    internal static class KernelFactory
    {
        internal static Kernel Create(OperatorDefinition op, Tensor[] tensors)
        {
            switch (op.Type)
            {
                case OperatorType.FullyConnected:
                    return new FullyConnectedKernel(op, tensors);
                case OperatorType.Conv2D:
                    return new Conv2DKernel(op, tensors);
                case OperatorType.DepthwiseConv2D:
                    return new DepthwiseConv2DKernel(op, tensors);
                case OperatorType.AveragePool2D:
                    return new AveragePool2DKernel(op, tensors);
                case OperatorType.MaxPool2D:
                    return new MaxPool2DKernel(op, tensors);
                case OperatorType.Reshape:
                    return new ReshapeKernel(op, tensors);
                case OperatorType.Softmax:
                    return new SoftmaxKernel(op, tensors);
                case OperatorType.Add:
                    return new AddKernel(op, tensors);
                case OperatorType.Sub:
                    return new SubKernel(op, tensors);
                case OperatorType.Mul:
                    return new MulKernel(op, tensors);
                case OperatorType.Pad:
                    return new PadKernel(op, tensors);
                case OperatorType.Mean:
                    return new MeanKernel(op, tensors);
                case OperatorType.Concatenation:
                    return new ConcatenationKernel(op, tensors);
                case OperatorType.Transpose:
                    return new TransposeKernel(op, tensors);
                case OperatorType.StridedSlice:
                    return new StridedSliceKernel(op, tensors);
                case OperatorType.Logistic:
                    return new LogisticKernel(op, tensors);
                case OperatorType.Tanh:
                    return new TanhKernel(op, tensors);
                case OperatorType.Relu:
                    return new ReluKernel(op, tensors);
                case OperatorType.Relu6:
                    return new Relu6Kernel(op, tensors);
                case OperatorType.LeakyRelu:
                    return new LeakyReluKernel(op, tensors);
                case OperatorType.HardSwish:
                    return new HardSwishKernel(op, tensors);
                case OperatorType.Requantize:
                    return new RequantizeKernel(op, tensors);
                case OperatorType.UnidirectionalSequenceLstm:
                    return new UnidirectionalSequenceLstmKernel(op, tensors);
                default:
                    throw new InvalidModelException(op.Name + ": unknown operator type");
            }
        }
    }
}
