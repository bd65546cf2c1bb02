using NanoQuant.Format;

namespace NanoQuant.Host.DeviceModels;

/// <summary>A tensor of a device model as the host builds it.</summary>
public sealed class DeviceTensor
{
    public required TensorType Type { get; init; }
    public required TensorStorage Storage { get; init; }
    public required int[] Shape { get; init; }
    public int ZeroPoint { get; init; }
    public float Scale { get; init; }
    public int Flags { get; set; }

    /// <summary>Little-endian element bytes of a constant; null for arena tensors.</summary>
    public byte[]? ConstantData { get; init; }

    /// <summary>
    /// How the last write stored this int8 constant when it chose a palette (null: plain bytes); the reader
    /// sets it too. <see cref="ConstantData"/> always holds the decoded int8 values.
    /// </summary>
    public PaletteEncoding? Palette { get; set; }

    /// <summary>For an int32 constant the last write (or the reader) found stored narrow: bytes per element (1–3); else 0.</summary>
    public int NarrowBytes { get; set; }

    /// <summary>An int32 constant the last write (or the reader) left for the device to derive at load (a folded bias).</summary>
    public bool IsDerived { get; set; }

    /// <summary>Offset in the arena chosen by the memory plan (arena tensors).</summary>
    public int ArenaOffset { get; set; }

    /// <summary>A name for inspection (not written to the device model).</summary>
    public string Name { get; init; } = "";

    /// <summary>Index of the TFLite tensor this one stands for, if any.</summary>
    public int? SourceTensor { get; init; }

    public int ElementCount => Shape.Aggregate(1, (a, b) => checked(a * b));
    public int ByteLength => checked(ElementCount * ModelFormat.ElementSize(Type));
    public bool IsArena => Storage == TensorStorage.Arena;
}

/// <summary>An operator of a device model.</summary>
public sealed record DeviceOperator(OperatorType Type, int[] Inputs, int[] Outputs, int[] Parameters)
{
    /// <summary>Index of the TFLite operator this one implements, or -1.</summary>
    public int SourceOperator { get; init; } = -1;

    /// <summary>Multiply-accumulates per invoke, for reports.</summary>
    public long Macs { get; init; }
}

/// <summary>A device model in memory: tensors, operators, model inputs and outputs, and the memory plan once made.</summary>
public sealed class DeviceModel
{
    public List<DeviceTensor> Tensors { get; } = [];
    public List<DeviceOperator> Operators { get; } = [];
    public List<int> Inputs { get; } = [];
    public List<int> Outputs { get; } = [];
    public int ArenaBytes { get; set; }

    public int AddTensor(DeviceTensor tensor)
    {
        Tensors.Add(tensor);
        return Tensors.Count - 1;
    }
}
