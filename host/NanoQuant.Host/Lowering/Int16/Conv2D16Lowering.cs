using NanoQuant.Format;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering.Int16;

/// <summary>
/// CONV_2D in 16x8 → the device's Conv2DInt16Kernel: int16 input and output with zero point 0, int8 symmetric
/// weights (per channel or per tensor), int64 bias or none (<see cref="Conv16Common"/>); grouped convolutions kept.
/// </summary>
public sealed class Conv2D16Lowering : IOperatorLowering
{
    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.Conv2d];

    public TfLiteType Activations => TfLiteType.Int16;

    public void Lower(LoweringContext context, TfLiteOperator op)
    {
        var (input, filter, bias, output) = Conv16Common.Operands(context, op);
        int outChannels = filter.Shape.Length == 4 ? filter.Shape[0] : 0;
        var scales = Conv16Common.WindowedScales(context, op, input, filter, output, outChannels);
        var options = context.Options(op);
        int filterHeight = filter.Shape[1], filterWidth = filter.Shape[2], filterDepth = filter.Shape[3];
        int inChannels = input.Shape[3];
        ConvCommon.RequireGroups(context, op, filterDepth, inChannels, outChannels);

        var window = ConvCommon.ResolveWindow(context, op, input, output, filterHeight, filterWidth,
            options.GetByte(0), options.GetInt(2), options.GetInt(1), options.GetInt(5, 1), options.GetInt(4, 1));
        long macs = (long)input.Shape[0] * window.OutputHeight * window.OutputWidth * outChannels * filterHeight * filterWidth * filterDepth;
        Conv16Common.EmitWindowed(context, op, OperatorType.Conv2D, input, filter, bias, scales, outChannels, window, options.GetActivation(3),
            weights => (weights, filter.Shape, $"{filter.Name} (weights)"), [], macs);
    }
}
