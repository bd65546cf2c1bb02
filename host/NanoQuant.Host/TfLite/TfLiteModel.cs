namespace NanoQuant.Host.TfLite;

/// <summary>Element types of the TFLite schema (enum TensorType).</summary>
public enum TfLiteType : byte
{
    Float32 = 0, Float16 = 1, Int32 = 2, UInt8 = 3, Int64 = 4, String = 5, Bool = 6, Int16 = 7,
    Complex64 = 8, Int8 = 9, Float64 = 10, Complex128 = 11, UInt64 = 12, Resource = 13, Variant = 14,
    UInt32 = 15, UInt16 = 16, Int4 = 17, BFloat16 = 18,
}

/// <summary>Quantization of a TFLite tensor: one scale and zero point, or one per channel along <see cref="Dimension"/>.</summary>
public sealed record TfLiteQuantization(float[] Scales, long[] ZeroPoints, int Dimension)
{
    public bool IsPerChannel => Scales.Length > 1;
    public float Scale => Scales[0];
    public int ZeroPoint => ZeroPoints.Length == 0 ? 0 : checked((int)ZeroPoints[0]);
}

/// <summary>A tensor of subgraph 0.</summary>
public sealed record TfLiteTensor(int Index, string Name, TfLiteType Type, int[] Shape, byte[]? Data, TfLiteQuantization? Quantization, bool IsVariable)
{
    public bool IsConstant => Data is not null;
    public int ElementCount => Shape.Aggregate(1, (a, b) => checked(a * b));
    public override string ToString() => $"tensor {Index} '{Name}'";
}

/// <summary>An operator of subgraph 0, with its builtin options table (read by the lowering that knows its fields).</summary>
public sealed record TfLiteOperator(int Index, BuiltinOperator Code, int Version, string? CustomCode, int[] Inputs, int[] Outputs, int OptionsType, TfLiteTable? Options)
{
    public string Name => Code == BuiltinOperator.Custom ? $"CUSTOM({CustomCode})" : BuiltinOperators.Name(Code);
    public override string ToString() => $"operator {Index} ({Name})";
}

/// <summary>A TensorFlow Lite model: subgraph 0 with its tensors (constant data attached) and operators.</summary>
public sealed class TfLiteModel
{
    public required uint SchemaVersion { get; init; }
    public required string? Description { get; init; }
    public required IReadOnlyList<TfLiteTensor> Tensors { get; init; }
    public required IReadOnlyList<TfLiteOperator> Operators { get; init; }
    public required int[] Inputs { get; init; }
    public required int[] Outputs { get; init; }
    public required int SubgraphCount { get; init; }

    /// <summary>The names of the model's metadata entries (e.g. TensorFlow's "min_runtime_version", TFLM's "COMPRESSION_METADATA").</summary>
    public IReadOnlyList<string> MetadataNames { get; init; } = [];

    public IEnumerable<TfLiteTensor> InputTensors => Inputs.Select(i => Tensors[i]);
    public IEnumerable<TfLiteTensor> OutputTensors => Outputs.Select(i => Tensors[i]);

    /// <summary>
    /// The same graph with <paramref name="tensors"/> (same count and order) in place of its tensors: new constants for the
    /// same model, its metadata names included (the converter refuses a TFLM-compressed model by them).
    /// </summary>
    public TfLiteModel WithTensors(IReadOnlyList<TfLiteTensor> tensors) => new()
    {
        MetadataNames = MetadataNames,
        SchemaVersion = SchemaVersion,
        Description = Description,
        Tensors = tensors,
        Operators = Operators,
        Inputs = Inputs,
        Outputs = Outputs,
        SubgraphCount = SubgraphCount,
    };
}
