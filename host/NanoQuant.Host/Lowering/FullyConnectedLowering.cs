using NanoQuant.Format;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering;

/// <summary>FULLY_CONNECTED → <see cref="OperatorType.FullyConnected"/> (device/Kernels/FullyConnectedKernel.cs).</summary>
public sealed class FullyConnectedLowering : IOperatorLowering
{
    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.FullyConnected];

    public void Lower(LoweringContext context, TfLiteOperator op)
    {
        context.RequireCounts(op, 2, 3, 1);
        var options = context.Options(op);
        if (options.GetByte(1) != 0)
        {
            throw context.Unsupported(op, "shuffled weights format is not supported");
        }

        var input = context.Input(op, 0);
        var filter = context.Input(op, 1);
        var bias = context.OptionalInput(op, 2);
        var output = context.Output(op, 0);
        var (inputScale, inputZeroPoint) = context.PerTensor(op, input);
        var (outputScale, outputZeroPoint) = context.PerTensor(op, output);
        if (filter.Shape.Length != 2)
        {
            throw context.Unsupported(op, $"filter {filter} must have rank 2");
        }

        int units = filter.Shape[0], depth = filter.Shape[1];
        if (units < 1 || depth < 1)
        {
            throw context.Unsupported(op, $"filter {filter} has an empty dimension ({units} units, depth {depth})");
        }

        sbyte[] weights = context.Int8Data(op, filter);
        var filterQuantization = filter.Quantization ?? throw context.Unsupported(op, $"filter {filter} is not quantized");
        context.CheckScales(op, filter, filterQuantization.Scales);
        if (filterQuantization.ZeroPoints.Any(z => z != 0))
        {
            throw context.Unsupported(op, $"filter {filter} has a non-zero zero point; int8 weights must be symmetric");
        }

        int[] multipliers, shifts;
        if (filterQuantization.IsPerChannel)
        {
            if (filterQuantization.Scales.Length != units || filterQuantization.Dimension != 0)
            {
                throw context.Unsupported(op, $"filter {filter} has {filterQuantization.Scales.Length} scales along dimension {filterQuantization.Dimension}; expected {units} along 0");
            }

            multipliers = new int[units];
            shifts = new int[units];
            for (int c = 0; c < units; c++)
            {
                (multipliers[c], shifts[c]) = context.QuantizeMultiplier(op, (double)inputScale * filterQuantization.Scales[c] / outputScale, $"channel {c} output");
            }
        }
        else
        {
            // TFLM's GetQuantizedConvolutionMultipler multiplies the two scales in float before widening.
            double real = (double)(inputScale * filterQuantization.Scale) / outputScale;
            var (m, s) = context.QuantizeMultiplier(op, real, "output");
            multipliers = [m];
            shifts = [s];
        }

        int[] biasValues = bias is null ? new int[units] : context.Int32Data(op, bias);
        if (biasValues.Length != units)
        {
            throw context.Unsupported(op, $"bias {bias} has {biasValues.Length} values, expected {units}");
        }

        if (input.ElementCount % depth != 0)
        {
            throw context.Unsupported(op, $"input {input} has {input.ElementCount} elements, not a multiple of the filter depth {depth}");
        }

        var folded = Folding.FoldInputOffset(biasValues, weights, units, depth, -inputZeroPoint);
        var (min, max) = ConvCommon.ActivationRange(context, op, options.GetActivation(0), outputScale, outputZeroPoint);
        int batches = input.ElementCount / depth;
        var inputs = new int[FullyConnectedLayout.InputCount];
        inputs[FullyConnectedLayout.InputSlot] = context.Int8Operand(op, input);
        inputs[FullyConnectedLayout.FilterSlot] = context.AddInt8Constant(weights, [units, depth], $"{filter.Name} (weights)");
        inputs[FullyConnectedLayout.BiasSlot] = context.AddInt32Constant(folded, $"{op} folded bias");
        inputs[FullyConnectedLayout.MultipliersSlot] = context.AddInt32Constant(multipliers, $"{op} multipliers");
        inputs[FullyConnectedLayout.ShiftsSlot] = context.AddInt32Constant(shifts, $"{op} shifts");
        var parameters = new int[FullyConnectedLayout.ParameterCount];
        parameters[FullyConnectedLayout.OutputOffset] = outputZeroPoint;
        parameters[FullyConnectedLayout.ActivationMin] = min;
        parameters[FullyConnectedLayout.ActivationMax] = max;
        context.Emit(op, OperatorType.FullyConnected,
            inputs,
            [context.Int8Output(op, 0)],
            parameters,
            (long)batches * units * depth);
    }
}
