using NanoQuant.Format;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering;

/// <summary>LEAKY_RELU → <see cref="OperatorType.LeakyRelu"/> (device/Kernels/LeakyReluKernel.cs).</summary>
public sealed class LeakyReluLowering : IOperatorLowering
{
    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.LeakyRelu];

    public void Lower(LoweringContext context, TfLiteOperator op)
    {
        var (input, output) = ElementwiseLowering.Unary(context, op);
        float alpha = context.Options(op).GetFloat(0);
        if (!float.IsFinite(alpha))
        {
            throw context.Unsupported(op, $"alpha {alpha} is not finite");
        }

        // leaky_relu_common.cc: both ratios in single precision, then QuantizeMultiplier (a negative alpha gives a negative multiplier).
        var (identityMultiplier, identityShift) = ElementwiseLowering.Multiplier(context, op, input.Scale / output.Scale, "identity");
        float alphaRatio = input.Scale * alpha / output.Scale;
        if (!float.IsFinite(alphaRatio))
        {
            throw context.Unsupported(op, $"alpha {alpha} with input scale {input.Scale} and output scale {output.Scale} gives a multiplier beyond single precision");
        }

        var (alphaMultiplier, alphaShift) = QuantizationMath.QuantizeMultiplierUnbounded(alphaRatio);
        if (alphaShift > QuantizedMath.MaxShift || alphaMultiplier == int.MinValue)
        {
            throw context.Unsupported(op, $"alpha {alpha} with these scales gives a multiplier outside the range TFLite Micro handles");
        }

        ElementwiseLowering.EmitUnary(context, op, OperatorType.LeakyRelu, input,
            ParameterBlock.Of(LeakyReluLayout.ParameterCount, (LeakyReluLayout.InputZeroPoint, input.ZeroPoint), (LeakyReluLayout.OutputZeroPoint, output.ZeroPoint),
                (LeakyReluLayout.IdentityMultiplier, identityMultiplier), (LeakyReluLayout.IdentityShift, identityShift),
                (LeakyReluLayout.AlphaMultiplier, alphaMultiplier), (LeakyReluLayout.AlphaShift, alphaShift)));
    }
}
