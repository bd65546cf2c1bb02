using NanoQuant.Format;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering.Int16;

/// <summary>
/// CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED in 16x8 → the device's Conv2DInt16Kernel,
/// DepthwiseConv2DInt16Kernel and FullyConnectedInt16Kernel: int16 input and output with zero point
/// 0 (TFLM's int16 convolutions apply no offsets), int8 symmetric weights (per channel or per
/// tensor), int64 bias or none, per-channel multipliers as for int8 (64-bit requantization, shifts
/// within [−31, 7]).
/// </summary>
public sealed class Conv16Lowering : IInt16OperatorLowering
{
    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.Conv2d, BuiltinOperator.DepthwiseConv2d, BuiltinOperator.FullyConnected];

    public void Lower(LoweringContext context, TfLiteOperator op)
    {
        context.RequireCounts(op, 2, 3, 1);
        var input = context.Input(op, 0);
        var filter = context.Input(op, 1);
        var bias = context.OptionalInput(op, 2);
        var output = context.Output(op, 0);
        if (filter.Type != TfLiteType.Int8 || !filter.IsConstant)
        {
            throw context.Unsupported(op, $"filter {filter} is {filter.Type}{(filter.IsConstant ? "" : " and not constant")}; 16x8 needs constant int8 weights");
        }

        // Without a bias, quantized_bias_type INT32 in CONV_2D's or FULLY_CONNECTED's options makes TFLM accumulate in
        // int32 and requantize with its 32-bit MultiplyByQuantizedMultiplier, as with an int32 bias (refused in Int16Operands.Bias).
        if (bias is null && op.Code != BuiltinOperator.DepthwiseConv2d
            && context.Options(op).GetByte(op.Code == BuiltinOperator.Conv2d ? 6 : 4) == (byte)TfLiteType.Int32)
        {
            throw context.Unsupported(op, "quantized_bias_type INT32 selects TFLite Micro's int32-accumulating 16x8 variant, which nanoQuant does not support (its 16x8 kernels accumulate in 64 bits, as TensorFlow's default int64 bias type)");
        }

        if (op.Code == BuiltinOperator.FullyConnected)
        {
            LowerFullyConnected(context, op, input, filter, bias, output);
            return;
        }

        float inputScale = Int16Operands.Symmetric(context, op, input);
        float outputScale = Int16Operands.Symmetric(context, op, output);
        if (input.Shape.Length != 4 || filter.Shape.Length != 4 || output.Shape.Length != 4)
        {
            throw context.Unsupported(op, "input, filter and output must have rank 4");
        }

        var options = context.Options(op);
        bool depthwise = op.Code == BuiltinOperator.DepthwiseConv2d;
        int filterHeight = filter.Shape[1], filterWidth = filter.Shape[2];
        int outChannels = depthwise ? filter.Shape[3] : filter.Shape[0];
        int inChannels = input.Shape[3];
        if (output.Shape[3] != outChannels)
        {
            throw context.Unsupported(op, $"output {output} has {output.Shape[3]} channels, the filter {outChannels}");
        }

        ConvCommon.Window window;
        FusedActivation activation;
        int depthMultiplier = 0;
        if (depthwise)
        {
            if (filter.Shape[0] != 1 || outChannels % inChannels != 0 || options.GetInt(3) != outChannels / inChannels)
            {
                throw context.Unsupported(op, $"filter [{string.Join(", ", filter.Shape)}] and depth_multiplier {options.GetInt(3)} do not fit the {inChannels}-channel input");
            }

            depthMultiplier = outChannels / inChannels;
            window = ConvCommon.ResolveWindow(context, op, input, output, filterHeight, filterWidth,
                options.GetByte(0), options.GetInt(2), options.GetInt(1), options.GetInt(6, 1), options.GetInt(5, 1));
            activation = options.GetActivation(4);
        }
        else
        {
            int filterDepth = filter.Shape[3];
            if (filterDepth < 1 || inChannels % filterDepth != 0 || outChannels % (inChannels / filterDepth) != 0)
            {
                throw context.Unsupported(op, $"the filter's {filterDepth} input channels do not divide the input's {inChannels} into groups that divide the {outChannels} output channels");
            }

            window = ConvCommon.ResolveWindow(context, op, input, output, filterHeight, filterWidth,
                options.GetByte(0), options.GetInt(2), options.GetInt(1), options.GetInt(5, 1), options.GetInt(4, 1));
            activation = options.GetActivation(3);
        }

        var (multipliers, shifts) = ConvCommon.ChannelMultipliers(context, op, inputScale, outputScale, filter, outChannels);
        Int16Operands.RequireWideShifts(context, op, shifts);
        long[]? biasValues = Int16Operands.Bias(context, op, bias, outChannels);
        var (min, max) = Int16Operands.ActivationRange(context, op, activation, outputScale, 0);
        sbyte[] weights = context.Int8Data(op, filter);
        int taps = filterHeight * filterWidth;
        int weightsTensor;
        if (depthwise)
        {
            // [1, h, w, c] → channel-major [c, h, w].
            var channelMajor = new sbyte[weights.Length];
            for (int t = 0; t < taps; t++)
            {
                for (int c = 0; c < outChannels; c++)
                {
                    channelMajor[(c * taps) + t] = weights[(t * outChannels) + c];
                }
            }

            weightsTensor = context.AddInt8Constant(channelMajor, [outChannels, filterHeight, filterWidth], $"{filter.Name} (channel-major weights)");
        }
        else
        {
            weightsTensor = context.AddInt8Constant(weights, filter.Shape, $"{filter.Name} (weights)");
        }

        int[] parameters = ConvCommon.Parameters(window, 0, 0, min, max);
        if (depthwise)
        {
            parameters = [.. parameters, depthMultiplier];
        }

        long macs = (long)input.Shape[0] * window.OutputHeight * window.OutputWidth * outChannels * (depthwise ? taps : taps * filter.Shape[3]);
        context.Emit(op, depthwise ? OperatorType.DepthwiseConv2D : OperatorType.Conv2D,
            [
                Int16Operands.Operand(context, op, input),
                weightsTensor,
                Int16Operands.AddInt64Constant(context, biasValues, $"{op} bias"),
                context.AddInt32Constant(multipliers, $"{op} multipliers"),
                context.AddInt32Constant(shifts, $"{op} shifts"),
            ],
            [Int16Operands.Output(context, op, 0)],
            parameters,
            macs);
    }

    private static void LowerFullyConnected(LoweringContext context, TfLiteOperator op, TfLiteTensor input, TfLiteTensor filter, TfLiteTensor? bias, TfLiteTensor output)
    {
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
