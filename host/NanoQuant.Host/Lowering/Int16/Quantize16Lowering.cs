using NanoQuant.Format;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering.Int16;

/// <summary>
/// QUANTIZE between int8 and int16 (or int16 to int16) inside a model → RequantizeInt16Kernel, as
/// TFLM's Requantize: multiplier and shift of input scale / output scale (QuantizeMultiplier in double).
/// Float QUANTIZE/DEQUANTIZE at the model's edges become flags on the int16 edge tensors instead.
/// </summary>
public sealed class Quantize16Lowering : IOperatorLowering
{
    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.Quantize];

    public TfLiteType Activations => TfLiteType.Int16;

    public void Lower(LoweringContext context, TfLiteOperator op)
    {
        context.RequireCounts(op, 1, 1, 1);
        var input = context.Input(op, 0);
        var output = context.Output(op, 0);
        if (input.Type is not (TfLiteType.Int8 or TfLiteType.Int16) || output.Type is not (TfLiteType.Int8 or TfLiteType.Int16))
        {
            throw context.Unsupported(op, $"QUANTIZE from {input.Type} to {output.Type} inside the model is not supported (int8 ↔ int16 is; float ↔ int16 only at the model's edges)");
        }

        var (inputScale, inputZeroPoint) = input.Type == TfLiteType.Int16 ? Int16Operands.PerTensor(context, op, input) : context.PerTensor(op, input);
        var (outputScale, outputZeroPoint) = output.Type == TfLiteType.Int16 ? Int16Operands.PerTensor(context, op, output) : context.PerTensor(op, output);
        if (!input.Shape.SequenceEqual(output.Shape))
        {
            throw context.Unsupported(op, $"input {input} and output {output} must have the same shape");
        }

        var (multiplier, shift) = ElementwiseLowering.Multiplier(context, op, (double)inputScale / outputScale, "requantization");
        context.Emit(op, OperatorType.Requantize,
            [Int16Operands.AnyOperand(context, op, input)],
            [output.Type == TfLiteType.Int16 ? Int16Operands.Output(context, op, 0) : context.Int8Output(op, 0)],
            ParameterBlock.Of(RequantizeLayout.ParameterCount, (RequantizeLayout.InputZeroPoint, inputZeroPoint), (RequantizeLayout.OutputZeroPoint, outputZeroPoint),
                (RequantizeLayout.Multiplier, multiplier), (RequantizeLayout.Shift, shift)));
    }
}
