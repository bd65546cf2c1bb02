using NanoQuant.Format;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering;

/// <summary>
/// DEPTHWISE_CONV_2D → <see cref="OperatorType.DepthwiseConv2D"/> (device/Kernels/DepthwiseConv2DKernel.cs).
/// The filter is stored channel-major ([channels, height, width], each channel's taps contiguous)
/// so the device accumulates one output channel over its taps in a register; padding, output size
/// check, per-channel multipliers and the input-offset-folded bias are computed here.
/// </summary>
public sealed class DepthwiseConv2DLowering : IOperatorLowering
{
    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.DepthwiseConv2d];

    public void Lower(LoweringContext context, TfLiteOperator op)
    {
        var (options, input, filter, bias, output, inputScale, inputZeroPoint, outputScale, outputZeroPoint) = ConvCommon.Int8Operands(context, op);

        // TFLite filter [1, height, width, output channels]; output channel = input channel × multiplier + m.
        int filterHeight = filter.Shape[1], filterWidth = filter.Shape[2], outChannels = filter.Shape[3];
        int inChannels = input.Shape[3];
        if (filter.Shape[0] != 1)
        {
            throw context.Unsupported(op, $"filter {filter} has shape [{string.Join(", ", filter.Shape)}]; a depthwise filter is [1, height, width, channels]");
        }

        if (output.Shape[3] != outChannels)
        {
            throw context.Unsupported(op, $"output {output} has {output.Shape[3]} channels, the filter {outChannels}");
        }

        if (outChannels % inChannels != 0)
        {
            throw context.Unsupported(op, $"the filter's {outChannels} channels are not a multiple of the input's {inChannels}");
        }

        int multiplier = outChannels / inChannels;
        int optionMultiplier = options.GetInt(3);
        if (optionMultiplier != multiplier)
        {
            // TFLite Micro's kernel loops over the option's value, so a disagreeing model would leave channels unwritten.
            throw context.Unsupported(op, $"depth_multiplier option {optionMultiplier} disagrees with the shapes ({inChannels} input channels, {outChannels} output channels)");
        }

        var window = ConvCommon.ResolveWindow(context, op, input, output, filterHeight, filterWidth,
            options.GetByte(0), options.GetInt(2), options.GetInt(1), options.GetInt(6, 1), options.GetInt(5, 1));
        var (multipliers, shifts) = ConvCommon.ChannelMultipliers(context, op, inputScale, outputScale, filter, outChannels);
        int[] rawBias = ConvCommon.Bias(context, op, bias, outChannels);
        var (min, max) = ConvCommon.ActivationRange(context, op, options.GetActivation(4), outputScale, outputZeroPoint);

        // [1, h, w, c] → [c, h, w].
        sbyte[] weights = context.Int8Data(op, filter);
        int taps = filterHeight * filterWidth;
        var channelMajor = new sbyte[weights.Length];
        for (int t = 0; t < taps; t++)
        {
            for (int c = 0; c < outChannels; c++)
            {
                channelMajor[(c * taps) + t] = weights[(t * outChannels) + c];
            }
        }

        int[] foldedBias = Folding.FoldInputOffset(rawBias, channelMajor, outChannels, taps, -inputZeroPoint);
        int[] parameters = [.. ConvCommon.Parameters(window, inputZeroPoint, outputZeroPoint, min, max), 0];
        parameters[DepthwiseConv2DLayout.DepthMultiplier] = multiplier;
        long macs = (long)input.Shape[0] * window.OutputHeight * window.OutputWidth * outChannels * taps;
        var inputs = ConvCommon.Int8Inputs(context, op, input, channelMajor, [outChannels, filterHeight, filterWidth], $"{filter.Name} (channel-major weights)", rawBias, foldedBias, multipliers, shifts);
        context.Emit(op, OperatorType.DepthwiseConv2D,
            inputs,
            [context.Int8Output(op, 0)],
            parameters,
            macs);
    }
}
