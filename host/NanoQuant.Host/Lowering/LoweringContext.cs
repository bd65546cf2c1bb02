using System.Buffers.Binary;
using NanoQuant.Format;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.DeviceModels;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering;

/// <summary>What a lowering works with: the source model, the device model being built, and helpers
/// that map TFLite tensors to device tensors and fail with messages naming the operator.</summary>
public sealed class LoweringContext(TfLiteModel source, DeviceModel target)
{
    private readonly Dictionary<int, int> _map = [];

    public TfLiteModel Source { get; } = source;
    public DeviceModel Target { get; } = target;

    /// <summary>
    /// While true, the per-tensor helpers also accept int16 activations and map them to int16 device
    /// tensors: set by the 16x8 lowerings that reuse an int8 lowering whose arithmetic is type-blind
    /// (data movement, MEAN, LEAKY_RELU), and reset after it.
    /// </summary>
    public bool AcceptInt16 { get; set; }

    /// <summary>TFLite tensor index → device tensor index for every tensor mapped so far.</summary>
    public IReadOnlyDictionary<int, int> TensorMap => _map;

    /// <summary>Makes TFLite tensor <paramref name="sourceIndex"/> stand for device tensor <paramref name="deviceIndex"/>.</summary>
    public void Alias(int sourceIndex, int deviceIndex) => _map[sourceIndex] = deviceIndex;

    public UnsupportedModelException Unsupported(TfLiteOperator? op, string message) => new($"{op?.ToString() ?? "model"}: {message}");

    public OperatorOptions Options(TfLiteOperator op) => new(op.Options);

    public TfLiteTensor Input(TfLiteOperator op, int slot) =>
        OptionalInput(op, slot) ?? throw Unsupported(op, $"input {slot} is missing");

    public TfLiteTensor? OptionalInput(TfLiteOperator op, int slot) =>
        slot < op.Inputs.Length && op.Inputs[slot] >= 0 ? Source.Tensors[op.Inputs[slot]] : null;

    public TfLiteTensor Output(TfLiteOperator op, int slot) =>
        slot < op.Outputs.Length ? Source.Tensors[op.Outputs[slot]] : throw Unsupported(op, $"output {slot} is missing");

    /// <summary>Checks operand counts.</summary>
    public void RequireCounts(TfLiteOperator op, int minInputs, int maxInputs, int outputs)
    {
        if (op.Inputs.Length < minInputs || op.Inputs.Length > maxInputs)
        {
            throw Unsupported(op, $"has {op.Inputs.Length} inputs, expected {(minInputs == maxInputs ? $"{minInputs}" : $"{minInputs} to {maxInputs}")}");
        }

        if (op.Outputs.Length != outputs)
        {
            throw Unsupported(op, $"has {op.Outputs.Length} outputs, expected {outputs}");
        }
    }

    /// <summary>Per-tensor int8 quantization of a tensor (scale checked finite and positive).</summary>
    public (float Scale, int ZeroPoint) PerTensor(TfLiteOperator? op, TfLiteTensor tensor)
    {
        bool wide = AcceptInt16 && tensor.Type == TfLiteType.Int16;
        if (tensor.Type != TfLiteType.Int8 && !wide)
        {
            throw Unsupported(op, $"{tensor} is {tensor.Type}; the device runs int8 tensors only");
        }

        var q = tensor.Quantization ?? throw Unsupported(op, $"{tensor} has no quantization parameters");
        if (q.IsPerChannel)
        {
            throw Unsupported(op, $"{tensor} is quantized per channel where per-tensor quantization is required");
        }

        CheckScales(op, tensor, q.Scales);
        int zeroPoint = q.ZeroPoint;
        if (wide ? zeroPoint != 0 : zeroPoint is < sbyte.MinValue or > sbyte.MaxValue)
        {
            throw Unsupported(op, wide ? $"{tensor} is int16 with zero point {zeroPoint}; TFLite Micro's int16 kernels require zero point 0" : $"{tensor} has zero point {zeroPoint}, outside int8");
        }

        return (q.Scale, zeroPoint);
    }

    /// <summary>Checks that every scale is finite and positive.</summary>
    public void CheckScales(TfLiteOperator? op, TfLiteTensor tensor, float[] scales)
    {
        foreach (float s in scales)
        {
            if (!float.IsFinite(s) || s <= 0)
            {
                throw Unsupported(op, $"{tensor} has scale {s}; scales must be finite and positive");
            }
        }
    }

    /// <summary>The device tensor for an int8 operand: an arena tensor for activations, a constant for data in the model.</summary>
    public int Int8Operand(TfLiteOperator? op, TfLiteTensor tensor)
    {
        if (_map.TryGetValue(tensor.Index, out int mapped))
        {
            return mapped;
        }

        var (scale, zeroPoint) = PerTensor(op, tensor);
        int[] shape = tensor.Shape.Length == 0 ? [1] : tensor.Shape;
        CheckShape(op, tensor, shape);
        bool wide = tensor.Type == TfLiteType.Int16;
        if (wide && tensor.IsConstant)
        {
            throw Unsupported(op, $"{tensor} is an int16 constant, which this operator does not take");
        }

        int index = Target.AddTensor(new DeviceTensor
        {
            Type = wide ? TensorType.Int16 : TensorType.Int8,
            Storage = tensor.IsConstant ? TensorStorage.Constant : TensorStorage.Arena,
            Shape = shape,
            Scale = scale,
            ZeroPoint = zeroPoint,
            ConstantData = tensor.IsConstant ? Int8Data(op, tensor).Select(v => unchecked((byte)v)).ToArray() : null,
            Name = tensor.Name,
            SourceTensor = tensor.Index,
        });
        _map[tensor.Index] = index;
        return index;
    }

    /// <summary>The device tensor for an int8 activation written by <paramref name="op"/>.</summary>
    public int Int8Output(TfLiteOperator op, int slot)
    {
        var tensor = Output(op, slot);
        if (tensor.IsConstant)
        {
            throw Unsupported(op, $"output {tensor} has constant data");
        }

        return Int8Operand(op, tensor);
    }

    /// <summary>The raw int8 values of a constant tensor.</summary>
    public sbyte[] Int8Data(TfLiteOperator? op, TfLiteTensor tensor)
    {
        if (tensor.Type != TfLiteType.Int8 || tensor.Data is null)
        {
            throw Unsupported(op, $"{tensor} must be a constant int8 tensor");
        }

        if (tensor.Data.Length != tensor.ElementCount)
        {
            throw Unsupported(op, $"{tensor} has {tensor.Data.Length} bytes of data, its shape needs {tensor.ElementCount}");
        }

        return tensor.Data.Select(b => unchecked((sbyte)b)).ToArray();
    }

    /// <summary>The values of a constant int32 tensor.</summary>
    public int[] Int32Data(TfLiteOperator op, TfLiteTensor tensor)
    {
        if (tensor.Type != TfLiteType.Int32 || tensor.Data is null)
        {
            throw Unsupported(op, $"{tensor} must be a constant int32 tensor");
        }

        if (tensor.Data.Length != checked(tensor.ElementCount * 4))
        {
            throw Unsupported(op, $"{tensor} has {tensor.Data.Length} bytes of data, its shape needs {tensor.ElementCount * 4}");
        }

        var values = new int[tensor.ElementCount];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadInt32LittleEndian(tensor.Data.AsSpan(i * 4));
        }

        return values;
    }

    /// <summary>Adds an int8 constant (weights) to the device model.</summary>
    public int AddInt8Constant(sbyte[] values, int[] shape, string name) =>
        Target.AddTensor(new DeviceTensor
        {
            Type = TensorType.Int8,
            Storage = TensorStorage.Constant,
            Shape = shape,
            ConstantData = values.Select(v => unchecked((byte)v)).ToArray(),
            Name = name,
        });

    /// <summary>Adds an int32 constant (biases, multipliers, shifts) to the device model.</summary>
    public int AddInt32Constant(int[] values, string name)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return Target.AddTensor(new DeviceTensor
        {
            Type = TensorType.Int32,
            Storage = TensorStorage.Constant,
            Shape = [Math.Max(values.Length, 1)],
            ConstantData = values.Length == 0 ? new byte[4] : bytes,
            Name = name,
        });
    }

    /// <summary>TFLite's QuantizeMultiplier of <paramref name="real"/>, or a refusal naming the operator when it cannot be represented (scales far out of range).</summary>
    public (int Multiplier, int Shift) QuantizeMultiplier(TfLiteOperator op, double real, string what)
    {
        try
        {
            return QuantizationMath.QuantizeMultiplier(real);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw Unsupported(op, $"the {what} rescaling factor {real} cannot be represented as a quantized multiplier");
        }
    }

    /// <summary>Appends a device operator implementing <paramref name="source"/>.</summary>
    public void Emit(TfLiteOperator source, OperatorType type, int[] inputs, int[] outputs, int[] parameters, long macs = 0) =>
        Target.Operators.Add(new DeviceOperator(type, inputs, outputs, parameters) { SourceOperator = source.Index, Macs = macs });

    private void CheckShape(TfLiteOperator? op, TfLiteTensor tensor, int[] shape)
    {
        if (shape.Length > ModelFormat.MaxRank)
        {
            throw Unsupported(op, $"{tensor} has rank {shape.Length}; the device supports up to {ModelFormat.MaxRank}");
        }

        if (shape.Any(d => d < 1))
        {
            throw Unsupported(op, $"{tensor} has an empty or dynamic dimension ({string.Join(",", tensor.Shape)})");
        }
    }
}
