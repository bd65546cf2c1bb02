using NanoQuant.Format;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering;

/// <summary>
/// CONCATENATION → <see cref="OperatorType.Concatenation"/> (device/Kernels/ConcatenationKernel.cs).
/// TFLM's int8 kernel never rescales: it requires every input to have the output's scale and zero
/// point and no fused activation, so a model that needs rescaling is refused here.
/// </summary>
public sealed class ConcatenationLowering : IOperatorLowering
{
    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.Concatenation];

    public void Lower(LoweringContext context, TfLiteOperator op)
    {
        if (op.Inputs.Length < 1 || op.Inputs.Length > ModelFormat.MaxOperands)
        {
            throw context.Unsupported(op, $"has {op.Inputs.Length} inputs, expected 1 to {ModelFormat.MaxOperands}");
        }

        context.RequireCounts(op, op.Inputs.Length, op.Inputs.Length, 1);
        var options = context.Options(op);
        var activation = options.GetActivation(1);
        if (activation != FusedActivation.None)
        {
            throw context.Unsupported(op, $"fused activation {activation} is not supported (TFLM requires none)");
        }

        var output = context.Output(op, 0);
        var (outputScale, outputZeroPoint) = context.PerTensor(op, output);
        int rank = output.Shape.Length;
        int axis = options.GetInt(0);
        if (axis < 0)
        {
            axis += rank;
        }

        if (axis < 0 || axis >= rank)
        {
            throw context.Unsupported(op, $"axis {options.GetInt(0)} is outside the output's {rank} dimensions");
        }

        var inputs = new int[op.Inputs.Length];
        long total = 0;
        for (int i = 0; i < inputs.Length; i++)
        {
            var input = context.Input(op, i);
            var (scale, zeroPoint) = context.PerTensor(op, input);
            if ((double)scale != (double)outputScale || zeroPoint != outputZeroPoint)
            {
                throw context.Unsupported(op, $"input {input} is quantized ({scale}, {zeroPoint}) but the output ({outputScale}, {outputZeroPoint}); TFLM's int8 CONCATENATION does not rescale, so all inputs must share the output's scale and zero point");
            }

            if (input.Shape.Length != rank)
            {
                throw context.Unsupported(op, $"input {input} has rank {input.Shape.Length}, the output {rank}");
            }

            for (int d = 0; d < rank; d++)
            {
                if (d != axis && input.Shape[d] != output.Shape[d])
                {
                    throw context.Unsupported(op, $"input {input} differs from the output in dimension {d}");
                }
            }

            total += input.Shape[axis];
            inputs[i] = context.Int8Operand(op, input);
        }

        if (total != output.Shape[axis])
        {
            throw context.Unsupported(op, $"inputs add up to {total} along axis {axis}, the output has {output.Shape[axis]}");
        }

        context.Emit(op, OperatorType.Concatenation, inputs, [context.Int8Output(op, 0)], ParameterBlock.Of(ConcatenationLayout.ParameterCount, (ConcatenationLayout.Axis, axis)));
    }
}
