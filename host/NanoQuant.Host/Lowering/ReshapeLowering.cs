using NanoQuant.Format;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering;

/// <summary>
/// RESHAPE, SQUEEZE and EXPAND_DIMS → <see cref="OperatorType.Reshape"/> (device/Kernels/ReshapeKernel.cs):
/// a byte copy; the new shape is the TFLite output tensor's. RESHAPE's shape input and EXPAND_DIMS's
/// axis input only describe that shape, so they are checked but never become device operands.
/// TFLM copies the bytes whatever the quantization of the two tensors, and so does the device.
/// </summary>
public sealed class ReshapeLowering : IOperatorLowering
{
    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.Reshape, BuiltinOperator.Squeeze, BuiltinOperator.ExpandDims];

    public void Lower(LoweringContext context, TfLiteOperator op)
    {
        switch (op.Code)
        {
            case BuiltinOperator.Reshape:
                context.RequireCounts(op, 1, 2, 1);
                break;
            case BuiltinOperator.Squeeze:
                context.RequireCounts(op, 1, 1, 1);
                break;
            default:
                context.RequireCounts(op, 2, 2, 1);
                var axis = context.Input(op, 1);
                if (!axis.IsConstant || axis.Type != TfLiteType.Int32 || axis.ElementCount != 1)
                {
                    throw context.Unsupported(op, $"axis {axis} must be a constant int32 scalar");
                }

                break;
        }

        var input = context.Input(op, 0);
        var output = context.Output(op, 0);
        context.PerTensor(op, input);
        context.PerTensor(op, output);
        if (input.ElementCount != output.ElementCount)
        {
            throw context.Unsupported(op, $"input {input} has {input.ElementCount} elements but output {output} has {output.ElementCount}");
        }

        context.Emit(op, OperatorType.Reshape, [context.Int8Operand(op, input)], [context.Int8Output(op, 0)], []);
    }
}
