using System.Buffers.Binary;
using NanoQuant.Format;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.DeviceModels;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering.Int16;

/// <summary>Operand helpers of the 16x8 lowerings: int16 tensors, int64 biases, int16 clamp ranges.</summary>
public static class Int16Operands
{
    /// <summary>
    /// True when <paramref name="op"/>'s first input or output is an int16 activation (a 16x8 operator),
    /// as the device's kernel factory decides; other int16 operands (an int8 LSTM's cell state) do not
    /// make an operator 16x8.
    /// </summary>
    public static bool IsInt16(TfLiteModel source, TfLiteOperator op) =>
        new[] { op.Inputs.FirstOrDefault(-1), op.Outputs.FirstOrDefault(-1) }.Any(t => t >= 0 && source.Tensors[t].Type == TfLiteType.Int16 && !source.Tensors[t].IsConstant);

    /// <summary>Per-tensor quantization of an int16 tensor (scale finite and positive, zero point within int16).</summary>
    public static (float Scale, int ZeroPoint) PerTensor(LoweringContext context, TfLiteOperator? op, TfLiteTensor tensor)
    {
        if (tensor.Type != TfLiteType.Int16)
        {
            throw context.Unsupported(op, $"{tensor} is {tensor.Type}; this 16x8 operator takes int16 activations");
        }

        var q = tensor.Quantization ?? throw context.Unsupported(op, $"{tensor} has no quantization parameters");
        if (q.IsPerChannel)
        {
            throw context.Unsupported(op, $"{tensor} is quantized per channel where per-tensor quantization is required");
        }

        context.CheckScales(op, tensor, q.Scales);
        if (q.ZeroPoint is < short.MinValue or > short.MaxValue)
        {
            throw context.Unsupported(op, $"{tensor} has zero point {q.ZeroPoint}, outside int16");
        }

        return (q.Scale, q.ZeroPoint);
    }

    /// <summary>An int16 tensor whose zero point TFLite Micro requires to be 0.</summary>
    public static float Symmetric(LoweringContext context, TfLiteOperator op, TfLiteTensor tensor)
    {
        var (scale, zeroPoint) = PerTensor(context, op, tensor);
        if (zeroPoint != 0)
        {
            throw context.Unsupported(op, $"{tensor} is int16 with zero point {zeroPoint}; TFLite Micro's int16 kernels require zero point 0 (symmetric 16x8 quantization)");
        }

        return scale;
    }

    /// <summary>The device tensor for an int16 operand (an arena tensor, or a constant for data in the model).</summary>
    public static int Operand(LoweringContext context, TfLiteOperator? op, TfLiteTensor tensor)
    {
        if (context.TensorMap.TryGetValue(tensor.Index, out int mapped))
        {
            return mapped;
        }

        var (scale, zeroPoint) = PerTensor(context, op, tensor);
        int[] shape = tensor.Shape.Length == 0 ? [1] : tensor.Shape;
        if (shape.Length > ModelFormat.MaxRank || shape.Any(d => d < 1))
        {
            throw context.Unsupported(op, $"{tensor} has shape [{string.Join(",", tensor.Shape)}]; the device needs rank ≤ {ModelFormat.MaxRank} and no empty dimension");
        }

        byte[]? data = null;
        if (tensor.IsConstant)
        {
            if (tensor.Data!.Length != checked(tensor.ElementCount * 2))
            {
                throw context.Unsupported(op, $"{tensor} has {tensor.Data.Length} bytes of data, its shape needs {tensor.ElementCount * 2}");
            }

            data = tensor.Data;
        }

        int index = context.Target.AddTensor(new DeviceTensor
        {
            Type = TensorType.Int16,
            Storage = tensor.IsConstant ? TensorStorage.Constant : TensorStorage.Arena,
            Shape = shape,
            Scale = scale,
            ZeroPoint = zeroPoint,
            ConstantData = data,
            Name = tensor.Name,
            SourceTensor = tensor.Index,
        });
        context.Alias(tensor.Index, index);
        return index;
    }

    /// <summary>An int8 or int16 operand, by the tensor's type.</summary>
    public static int AnyOperand(LoweringContext context, TfLiteOperator? op, TfLiteTensor tensor) =>
        tensor.Type == TfLiteType.Int16 ? Operand(context, op, tensor) : context.Int8Operand(op, tensor);

    /// <summary>The int16 activation written by <paramref name="op"/>.</summary>
    public static int Output(LoweringContext context, TfLiteOperator op, int slot)
    {
        var tensor = context.Output(op, slot);
        if (tensor.IsConstant)
        {
            throw context.Unsupported(op, $"output {tensor} has constant data");
        }

        return Operand(context, op, tensor);
    }

    /// <summary>TFLite's CalculateActivationRangeQuantized for int16 outputs.</summary>
    public static (int Min, int Max) ActivationRange(LoweringContext context, TfLiteOperator op, FusedActivation activation, float scale, int zeroPoint)
    {
        const int qmin = short.MinValue, qmax = short.MaxValue;
        (int Min, int Max) range = activation switch
        {
            FusedActivation.None => (qmin, qmax),
            FusedActivation.Relu => (Math.Max(qmin, QuantizationMath.QuantizeValue(0f, scale, zeroPoint)), qmax),
            FusedActivation.Relu6 => (Math.Max(qmin, QuantizationMath.QuantizeValue(0f, scale, zeroPoint)), Math.Min(qmax, QuantizationMath.QuantizeValue(6f, scale, zeroPoint))),
            FusedActivation.ReluN1To1 => (Math.Max(qmin, QuantizationMath.QuantizeValue(-1f, scale, zeroPoint)), Math.Min(qmax, QuantizationMath.QuantizeValue(1f, scale, zeroPoint))),
            _ => throw context.Unsupported(op, $"fused activation {activation} is not supported (NONE, RELU, RELU_N1_TO_1, RELU6 are)"),
        };
        if (range.Min > range.Max)
        {
            throw context.Unsupported(op, $"fused activation {activation} gives an empty int16 range [{range.Min}, {range.Max}]");
        }

        return range;
    }

    /// <summary>The int64 bias of a 16x8 convolution or fully connected layer, or null when absent.</summary>
    public static long[]? Bias(LoweringContext context, TfLiteOperator op, TfLiteTensor? bias, int channels)
    {
        if (bias is null)
        {
            return null;
        }

        if (bias.Type == TfLiteType.Int32)
        {
            throw context.Unsupported(op, op.Code == BuiltinOperator.DepthwiseConv2d
                ? $"bias {bias} is int32; TFLite Micro's 16x8 DEPTHWISE_CONV_2D reads its bias as int64 (TensorFlow's 16x8 converter writes int64)"
                : $"bias {bias} is int32, which selects TFLite Micro's int32-accumulating 16x8 variant (32-bit requantization); nanoQuant's 16x8 kernels accumulate in 64 bits with the int64 bias TensorFlow's 16x8 converter writes by default");
        }

        if (bias.Type != TfLiteType.Int64 || bias.Data is null)
        {
            throw context.Unsupported(op, $"bias {bias} must be a constant int64 tensor");
        }

        if (bias.ElementCount != channels || bias.Data.Length != checked(channels * 8))
        {
            throw context.Unsupported(op, $"bias {bias} has {bias.ElementCount} values, expected {channels}");
        }

        var values = new long[channels];
        for (int i = 0; i < channels; i++)
        {
            values[i] = BinaryPrimitives.ReadInt64LittleEndian(bias.Data.AsSpan(i * 8));
        }

        return values;
    }

    /// <summary>Adds an int64 constant (a 16x8 bias) to the device model; null gives no tensor (−1, an absent input).</summary>
    public static int AddInt64Constant(LoweringContext context, long[]? values, string name)
    {
        if (values is null)
        {
            return -1;
        }

        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), values[i]);
        }

        return context.Target.AddTensor(new DeviceTensor
        {
            Type = TensorType.Int64,
            Storage = TensorStorage.Constant,
            Shape = [values.Length],
            ConstantData = bytes,
            Name = name,
        });
    }

    /// <summary>Checks that every shift suits TFLM's 64-bit MultiplyByQuantizedMultiplier ([−31, 7]).</summary>
    public static void RequireWideShifts(LoweringContext context, TfLiteOperator op, int[] shifts)
    {
        if (shifts.Any(s => s is < -31 or > 7))
        {
            throw context.Unsupported(op, $"a requantization shift ({shifts.First(s => s is < -31 or > 7)}) is outside [-31, 7], the range of TFLM's 64-bit requantization; the quantization scales are out of range");
        }
    }
}
