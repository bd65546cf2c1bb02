using NanoQuant.Format;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering;

/// <summary>
/// RELU → <see cref="OperatorType.Relu"/> (requantizing) and RELU6 → <see cref="OperatorType.Relu6"/>
/// (a clamp in the input's quantized domain) (device/Kernels/ReluKernel.cs, Relu6Kernel.cs).
/// </summary>
public sealed class ReluLowering : IOperatorLowering
{
    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.Relu, BuiltinOperator.Relu6];

    public void Lower(LoweringContext context, TfLiteOperator op)
    {
        var (input, output) = ElementwiseLowering.Unary(context, op);
        if (op.Code == BuiltinOperator.Relu6)
        {
            // activations_common.cc: [zero point, quantize(6.0)] with the INPUT's parameters; the output's are not used.
            double six = Math.Round((double)(6f / input.Scale), MidpointRounding.AwayFromZero) + input.ZeroPoint;
            int upper = (int)Math.Clamp(six, sbyte.MinValue, sbyte.MaxValue);
            ElementwiseLowering.EmitUnary(context, op, OperatorType.Relu6, input, ParameterBlock.Of(Relu6Layout.ParameterCount, (Relu6Layout.Lower, input.ZeroPoint), (Relu6Layout.Upper, upper)));
            return;
        }

        // CalculateReluOpData: the scale ratio in single precision; the clamp starts at the output's zero point.
        var (multiplier, shift) = ElementwiseLowering.Multiplier(context, op, input.Scale / output.Scale, "rescaling");
        int min = Math.Max(sbyte.MinValue, output.ZeroPoint);
        ElementwiseLowering.EmitUnary(context, op, OperatorType.Relu, input,
            ParameterBlock.Of(ReluLayout.ParameterCount, (ReluLayout.InputZeroPoint, input.ZeroPoint), (ReluLayout.OutputZeroPoint, output.ZeroPoint),
                (ReluLayout.Multiplier, multiplier), (ReluLayout.Shift, shift), (ReluLayout.ActivationMin, min), (ReluLayout.ActivationMax, sbyte.MaxValue)));
    }
}
