using NanoQuant.Format;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering.Int16;

/// <summary>
/// RELU and RELU6 in 16x8 → ReluInt16Kernel (requantizing, TFLM's CalculateReluOpData with int16
/// limits; zero points 0) and Relu6Int16Kernel (a clamp to [0, quantize(6.0)] in the input's domain).
/// </summary>
public sealed class Relu16Lowering : IOperatorLowering
{
    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.Relu, BuiltinOperator.Relu6];

    public TfLiteType Activations => TfLiteType.Int16;

    public void Lower(LoweringContext context, TfLiteOperator op)
    {
        context.RequireCounts(op, 1, 1, 1);
        var input = context.Input(op, 0);
        var output = context.Output(op, 0);
        float inputScale = Int16Operands.Symmetric(context, op, input);
        float outputScale = Int16Operands.Symmetric(context, op, output);
        if (!input.Shape.SequenceEqual(output.Shape))
        {
            throw context.Unsupported(op, $"input {input} and output {output} must have the same shape");
        }

        int[] parameters;
        if (op.Code == BuiltinOperator.Relu6)
        {
            double six = Math.Round((double)(6f / inputScale), MidpointRounding.AwayFromZero);
            parameters = ParameterBlock.Of(Relu6Layout.ParameterCount, (Relu6Layout.Lower, 0), (Relu6Layout.Upper, (int)Math.Clamp(six, short.MinValue, short.MaxValue)));
        }
        else
        {
            var (multiplier, shift) = ElementwiseLowering.Multiplier(context, op, inputScale / outputScale, "rescaling");
            parameters = ParameterBlock.Of(ReluLayout.ParameterCount, (ReluLayout.InputZeroPoint, 0), (ReluLayout.OutputZeroPoint, 0),
                (ReluLayout.Multiplier, multiplier), (ReluLayout.Shift, shift), (ReluLayout.ActivationMin, 0), (ReluLayout.ActivationMax, short.MaxValue));
        }

        context.Emit(op, op.Code == BuiltinOperator.Relu6 ? OperatorType.Relu6 : OperatorType.Relu,
            [Int16Operands.Operand(context, op, input)],
            [Int16Operands.Output(context, op, 0)],
            parameters);
    }
}
