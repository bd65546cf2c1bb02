using NanoQuant.Format;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering;

/// <summary>
/// QUANTIZE from int8 to int8 inside a model → <see cref="OperatorType.Requantize"/>
/// (device/Kernels/RequantizeKernel.cs). QUANTIZE from float32 at a model input never reaches this
/// lowering: the converter turns it into a flag on the device model's input.
/// </summary>
public sealed class RequantizeLowering : IOperatorLowering
{
    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.Quantize];

    public void Lower(LoweringContext context, TfLiteOperator op)
    {
        context.RequireCounts(op, 1, 1, 1);
        var source = context.Input(op, 0);
        var target = context.Output(op, 0);
        if (source.Type != TfLiteType.Int8 || target.Type != TfLiteType.Int8)
        {
            throw context.Unsupported(op, $"QUANTIZE from {source.Type} to {target.Type} is not supported: inside a model only int8 → int8 requantization is (float32 → int8 only as a model input)");
        }

        var (input, output) = ElementwiseLowering.Unary(context, op);

        // quantize_common.cc: the scale ratio in double precision.
        var (multiplier, shift) = ElementwiseLowering.Multiplier(context, op, (double)input.Scale / output.Scale, "requantization");
        ElementwiseLowering.EmitUnary(context, op, OperatorType.Requantize, input,
            ParameterBlock.Of(RequantizeLayout.ParameterCount, (RequantizeLayout.InputZeroPoint, input.ZeroPoint), (RequantizeLayout.OutputZeroPoint, output.ZeroPoint),
                (RequantizeLayout.Multiplier, multiplier), (RequantizeLayout.Shift, shift)));
    }
}
