using NanoQuant.Format;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering.Int16;

/// <summary>
/// FULLY_CONNECTED in 16x8 → the device's FullyConnectedInt16Kernel: int16 input and output, int8 symmetric weights
/// (per channel or per tensor), int64 bias or none (<see cref="Conv16Common"/>), 64-bit requantization.
/// </summary>
public sealed class FullyConnected16Lowering : IOperatorLowering
{
    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.FullyConnected];

    public TfLiteType Activations => TfLiteType.Int16;

    public void Lower(LoweringContext context, TfLiteOperator op)
    {
        var (input, filter, bias, output) = Conv16Common.Operands(context, op);
        var options = context.Options(op);
        if (options.GetByte(1) != 0)
        {
            throw context.Unsupported(op, "shuffled weights format is not supported");
        }

        var (inputScale, inputZeroPoint) = Int16Operands.PerTensor(context, op, input);
        var (outputScale, outputZeroPoint) = Int16Operands.PerTensor(context, op, output);
        if (filter.Shape.Length != 2)
        {
            throw context.Unsupported(op, $"filter {filter} must have rank 2");
        }

        int units = filter.Shape[0], depth = filter.Shape[1];
        if (units < 1 || depth < 1)
        {
            throw context.Unsupported(op, $"filter {filter} has an empty dimension ({units} units, depth {depth})");
        }

        var q = filter.Quantization ?? throw context.Unsupported(op, $"filter {filter} is not quantized");
        context.CheckScales(op, filter, q.Scales);
        if (q.ZeroPoints.Any(z => z != 0))
        {
            throw context.Unsupported(op, $"filter {filter} has a non-zero zero point; int8 weights must be symmetric");
        }

        var multipliers = new int[units];
        var shifts = new int[units];
        if (q.IsPerChannel)
        {
            if (q.Scales.Length != units || q.Dimension != 0)
            {
                throw context.Unsupported(op, $"filter {filter} has {q.Scales.Length} scales along dimension {q.Dimension}; expected {units} along 0");
            }

            for (int c = 0; c < units; c++)
            {
                (multipliers[c], shifts[c]) = Multiplier(context, op, (double)inputScale * q.Scales[c] / outputScale, c);
            }
        }
        else
        {
            // TFLM's GetQuantizedConvolutionMultipler multiplies the two scales in float before widening.
            var (m, s) = Multiplier(context, op, (double)(inputScale * q.Scale) / outputScale, 0);
            Array.Fill(multipliers, m);
            Array.Fill(shifts, s);
        }

        Int16Operands.RequireWideShifts(context, op, shifts);
        if (input.ElementCount % depth != 0 || output.ElementCount != input.ElementCount / depth * units)
        {
            throw context.Unsupported(op, $"input {input} ({input.ElementCount} elements) and output {output} do not fit weights [{units}, {depth}]");
        }

        long[]? biasValues = Int16Operands.Bias(context, op, bias, units);
        var (min, max) = Int16Operands.ActivationRange(context, op, options.GetActivation(0), outputScale, outputZeroPoint);
        context.Emit(op, OperatorType.FullyConnected,
            [
                Int16Operands.Operand(context, op, input),
                context.AddInt8Constant(context.Int8Data(op, filter), [units, depth], $"{filter.Name} (weights)"),
                Int16Operands.AddInt64Constant(context, biasValues, $"{op} bias"),
                context.AddInt32Constant(multipliers, $"{op} multipliers"),
                context.AddInt32Constant(shifts, $"{op} shifts"),
            ],
            [Int16Operands.Output(context, op, 0)],
            FullyConnectedInt16Parameters(-inputZeroPoint, outputZeroPoint, min, max),
            (long)(input.ElementCount / depth) * units * depth);
    }

    private static (int Multiplier, int Shift) Multiplier(LoweringContext context, TfLiteOperator op, double real, int channel)
    {
        try
        {
            return QuantizationMath.QuantizeMultiplier(real);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw context.Unsupported(op, $"channel {channel}: the requantization multiplier {real} cannot be represented");
        }
    }

    /// <summary>The 16x8 FULLY_CONNECTED parameters (<see cref="FullyConnectedLayout"/>).</summary>
    private static int[] FullyConnectedInt16Parameters(int inputOffset, int outputOffset, int min, int max)
    {
        var p = new int[FullyConnectedLayout.Int16ParameterCount];
        p[FullyConnectedLayout.Int16InputOffset] = inputOffset;
        p[FullyConnectedLayout.Int16OutputOffset] = outputOffset;
        p[FullyConnectedLayout.Int16ActivationMin] = min;
        p[FullyConnectedLayout.Int16ActivationMax] = max;
        return p;
    }
}
