using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>Creates the kernel for an operator record; the kernel's constructor checks it.</summary>
    internal static class KernelFactory
    {
        internal static Kernel Create(OperatorDefinition op, Tensor[] tensors)
        {
            if (IsInt16(op, tensors))
            {
                return CreateInt16(op, tensors);
            }

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

        /// <summary>True when the operator's first input or first output is an int16 tensor (a 16x8 operator).</summary>
        private static bool IsInt16(OperatorDefinition op, Tensor[] tensors)
        {
            if (op.Inputs.Length > 0 && op.Inputs[0] != ModelFormat.NoTensor && tensors[op.Inputs[0]].type == TensorType.Int16)
            {
                return true;
            }

            return op.Outputs.Length > 0 && tensors[op.Outputs[0]].type == TensorType.Int16;
        }

        /// <summary>The int16 (16x8) kernels, in their own files beside the int8 ones.</summary>
        private static Kernel CreateInt16(OperatorDefinition op, Tensor[] tensors)
        {
            switch (op.Type)
            {
                case OperatorType.FullyConnected:
                    return new FullyConnectedInt16Kernel(op, tensors);
                case OperatorType.Conv2D:
                    return new Conv2DInt16Kernel(op, tensors);
                case OperatorType.DepthwiseConv2D:
                    return new DepthwiseConv2DInt16Kernel(op, tensors);
                case OperatorType.AveragePool2D:
                    return new AveragePool2DInt16Kernel(op, tensors);
                case OperatorType.MaxPool2D:
                    return new MaxPool2DInt16Kernel(op, tensors);
                case OperatorType.Reshape:
                    return new ReshapeKernel(op, tensors);
                case OperatorType.Softmax:
                    return new SoftmaxInt16Kernel(op, tensors);
                case OperatorType.Add:
                    return new AddInt16Kernel(op, tensors);
                case OperatorType.Sub:
                    return new SubInt16Kernel(op, tensors);
                case OperatorType.Mul:
                    return new MulInt16Kernel(op, tensors);
                case OperatorType.Logistic:
                    return new LogisticInt16Kernel(op, tensors);
                case OperatorType.Tanh:
                    return new TanhInt16Kernel(op, tensors);
                case OperatorType.Requantize:
                    return new RequantizeInt16Kernel(op, tensors);
                case OperatorType.Relu:
                    return new ReluInt16Kernel(op, tensors);
                case OperatorType.Relu6:
                    return new Relu6Int16Kernel(op, tensors);
                case OperatorType.LeakyRelu:
                    return new LeakyReluInt16Kernel(op, tensors);
                case OperatorType.Mean:
                    return new MeanKernel(op, tensors);
                case OperatorType.Pad:
                    return new PadKernel(op, tensors);
                case OperatorType.Concatenation:
                    return new ConcatenationKernel(op, tensors);
                case OperatorType.Transpose:
                    return new TransposeKernel(op, tensors);
                case OperatorType.StridedSlice:
                    return new StridedSliceKernel(op, tensors);
                default:
                    throw new InvalidModelException(op.Name + ": this operator has no int16 kernel");
            }
        }
    }
}
