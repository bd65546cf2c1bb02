using NanoQuant.Format;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering;

/// <summary>
/// What CONV_2D and DEPTHWISE_CONV_2D lower alike: element type checks, the resolved sliding
/// window (TFLite's output size and padding formulas), per-channel requantization multipliers as
/// TFLite Micro's PopulateConvolutionQuantizationParams computes them, the bias, and the
/// parameter list the device's ConvWindow reads.
/// </summary>
internal static class ConvCommon
{
    private const int MaxStride = WindowPadding.MaxStride;
    private const int MaxDilation = WindowPadding.MaxDilation;

    /// <summary>A resolved window: everything the device needs to slide the filter over the input.</summary>
    public sealed record Window(PaddingType Padding, int StrideHeight, int StrideWidth, int DilationHeight, int DilationWidth, int PadTop, int PadLeft, int OutputHeight, int OutputWidth);

    /// <summary>An int8 convolution's operands, their per-tensor quantization and its options (<see cref="Int8Operands"/>).</summary>
    public sealed record Int8Conv(
        OperatorOptions Options, TfLiteTensor Input, TfLiteTensor Filter, TfLiteTensor? Bias, TfLiteTensor Output,
        float InputScale, int InputZeroPoint, float OutputScale, int OutputZeroPoint);

    /// <summary>Reads and checks the operands of an int8 CONV_2D or DEPTHWISE_CONV_2D: input, constant filter, optional bias, one output.</summary>
    public static Int8Conv Int8Operands(LoweringContext context, TfLiteOperator op)
    {
        context.RequireCounts(op, 2, 3, 1);
        var options = context.Options(op);
        var input = context.Input(op, 0);
        var filter = context.Input(op, 1);
        var bias = context.OptionalInput(op, 2);
        var output = context.Output(op, 0);
        RequireInt8(context, op, input, filter, output);
        var (inputScale, inputZeroPoint) = context.PerTensor(op, input);
        var (outputScale, outputZeroPoint) = context.PerTensor(op, output);
        return new Int8Conv(options, input, filter, bias, output, inputScale, inputZeroPoint, outputScale, outputZeroPoint);
    }

    /// <summary>
    /// Refuses a grouped convolution whose groups do not fit: the filter's input channels must divide the input's
    /// into groups that divide the output channels (int8 and 16x8 CONV_2D).
    /// </summary>
    public static void RequireGroups(LoweringContext context, TfLiteOperator op, int filterDepth, int inChannels, int outChannels)
    {
        if (filterDepth < 1 || inChannels % filterDepth != 0 || outChannels % (inChannels / filterDepth) != 0)
        {
            throw context.Unsupported(op, $"the filter's {filterDepth} input channels do not divide the input's {inChannels} into groups that divide the {outChannels} output channels");
        }
    }

    /// <summary>The input slots of an int8 convolution (<see cref="Conv2DLayout"/>), its constants added to the model.</summary>
    public static int[] Int8Inputs(
        LoweringContext context, TfLiteOperator op, TfLiteTensor input, sbyte[] weights, int[] weightShape, string weightName,
        int[] bias, int[] foldedBias, int[] multipliers, int[] shifts)
    {
        var inputs = new int[Conv2DLayout.InputCount];
        inputs[Conv2DLayout.InputSlot] = context.Int8Operand(op, input);
        inputs[Conv2DLayout.FilterSlot] = context.AddInt8Constant(weights, weightShape, weightName);
        inputs[Conv2DLayout.BiasSlot] = context.AddInt32Constant(bias, $"{op} bias");
        inputs[Conv2DLayout.FoldedBiasSlot] = context.AddInt32Constant(foldedBias, $"{op} folded bias");
        inputs[Conv2DLayout.MultipliersSlot] = context.AddInt32Constant(multipliers, $"{op} multipliers");
        inputs[Conv2DLayout.ShiftsSlot] = context.AddInt32Constant(shifts, $"{op} shifts");
        return inputs;
    }

    /// <summary>Refuses anything but int8 activations and int8 weights, naming what was found.</summary>
    public static void RequireInt8(LoweringContext context, TfLiteOperator op, TfLiteTensor input, TfLiteTensor filter, TfLiteTensor output)
    {
        if (input.Type == TfLiteType.Int16 || output.Type == TfLiteType.Int16)
        {
            throw context.Unsupported(op, "int16 activations (16x8 quantization) are not supported; the device runs int8 activations only");
        }

        if (input.Type != TfLiteType.Int8 || output.Type != TfLiteType.Int8)
        {
            throw context.Unsupported(op, $"input is {input.Type} and output {output.Type}; the device runs int8 activations only");
        }

        if (filter.Type == TfLiteType.Int4)
        {
            throw context.Unsupported(op, $"filter {filter} holds packed int4 weights, which are not supported; requantize the weights to int8");
        }

        if (filter.Type != TfLiteType.Int8 || !filter.IsConstant)
        {
            throw context.Unsupported(op, $"filter {filter} is {filter.Type}{(filter.IsConstant ? "" : " and not constant")}; constant int8 weights are required");
        }

        if (input.Shape.Length != 4 || filter.Shape.Length != 4 || output.Shape.Length != 4)
        {
            throw context.Unsupported(op, $"input, filter and output must have rank 4 (have {input.Shape.Length}, {filter.Shape.Length}, {output.Shape.Length})");
        }
    }

    /// <summary>
    /// Resolves the window from the options and checks that the output tensor has exactly the
    /// shape TFLite's formulas give (batch, height, width; the caller checks channels).
    /// </summary>
    public static Window ResolveWindow(
        LoweringContext context, TfLiteOperator op, TfLiteTensor input, TfLiteTensor output, int filterHeight, int filterWidth,
        byte padding, int strideHeight, int strideWidth, int dilationHeight, int dilationWidth)
    {
        if (padding > (byte)PaddingType.Valid)
        {
            throw context.Unsupported(op, $"padding {padding} is neither SAME nor VALID");
        }

        if (strideHeight is < 1 or > MaxStride || strideWidth is < 1 or > MaxStride)
        {
            throw context.Unsupported(op, $"stride {strideHeight}×{strideWidth} is outside [1, {MaxStride}]");
        }

        if (dilationHeight is < 1 or > MaxDilation || dilationWidth is < 1 or > MaxDilation)
        {
            throw context.Unsupported(op, $"dilation {dilationHeight}×{dilationWidth} is outside [1, {MaxDilation}]");
        }

        var type = (PaddingType)padding;
        int inHeight = input.Shape[1], inWidth = input.Shape[2];
        int outHeight = OutputSize(type, inHeight, filterHeight, strideHeight, dilationHeight)
            ?? throw context.Unsupported(op, $"the {filterHeight}-high filter (dilation {dilationHeight}) does not fit the {inHeight}-high input");
        int outWidth = OutputSize(type, inWidth, filterWidth, strideWidth, dilationWidth)
            ?? throw context.Unsupported(op, $"the {filterWidth}-wide filter (dilation {dilationWidth}) does not fit the {inWidth}-wide input");
        if (output.Shape[0] != input.Shape[0] || output.Shape[1] != outHeight || output.Shape[2] != outWidth)
        {
            throw context.Unsupported(op, $"output {output} has shape [{string.Join(", ", output.Shape)}]; {type} padding with stride {strideHeight}×{strideWidth} and dilation {dilationHeight}×{dilationWidth} gives [{input.Shape[0]}, {outHeight}, {outWidth}, …]");
        }

        if (WindowPadding.EffectiveSize(filterHeight, dilationHeight) + inHeight + ((long)outHeight * strideHeight) > int.MaxValue
            || WindowPadding.EffectiveSize(filterWidth, dilationWidth) + inWidth + ((long)outWidth * strideWidth) > int.MaxValue)
        {
            throw context.Unsupported(op, "the window is too large for 32-bit index arithmetic");
        }

        return new Window(type, strideHeight, strideWidth, dilationHeight, dilationWidth,
            (int)WindowPadding.Before(inHeight, filterHeight, strideHeight, dilationHeight, outHeight),
            (int)WindowPadding.Before(inWidth, filterWidth, strideWidth, dilationWidth, outWidth),
            outHeight, outWidth);
    }

    /// <summary>Number of outputs along one axis (<see cref="WindowPadding.OutputSize"/>), or null where TFLite reports an error (no output fits).</summary>
    public static int? OutputSize(PaddingType padding, int inSize, int filterSize, int stride, int dilation)
    {
        if (inSize < 0 || filterSize <= 0 || stride <= 0 || dilation <= 0 || padding is not (PaddingType.Same or PaddingType.Valid))
        {
            return null;
        }

        long value = WindowPadding.OutputSize((int)padding, inSize, filterSize, stride, dilation);
        return value is < 0 or > int.MaxValue ? null : (int)value;
    }

    /// <summary>
    /// Per-output-channel multipliers and shifts: input_scale × filter_scale[c] / output_scale in
    /// double precision, then QuantizeMultiplier. A per-tensor filter scale is broadcast to every
    /// channel; filter zero points must all be 0.
    /// </summary>
    public static (int[] Multipliers, int[] Shifts) ChannelMultipliers(
        LoweringContext context, TfLiteOperator op, float inputScale, float outputScale, TfLiteTensor filter, int channels)
    {
        var q = filter.Quantization ?? throw context.Unsupported(op, $"filter {filter} is not quantized");
        if (q.Scales.Length == 0)
        {
            throw context.Unsupported(op, $"filter {filter} has no quantization scale");
        }

        context.CheckScales(op, filter, q.Scales);
        if (q.ZeroPoints.Any(z => z != 0))
        {
            throw context.Unsupported(op, $"filter {filter} has a non-zero zero point; int8 weights must be symmetric");
        }

        if (q.IsPerChannel && (q.Scales.Length != channels || q.Dimension < 0 || q.Dimension >= filter.Shape.Length || filter.Shape[q.Dimension] != channels))
        {
            throw context.Unsupported(op, $"filter {filter} has {q.Scales.Length} scales along dimension {q.Dimension}; expected one per output channel ({channels})");
        }

        var multipliers = new int[channels];
        var shifts = new int[channels];
        for (int c = 0; c < channels; c++)
        {
            double filterScale = q.IsPerChannel ? q.Scales[c] : q.Scales[0];
            double real = (double)inputScale * filterScale / outputScale;
            try
            {
                (multipliers[c], shifts[c]) = QuantizationMath.QuantizeMultiplier(real);
            }
            catch (ArgumentOutOfRangeException)
            {
                throw context.Unsupported(op, $"channel {c}: the requantization multiplier {real} cannot be represented");
            }
        }

        return (multipliers, shifts);
    }

    /// <summary>The int32 bias of <paramref name="channels"/> values, or zeros when the operator has none.</summary>
    public static int[] Bias(LoweringContext context, TfLiteOperator op, TfLiteTensor? bias, int channels)
    {
        if (bias is null)
        {
            return new int[channels];
        }

        if (bias.Type == TfLiteType.Int64)
        {
            throw context.Unsupported(op, $"bias {bias} is int64 (16x8 quantization); int8 convolutions take an int32 bias");
        }

        int[] values = context.Int32Data(op, bias);
        if (values.Length != channels)
        {
            throw context.Unsupported(op, $"bias {bias} has {values.Length} values, expected {channels}");
        }

        return values;
    }

    /// <summary>The fused activation's int8 clamp range.</summary>
    public static (int Min, int Max) ActivationRange(LoweringContext context, TfLiteOperator op, FusedActivation activation, float outputScale, int outputZeroPoint)
    {
        if (activation is not (FusedActivation.None or FusedActivation.Relu or FusedActivation.ReluN1To1 or FusedActivation.Relu6))
        {
            throw context.Unsupported(op, $"fused activation {activation} is not supported (NONE, RELU, RELU_N1_TO_1, RELU6 are)");
        }

        return QuantizationMath.ActivationRange(activation, outputScale, outputZeroPoint);
    }

    /// <summary>The device's window and output-stage parameters (<see cref="ConvWindowLayout"/>; read by device/Kernels/ConvWindow.cs).</summary>
    public static int[] Parameters(Window window, int inputZeroPoint, int outputZeroPoint, int activationMin, int activationMax)
    {
        var p = new int[ConvWindowLayout.Count];
        p[ConvWindowLayout.Padding] = (int)window.Padding;
        p[ConvWindowLayout.StrideHeight] = window.StrideHeight;
        p[ConvWindowLayout.StrideWidth] = window.StrideWidth;
        p[ConvWindowLayout.DilationHeight] = window.DilationHeight;
        p[ConvWindowLayout.DilationWidth] = window.DilationWidth;
        p[ConvWindowLayout.PadTop] = window.PadTop;
        p[ConvWindowLayout.PadLeft] = window.PadLeft;
        p[ConvWindowLayout.InputOffset] = -inputZeroPoint;
        p[ConvWindowLayout.OutputOffset] = outputZeroPoint;
        p[ConvWindowLayout.ActivationMin] = activationMin;
        p[ConvWindowLayout.ActivationMax] = activationMax;
        return p;
    }
}
