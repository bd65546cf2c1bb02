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
public sealed class Activation16Lowering : IInt16OperatorLowering
{
    /// <summary>
    /// sigmoid(i / 24) in unsigned 0.16 fixed point, i = 0 … 255: the values of TFLite's
    /// sigmoid_table_uint16 (common.h), which its int16 LOGISTIC and TANH interpolate. They are not
    /// exactly round(65536 σ(i/24)) (44 entries differ by one), so bit-exactness needs these numbers.
    /// </summary>
    internal static readonly int[] SigmoidTable =
    [
        32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794, 41432, 42064, 42688,
        43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409,
        51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
        57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110,
        61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186,
        63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
        64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845, 64873, 64900,
        64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079, 65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208,
        65221, 65234, 65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
        65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449,
        65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491,
        65493, 65495, 65497, 65498, 65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
        65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524,
        65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530,
        65530, 65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
        65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65535,
    ];

    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.Softmax, BuiltinOperator.Logistic, BuiltinOperator.Tanh];

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
            [multiplier, leftShift]);
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
            [multiplier, shift]);
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
