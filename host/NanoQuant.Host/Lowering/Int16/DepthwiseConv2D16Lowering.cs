using NanoQuant.Format;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering.Int16;

/// <summary>
/// DEPTHWISE_CONV_2D in 16x8 → the device's DepthwiseConv2DInt16Kernel: int16 input and output with zero point 0,
/// int8 symmetric weights stored channel-major, int64 bias or none (<see cref="Conv16Common"/>).
/// </summary>
public sealed class DepthwiseConv2D16Lowering : IOperatorLowering
{
    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.DepthwiseConv2d];

    public TfLiteType Activations => TfLiteType.Int16;

    public void Lower(LoweringContext context, TfLiteOperator op)
    {
        var (input, filter, bias, output) = Conv16Common.Operands(context, op);
        int outChannels = filter.Shape.Length == 4 ? filter.Shape[3] : 0;
        var scales = Conv16Common.WindowedScales(context, op, input, filter, output, outChannels);
        var options = context.Options(op);
        int filterHeight = filter.Shape[1], filterWidth = filter.Shape[2];
        int inChannels = input.Shape[3];
        if (filter.Shape[0] != 1 || outChannels % inChannels != 0 || options.GetInt(3) != outChannels / inChannels)
        {
            throw context.Unsupported(op, $"filter [{string.Join(", ", filter.Shape)}] and depth_multiplier {options.GetInt(3)} do not fit the {inChannels}-channel input");
        }

        int depthMultiplier = outChannels / inChannels;
        var window = ConvCommon.ResolveWindow(context, op, input, output, filterHeight, filterWidth,
            options.GetByte(0), options.GetInt(2), options.GetInt(1), options.GetInt(6, 1), options.GetInt(5, 1));
        int taps = filterHeight * filterWidth;
        long macs = (long)input.Shape[0] * window.OutputHeight * window.OutputWidth * outChannels * taps;
        Conv16Common.EmitWindowed(context, op, OperatorType.DepthwiseConv2D, input, filter, bias, scales, outChannels, window, options.GetActivation(4),
            weights =>
            {
                // [1, h, w, c] → channel-major [c, h, w].
                var channelMajor = new sbyte[weights.Length];
                for (int t = 0; t < taps; t++)
                {
                    for (int c = 0; c < outChannels; c++)
                    {
                        channelMajor[(c * taps) + t] = weights[(t * outChannels) + c];
                    }
                }

                return (channelMajor, [outChannels, filterHeight, filterWidth], $"{filter.Name} (channel-major weights)");
            },
            [depthMultiplier],
            macs);
    }
}
