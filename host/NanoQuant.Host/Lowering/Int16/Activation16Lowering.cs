using NanoQuant.Format;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering.Int16;

/// <summary>
/// SOFTMAX, LOGISTIC and TANH in 16x8 → SoftmaxInt16Kernel, LogisticInt16Kernel, TanhInt16Kernel, with
/// the checks and parameters of TFLM's int16 Prepare functions: zero points 0; SOFTMAX output scale
/// 1/32768 and its two 513-entry tables (exp on [−10, 0] and 1/(1 + x) on [0, 1]) built as TFLM's
/// LUTPopulate builds them, in single precision; LOGISTIC/TANH output scale 2^-15, the input rescaled
/// to 1/(3 × 4096) per step (shift only when the input scale is the power of two TFLM's fast path
/// takes), and TFLM's 256-entry sigmoid table.
/// </summary>
public sealed class Activation16Lowering : IOperatorLowering
{
    /// <summary>
    /// TFLite's sigmoid_table_uint16, which its int16 LOGISTIC and TANH interpolate: the device's own
    /// copy (the int8 LSTM's activations use the same table), so the numbers live in one place.
    /// </summary>
    internal static readonly int[] SigmoidTable = NanoQuant.Int16Activations.CopySigmoidTable();

    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.Softmax, BuiltinOperator.Logistic, BuiltinOperator.Tanh];

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

        if (op.Code == BuiltinOperator.Softmax)
        {
            LowerSoftmax(context, op, input, inputScale, outputScale);
            return;
        }

        bool logistic = op.Code == BuiltinOperator.Logistic;
        if (!CheckedLog2(outputScale, out int outputLog2) || outputLog2 != -15)
        {
            throw context.Unsupported(op, $"output scale {outputScale} is not 2^-15, which TFLite Micro's int16 {(logistic ? "LOGISTIC" : "TANH")} requires");
        }

        bool powerOfTwo = CheckedLog2(inputScale, out int inputLog2);
        int leftShift = (15 - 3) + inputLog2;
        powerOfTwo &= logistic ? leftShift == 0 : leftShift is 0 or 1;
        int multiplier;
        if (powerOfTwo)
        {
            multiplier = 3 << leftShift;
            leftShift = 0;
        }
        else
        {
            // Rescale the input to 1/(3 × 4096) per step: ±2^17 then spans ±10.7.
            double real = (double)inputScale * 4096.0 * 3.0;
            leftShift = 0;
            while (real <= 32767.0 / 2.0 && leftShift <= 30)
            {
                leftShift++;
                real *= 2.0;
            }

            multiplier = (int)real;
            if (multiplier > 32767)
            {
                throw context.Unsupported(op, $"input scale {inputScale} is too large for TFLite Micro's int16 {(logistic ? "LOGISTIC" : "TANH")} (its input multiplier would exceed 32767)");
            }
        }

        context.Emit(op, logistic ? OperatorType.Logistic : OperatorType.Tanh,
            [Int16Operands.Operand(context, op, input), context.AddInt32Constant(SigmoidTable, $"{op} sigmoid table")],
            [Int16Operands.Output(context, op, 0)],
            ParameterBlock.Of(LogisticTanhLayout.Int16ParameterCount, (LogisticTanhLayout.Int16InputMultiplier, multiplier), (LogisticTanhLayout.Int16InputLeftShift, leftShift)));
    }

    private static void LowerSoftmax(LoweringContext context, TfLiteOperator op, TfLiteTensor input, float inputScale, float outputScale)
    {
        if (Math.Abs(outputScale - (1f / 32768)) > 0.001f * (1f / 32768))
        {
            throw context.Unsupported(op, $"output scale {outputScale} is not 1/32768, which TFLite Micro's int16 SOFTMAX requires");
        }

        float beta = context.Options(op).GetFloat(0);
        double real = (double)inputScale * beta / (10.0 / 65535.0);
        var (multiplier, shift) = ElementwiseLowering.Multiplier(context, op, real, "input");
        if (input.Shape.Length == 0 || input.Shape[^1] > 65536)
        {
            throw context.Unsupported(op, "the softmax axis must hold 1 to 65536 values");
        }

        const int Range = short.MaxValue - short.MinValue;
        int[] expTable = Populate(10.0f / Range, short.MaxValue, 2.0f / Range, 0, MathF.Exp);
        int[] reciprocalTable = Populate(1.0f / Range, short.MinValue, 2.0f / Range, 0, x => 1.0f / (1.0f + x));
        context.Emit(op, OperatorType.Softmax,
            [
                Int16Operands.Operand(context, op, input),
                context.AddInt32Constant(expTable, $"{op} exp table"),
                context.AddInt32Constant(reciprocalTable, $"{op} 1/(1+x) table"),
            ],
            [Int16Operands.Output(context, op, 0)],
            ParameterBlock.Of(SoftmaxLayout.Int16ParameterCount, (SoftmaxLayout.Int16InputMultiplier, multiplier), (SoftmaxLayout.Int16InputShift, shift)));
    }

    /// <summary>TFLite's LUTPopulate for int16 (513 entries, single precision, midpoint bias correction).</summary>
    internal static int[] Populate(float inputScale, int inputZeroPoint, float outputScale, int outputZeroPoint, Func<float, float> transform)
    {
        float inputMin = inputScale * (short.MinValue - inputZeroPoint);
        float inputMax = inputScale * (short.MaxValue - inputZeroPoint);
        float outputMin = outputScale * (short.MinValue - outputZeroPoint);
        float outputMax = outputScale * (short.MaxValue - outputZeroPoint);
        const int Steps = 512;
        float step = (inputMax - inputMin) / Steps;
        float halfStep = step / 2;
        float scalingInverse = (float)(short.MaxValue - short.MinValue + 1) / (outputMax - outputMin);
        var table = new int[Steps + 1];
        for (int i = 0; i < Steps; i++)
        {
            float value = transform(inputMin + (i * step));
            float midpoint = transform(inputMin + (i * step) + halfStep);
            float next = transform(inputMin + ((i + 1) * step));
            float sample = Round(value * scalingInverse);
            float interpolated = Round(((next * scalingInverse) + Round(value * scalingInverse)) / 2);
            float midpointValue = Round(midpoint * scalingInverse);
            float bias = Round((interpolated - midpointValue) / 2);
            table[i] = (short)Math.Min(Math.Max(sample - bias, short.MinValue), short.MaxValue);
        }

        table[Steps] = (short)Math.Min(Math.Max(Round(transform(inputMax) * scalingInverse), short.MinValue), short.MaxValue);
        return table;
    }

    private static float Round(float value) => MathF.Round(value, MidpointRounding.AwayFromZero);

    /// <summary>TFLite's CheckedLog2: the rounded log2 of <paramref name="value"/> and whether it is (within 1e-3) a power of two.</summary>
    internal static bool CheckedLog2(float value, out int log2)
    {
        float exact = MathF.Log(value) * (1.0f / MathF.Log(2.0f));
        float rounded = MathF.Round(exact, MidpointRounding.AwayFromZero);
        log2 = (int)rounded;
        return MathF.Abs(exact - rounded) < 1e-3f;
    }
}
