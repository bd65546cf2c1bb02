using NanoQuant.Format;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering;

/// <summary>
/// LOGISTIC → <see cref="OperatorType.Logistic"/> and TANH → <see cref="OperatorType.Tanh"/>
/// (device/Kernels/LogisticKernel.cs, TanhKernel.cs): both rescale the input to Q4.27 the same way.
/// </summary>
public sealed class LogisticLowering : IOperatorLowering
{
    /// <summary>TFLM's kInputIntegerBits for int8 LOGISTIC and TANH.</summary>
    private const int InputIntegerBits = 4;

    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.Logistic, BuiltinOperator.Tanh];

    public void Lower(LoweringContext context, TfLiteOperator op)
    {
        var (input, output) = ElementwiseLowering.Unary(context, op);
        bool logistic = op.Code == BuiltinOperator.Logistic;

        // LOGISTIC checks its output zero point; TANH writes round(tanh × 128) whatever the output's quantization says.
        if (logistic && output.ZeroPoint != -128)
        {
            throw context.Unsupported(op, $"output {output.Tensor} has zero point {output.ZeroPoint}; TFLite Micro's int8 logistic requires -128");
        }

        // logistic_common.cc / tanh.cc: frexp of input scale × 2^27, the mantissa rounded to 31 bits without renormalizing.
        double real = (double)input.Scale * (1 << (31 - InputIntegerBits));
        double q = Conversion.QuantizationMath.Frexp(real, out int shift);
        double rounded = Math.Round(q * (1L << 31), MidpointRounding.AwayFromZero);
        if (rounded > int.MaxValue)
        {
            throw context.Unsupported(op, $"input scale {input.Scale} gives a multiplier that rounds to 2^31, which TFLite Micro's int32 conversion cannot hold");
        }

        if (shift is < 0 or > QuantizedMath.MaxShift)
        {
            throw context.Unsupported(op, $"input scale {input.Scale} is outside the range TFLite Micro's int8 {(logistic ? "logistic" : "tanh")} handles (left shift {shift} not in [0, 30])");
        }

        // CalculateInputRadius(4, shift, 31).
        double maxInputRescaled = 1.0 * ((1 << InputIntegerBits) - 1) * (1L << (31 - InputIntegerBits)) / (1L << shift);
        int radius = (int)Math.Floor(maxInputRescaled);
        ElementwiseLowering.EmitUnary(context, op, logistic ? OperatorType.Logistic : OperatorType.Tanh, input,
            ParameterBlock.Of(LogisticTanhLayout.ParameterCount, (LogisticTanhLayout.InputZeroPoint, input.ZeroPoint), (LogisticTanhLayout.InputRadius, radius),
                (LogisticTanhLayout.InputMultiplier, (int)rounded), (LogisticTanhLayout.InputLeftShift, shift)));
    }
}
