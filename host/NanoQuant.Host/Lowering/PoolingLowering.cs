using NanoQuant.Format;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering;

/// <summary>
/// AVERAGE_POOL_2D → <see cref="OperatorType.AveragePool2D"/>, MAX_POOL_2D → <see cref="OperatorType.MaxPool2D"/>
/// (device/Kernels/AveragePool2DKernel.cs, MaxPool2DKernel.cs, PoolGeometry.cs). The padding is
/// resolved here exactly as TFLM's ComputePaddingHeightWidth does (the extra odd pixel goes after).
/// </summary>
public sealed class PoolingLowering : IOperatorLowering
{
    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.AveragePool2d, BuiltinOperator.MaxPool2d];

    public void Lower(LoweringContext context, TfLiteOperator op)
    {
        context.RequireCounts(op, 1, 1, 1);
        var input = context.Input(op, 0);
        var output = context.Output(op, 0);
        var (inputScale, inputZeroPoint) = context.PerTensor(op, input);
        var (outputScale, outputZeroPoint) = context.PerTensor(op, output);

        // TFLM's PoolingPrepare: int8 pooling never rescales.
        if (Math.Abs((double)(inputScale - outputScale)) > 1.0e-6 || inputZeroPoint != outputZeroPoint)
        {
            throw context.Unsupported(op, $"input ({inputScale}, {inputZeroPoint}) and output ({outputScale}, {outputZeroPoint}) quantization differ; int8 pooling requires the same scale and zero point");
        }

        if (input.Shape.Length != 4 || output.Shape.Length != 4)
        {
            throw context.Unsupported(op, "input and output must be 4-D NHWC tensors");
        }

        var options = context.Options(op);
        int padding = options.GetByte(0);
        int strideWidth = options.GetInt(1), strideHeight = options.GetInt(2);
        int filterWidth = options.GetInt(3), filterHeight = options.GetInt(4);
        var activation = options.GetActivation(5);
        if (padding is not (0 or 1))
        {
            throw context.Unsupported(op, $"unknown padding type {padding}");
        }

        if (strideWidth < 1 || strideHeight < 1 || filterWidth < 1 || filterHeight < 1)
        {
            throw context.Unsupported(op, $"stride {strideHeight}x{strideWidth} and filter {filterHeight}x{filterWidth} must be positive");
        }

        if (activation is not (FusedActivation.None or FusedActivation.Relu or FusedActivation.Relu6 or FusedActivation.ReluN1To1))
        {
            throw context.Unsupported(op, $"fused activation {activation} is not supported");
        }

        if (output.Shape[0] != input.Shape[0] || output.Shape[3] != input.Shape[3])
        {
            throw context.Unsupported(op, $"output {output} must keep the input's batches and depth");
        }

        bool same = padding == 0;
        var (outHeight, padTop, padBottom) = Resolve(context, op, same, input.Shape[1], filterHeight, strideHeight, "height");
        var (outWidth, padLeft, padRight) = Resolve(context, op, same, input.Shape[2], filterWidth, strideWidth, "width");
        if (output.Shape[1] != outHeight || output.Shape[2] != outWidth)
        {
            throw context.Unsupported(op, $"output {output} is {output.Shape[1]}x{output.Shape[2]}, but the input, filter, stride and padding give {outHeight}x{outWidth}");
        }

        var (min, max) = QuantizationMath.ActivationRange(activation, outputScale, outputZeroPoint);
        var type = op.Code == BuiltinOperator.AveragePool2d ? OperatorType.AveragePool2D : OperatorType.MaxPool2D;
        context.Emit(op, type,
            [context.Int8Operand(op, input)],
            [context.Int8Output(op, 0)],
            Parameters(strideHeight, strideWidth, filterHeight, filterWidth, padTop, padBottom, padLeft, padRight, min, max));
    }

    /// <summary>The device's pooling parameters (<see cref="Pool2DLayout"/>; read by device/Kernels/PoolGeometry.cs).</summary>
    internal static int[] Parameters(int strideHeight, int strideWidth, int filterHeight, int filterWidth, int padTop, int padBottom, int padLeft, int padRight, int min, int max)
    {
        var p = new int[Pool2DLayout.ParameterCount];
        p[Pool2DLayout.StrideHeight] = strideHeight;
        p[Pool2DLayout.StrideWidth] = strideWidth;
        p[Pool2DLayout.FilterHeight] = filterHeight;
        p[Pool2DLayout.FilterWidth] = filterWidth;
        p[Pool2DLayout.PadTop] = padTop;
        p[Pool2DLayout.PadBottom] = padBottom;
        p[Pool2DLayout.PadLeft] = padLeft;
        p[Pool2DLayout.PadRight] = padRight;
        p[Pool2DLayout.ActivationMin] = min;
        p[Pool2DLayout.ActivationMax] = max;
        return p;
    }

    /// <summary>TFLite's ComputeOutSize and ComputePaddingWithOffset for one spatial dimension (dilation 1; <see cref="WindowPadding"/>).</summary>
    internal static (int Output, int Before, int After) Resolve(LoweringContext context, TfLiteOperator op, bool same, int input, int filter, int stride, string name)
    {
        long output = WindowPadding.OutputSize(same ? WindowPadding.Same : WindowPadding.Valid, input, filter, stride, 1);
        if (output < 1)
        {
            throw context.Unsupported(op, $"input {name} {input} is smaller than the filter {name} {filter} (VALID padding)");
        }

        long total = WindowPadding.Total(input, filter, stride, 1, output);
        if (total > int.MaxValue)
        {
            throw context.Unsupported(op, $"padding along the {name} is too large");
        }

        int before = (int)(total / 2);
        return ((int)output, before, (int)total - before);
    }
}
