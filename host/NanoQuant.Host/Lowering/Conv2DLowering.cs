using NanoQuant.Format;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering;

/// <summary>
/// CONV_2D → <see cref="OperatorType.Conv2D"/> (device/Kernels/Conv2DKernel.cs). The padding, the
/// output size check, the per-channel multipliers and the input-offset-folded bias are all
/// computed here; grouped convolutions (input channels a multiple of the filter's) are kept.
/// </summary>
public sealed class Conv2DLowering : IOperatorLowering
{
    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.Conv2d];

    public void Lower(LoweringContext context, TfLiteOperator op)
    {
        var (options, input, filter, bias, output, inputScale, inputZeroPoint, outputScale, outputZeroPoint) = ConvCommon.Int8Operands(context, op);

        // Filter [output channels, height, width, input channels per group].
        int outChannels = filter.Shape[0], filterHeight = filter.Shape[1], filterWidth = filter.Shape[2], filterDepth = filter.Shape[3];
        int inChannels = input.Shape[3];
        if (output.Shape[3] != outChannels)
        {
            throw context.Unsupported(op, $"output {output} has {output.Shape[3]} channels, the filter {outChannels}");
        }

        ConvCommon.RequireGroups(context, op, filterDepth, inChannels, outChannels);

        var window = ConvCommon.ResolveWindow(context, op, input, output, filterHeight, filterWidth,
            options.GetByte(0), options.GetInt(2), options.GetInt(1), options.GetInt(5, 1), options.GetInt(4, 1));
        var (multipliers, shifts) = ConvCommon.ChannelMultipliers(context, op, inputScale, outputScale, filter, outChannels);
        int[] rawBias = ConvCommon.Bias(context, op, bias, outChannels);
        var (min, max) = ConvCommon.ActivationRange(context, op, options.GetActivation(3), outputScale, outputZeroPoint);

        sbyte[] weights = context.Int8Data(op, filter);
        int rowLength = filterHeight * filterWidth * filterDepth;
        int[] foldedBias = Folding.FoldInputOffset(rawBias, weights, outChannels, rowLength, -inputZeroPoint);
        long macs = (long)input.Shape[0] * window.OutputHeight * window.OutputWidth * outChannels * rowLength;
        var inputs = ConvCommon.Int8Inputs(context, op, input, weights, filter.Shape, $"{filter.Name} (weights)", rawBias, foldedBias, multipliers, shifts);
        context.Emit(op, OperatorType.Conv2D,
            inputs,
            [context.Int8Output(op, 0)],
            ConvCommon.Parameters(window, inputZeroPoint, outputZeroPoint, min, max),
            macs);
    }
}
