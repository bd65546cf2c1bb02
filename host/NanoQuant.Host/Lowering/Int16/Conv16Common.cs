using NanoQuant.Format;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering.Int16;

/// <summary>
/// What the 16x8 CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED lowerings share: int8 symmetric constant weights
/// (per channel or per tensor), an int64 bias or none, and the device operator's inputs. TFLM's int16 convolutions
/// apply no offsets (zero points 0); the per-channel multipliers are as for int8, with shifts within [−31, 7].
/// </summary>
internal static class Conv16Common
{
    /// <summary>The operands after the checks every 16x8 convolution makes: constant int8 weights, and no int32-accumulating variant.</summary>
    public static (TfLiteTensor Input, TfLiteTensor Filter, TfLiteTensor? Bias, TfLiteTensor Output) Operands(LoweringContext context, TfLiteOperator op)
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

        return (input, filter, bias, output);
    }

    /// <summary>The input and output scales of a windowed 16x8 convolution (symmetric, rank 4), and its output channels checked against the filter's.</summary>
    public static (float InputScale, float OutputScale) WindowedScales(LoweringContext context, TfLiteOperator op, TfLiteTensor input, TfLiteTensor filter, TfLiteTensor output, int outChannels)
    {
        float inputScale = Int16Operands.Symmetric(context, op, input);
        float outputScale = Int16Operands.Symmetric(context, op, output);
        if (input.Shape.Length != 4 || filter.Shape.Length != 4 || output.Shape.Length != 4)
        {
            throw context.Unsupported(op, "input, filter and output must have rank 4");
        }

        if (output.Shape[3] != outChannels)
        {
            throw context.Unsupported(op, $"output {output} has {output.Shape[3]} channels, the filter {outChannels}");
        }

        return (inputScale, outputScale);
    }

    /// <summary>
    /// The multipliers, bias and clamp range of a windowed 16x8 convolution, and the device operator with its weights
    /// (already in the kernel's order) added as <paramref name="weightsName"/>.
    /// </summary>
    public static void EmitWindowed(LoweringContext context, TfLiteOperator op, OperatorType type, TfLiteTensor input, TfLiteTensor filter, TfLiteTensor? bias,
        (float Input, float Output) scales, int outChannels, ConvCommon.Window window, FusedActivation activation,
        Func<sbyte[], (sbyte[] Weights, int[] Shape, string Name)> kernelWeights, int[] parameters, long macs)
    {
        var (multipliers, shifts) = ConvCommon.ChannelMultipliers(context, op, scales.Input, scales.Output, filter, outChannels);
        Int16Operands.RequireWideShifts(context, op, shifts);
        long[]? biasValues = Int16Operands.Bias(context, op, bias, outChannels);
        var (min, max) = Int16Operands.ActivationRange(context, op, activation, scales.Output, 0);
        var (weights, shape, name) = kernelWeights(context.Int8Data(op, filter));
        int weightsTensor = context.AddInt8Constant(weights, shape, name);
        int[] windowParameters = ConvCommon.Parameters(window, 0, 0, min, max);
        context.Emit(op, type,
            [
                Int16Operands.Operand(context, op, input),
                weightsTensor,
                Int16Operands.AddInt64Constant(context, biasValues, $"{op} bias"),
                context.AddInt32Constant(multipliers, $"{op} multipliers"),
                context.AddInt32Constant(shifts, $"{op} shifts"),
            ],
            [Int16Operands.Output(context, op, 0)],
            [.. windowParameters, .. parameters],
            macs);
    }
}
