using NanoQuant.Format;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering.Int16;

/// <summary>
/// AVERAGE_POOL_2D and MAX_POOL_2D in 16x8 → AveragePool2DInt16Kernel and MaxPool2DInt16Kernel:
/// TFLM's int16 pooling requires the output's quantization to be the input's and zero points 0;
/// the window and padding are resolved as for int8, the clamp range in int16.
/// </summary>
public sealed class Pooling16Lowering : IOperatorLowering
{
    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.AveragePool2d, BuiltinOperator.MaxPool2d];

    public TfLiteType Activations => TfLiteType.Int16;

    public void Lower(LoweringContext context, TfLiteOperator op)
    {
        context.RequireCounts(op, 1, 1, 1);
        var input = context.Input(op, 0);
        var output = context.Output(op, 0);
        float inputScale = Int16Operands.Symmetric(context, op, input);
        float outputScale = Int16Operands.Symmetric(context, op, output);
        if (Math.Abs((double)(inputScale - outputScale)) > 1.0e-6)
        {
            throw context.Unsupported(op, $"input scale {inputScale} and output scale {outputScale} differ; int16 pooling requires the same quantization");
        }

        if (input.Shape.Length != 4 || output.Shape.Length != 4 || output.Shape[0] != input.Shape[0] || output.Shape[3] != input.Shape[3])
        {
            throw context.Unsupported(op, "input and output must be 4-D NHWC tensors with the same batches and depth");
        }

        var options = context.Options(op);
        int padding = options.GetByte(0);
        int strideWidth = options.GetInt(1), strideHeight = options.GetInt(2);
        int filterWidth = options.GetInt(3), filterHeight = options.GetInt(4);
        if (padding is not (0 or 1) || strideWidth < 1 || strideHeight < 1 || filterWidth < 1 || filterHeight < 1)
        {
            throw context.Unsupported(op, $"padding {padding}, stride {strideHeight}x{strideWidth} or filter {filterHeight}x{filterWidth} is invalid");
        }

        bool same = padding == 0;
        var (outHeight, padTop, padBottom) = PoolingLowering.Resolve(context, op, same, input.Shape[1], filterHeight, strideHeight, "height");
        var (outWidth, padLeft, padRight) = PoolingLowering.Resolve(context, op, same, input.Shape[2], filterWidth, strideWidth, "width");
        if (output.Shape[1] != outHeight || output.Shape[2] != outWidth)
        {
            throw context.Unsupported(op, $"output {output} is {output.Shape[1]}x{output.Shape[2]}, but the input, filter, stride and padding give {outHeight}x{outWidth}");
        }

        var (min, max) = Int16Operands.ActivationRange(context, op, options.GetActivation(5), outputScale, 0);
        context.Emit(op, op.Code == BuiltinOperator.AveragePool2d ? OperatorType.AveragePool2D : OperatorType.MaxPool2D,
            [Int16Operands.Operand(context, op, input)],
            [Int16Operands.Output(context, op, 0)],
            PoolingLowering.Parameters(strideHeight, strideWidth, filterHeight, filterWidth, padTop, padBottom, padLeft, padRight, min, max));
    }
}
