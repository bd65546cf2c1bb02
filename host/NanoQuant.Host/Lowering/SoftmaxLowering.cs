using NanoQuant.Format;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering;

/// <summary>SOFTMAX → <see cref="OperatorType.Softmax"/> (device/Kernels/SoftmaxKernel.cs).</summary>
public sealed class SoftmaxLowering : IOperatorLowering
{
    /// <summary>TFLM's kScaledDiffIntegerBits: input differences are rescaled to Q5.26.</summary>
    private const int ScaledDiffIntegerBits = 5;

    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.Softmax];

    public void Lower(LoweringContext context, TfLiteOperator op)
    {
        var (input, output) = ElementwiseLowering.Unary(context, op);
        if (output.ZeroPoint != -128 || output.Scale != 1f / 256)
        {
            throw context.Unsupported(op, $"output {output.Tensor} has scale {output.Scale} and zero point {output.ZeroPoint}; TFLite Micro's int8 softmax requires 1/256 and -128");
        }

        float beta = context.Options(op).GetFloat(0);

        // PreprocessSoftmaxScaling: beta × input scale × 2^(31 − 5), capped at 2^31 − 1, as a multiplier greater than one.
        double real = Math.Min((double)beta * input.Scale * (1 << (31 - ScaledDiffIntegerBits)), (1L << 31) - 1.0);
        if (!(real > 1))
        {
            throw context.Unsupported(op, $"beta {beta} × input scale {input.Scale} × 2^26 = {real} is not above 1, which TFLite Micro requires");
        }

        ElementwiseLowering.EmitUnary(context, op, OperatorType.Softmax, input, Parameters(real));
    }

    /// <summary>
    /// The device's SOFTMAX parameters (<see cref="SoftmaxLayout"/>) from PreprocessSoftmaxScaling's real multiplier
    /// (β × input scale × 2^26, capped, above one): the multiplier and left shift, and diff_min = −CalculateInputRadius(5, shift).
    /// </summary>
    internal static int[] Parameters(double real)
    {
        var (multiplier, shift) = QuantizationMath.QuantizeMultiplierUnbounded(real);

        // CalculateInputRadius(5, shift): the largest input difference that does not overflow once rescaled.
        double maxInputRescaled = 1.0 * ((1 << ScaledDiffIntegerBits) - 1) * (1L << (31 - ScaledDiffIntegerBits)) / (1L << shift);
        int diffMin = -(int)Math.Floor(maxInputRescaled);
        return ParameterBlock.Of(SoftmaxLayout.ParameterCount, (SoftmaxLayout.InputMultiplier, multiplier), (SoftmaxLayout.InputLeftShift, shift), (SoftmaxLayout.DiffMin, diffMin));
    }
}
