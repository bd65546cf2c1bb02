using NanoQuant.Format;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering.Int16;

/// <summary>
/// RESHAPE, SQUEEZE and EXPAND_DIMS of int16 tensors → ReshapeKernel, which copies the bytes
/// (TFLM copies the buffer whatever the quantization).
/// </summary>
public sealed class Reshape16Lowering : IOperatorLowering
{
    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.Reshape, BuiltinOperator.Squeeze, BuiltinOperator.ExpandDims];

    public TfLiteType Activations => TfLiteType.Int16;

    public void Lower(LoweringContext context, TfLiteOperator op)
    {
        context.RequireCounts(op, 1, 2, 1);
        var input = context.Input(op, 0);
        var output = context.Output(op, 0);
        Int16Operands.PerTensor(context, op, input);
        Int16Operands.PerTensor(context, op, output);
        if (input.ElementCount != output.ElementCount)
        {
            throw context.Unsupported(op, $"input {input} has {input.ElementCount} elements but output {output} has {output.ElementCount}");
        }

        context.Emit(op, OperatorType.Reshape, [Int16Operands.Operand(context, op, input)], [Int16Operands.Output(context, op, 0)], []);
    }
}
