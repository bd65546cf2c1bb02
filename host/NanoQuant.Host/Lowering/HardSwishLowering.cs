using NanoQuant.Format;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering;

/// <summary>HARD_SWISH → <see cref="OperatorType.HardSwish"/> (device/Kernels/HardSwishKernel.cs).</summary>
public sealed class HardSwishLowering : IOperatorLowering
{
    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.HardSwish];

    public void Lower(LoweringContext context, TfLiteOperator op)
    {
        var (input, output) = ElementwiseLowering.Unary(context, op);

        // hard_swish_common.cc, in single precision up to each ratio.
        float hiresInputScale = (1.0f / 128.0f) * input.Scale;
        const float reluishScale = 3.0f / 32768.0f;
        var (outputMultiplier, outputExponent) = ElementwiseLowering.Multiplier(context, op, hiresInputScale / output.Scale, "output");
        var (reluishMultiplier, reluishExponent) = ElementwiseLowering.Multiplier(context, op, hiresInputScale / reluishScale, "reluish");
        if (outputExponent > 0)
        {
            throw context.Unsupported(op, $"input scale {input.Scale} / 128 is larger than the output scale {output.Scale}, which TFLite Micro's int8 hard swish rejects");
        }

        if (outputExponent < -15 || reluishExponent < -15)
        {
            throw context.Unsupported(op, $"input scale {input.Scale} and output scale {output.Scale} need a 16-bit rounding shift of more than 15 bits, which the device kernel does not emulate");
        }

        ElementwiseLowering.EmitUnary(context, op, OperatorType.HardSwish, input,
            ParameterBlock.Of(HardSwishLayout.ParameterCount, (HardSwishLayout.InputZeroPoint, input.ZeroPoint), (HardSwishLayout.OutputZeroPoint, output.ZeroPoint),
                (HardSwishLayout.ReluishMultiplier, DownScaleToInt16(reluishMultiplier)), (HardSwishLayout.ReluishExponent, reluishExponent),
                (HardSwishLayout.OutputMultiplier, DownScaleToInt16(outputMultiplier)), (HardSwishLayout.OutputExponent, outputExponent)));
    }

    /// <summary>TFLite's DownScaleInt32ToInt16Multiplier: the top 16 bits, rounded, saturating at 32767.</summary>
    internal static int DownScaleToInt16(int multiplier) =>
        multiplier >= int.MaxValue - (1 << 15) ? short.MaxValue : (multiplier + (1 << 15)) >> 16;
}
