using System.Buffers.Binary;
using NanoQuant.Format;

namespace NanoQuant.Host.DeviceModels;

/// <summary>Serializes a planned <see cref="DeviceModel"/> to the byte layout of docs/device-model-format.md.</summary>
public static class DeviceModelWriter
{
    /// <summary>
    /// Writes <paramref name="model"/>. With <see cref="PaletteMode.WhenSmaller"/>, every int8 constant whose
    /// values fit a palette (≤ 128 distinct values per tensor or per channel) in fewer bytes than plain int8 is
    /// stored as a palette block — losslessly: the device decodes exactly the same int8 values.
    /// Each tensor's <see cref="DeviceTensor.Palette"/> is set to the encoding chosen (or null). With
    /// <paramref name="compactConstants"/>, int32 constants are stored narrow and folded biases derived at load
    /// (<see cref="ConstantCompaction"/>), also losslessly; each tensor's <see cref="DeviceTensor.NarrowBytes"/>
    /// and <see cref="DeviceTensor.IsDerived"/> say what was chosen.
    /// </summary>
    public static byte[] Write(DeviceModel model, PaletteMode palettes = PaletteMode.Off, bool compactConstants = false)
    {
        if (model.Tensors.Count > ModelFormat.MaxTensors || model.Operators.Count > ModelFormat.MaxOperators)
        {
            throw new InvalidOperationException($"the model has {model.Tensors.Count} tensors and {model.Operators.Count} operators; the format allows {ModelFormat.MaxTensors} of each");
        }

        var constantOffsets = new int[model.Tensors.Count];
        var storedLengths = new int[model.Tensors.Count];
        var constants = new MemoryStream();
        var derived = compactConstants ? ConstantCompaction.DerivableFoldedBiases(model) : [];
        for (int i = 0; i < model.Tensors.Count; i++)
        {
            var t = model.Tensors[i];
            t.NarrowBytes = 0;
            t.IsDerived = false;
            if (t.Storage != TensorStorage.Constant)
            {
                continue;
            }

            if (derived.Contains(i))
            {
                t.Palette = null;
                t.IsDerived = true;
                continue;
            }

            byte[] data = t.ConstantData ?? throw new InvalidOperationException($"constant tensor {i} has no data");
            if (data.Length != t.ByteLength)
            {
                throw new InvalidOperationException($"constant tensor {i} has {data.Length} bytes, its shape needs {t.ByteLength}");
            }

            Align(constants, ModelFormat.ConstantAlignment);
            constantOffsets[i] = (int)constants.Length;
            t.Palette = t.Type == TensorType.Int8 ? PaletteEncoding.Choose(AsInt8(data), t.Shape, palettes) : null;
            if (compactConstants && t.Type == TensorType.Int32 && data.Length > 0)
            {
                int width = ConstantCompaction.NarrowBytes(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(data));
                if (width < 4)
                {
                    t.NarrowBytes = width;
                    data = ConstantCompaction.Narrow(data, width);
                }
            }

            byte[] stored = t.Palette?.Block ?? data;
            storedLengths[i] = stored.Length;
            constants.Write(stored);
        }

        var tables = new MemoryStream();
        var w = new BinaryWriter(tables);
        foreach (int input in model.Inputs)
        {
            w.Write((ushort)input);
        }

        foreach (int output in model.Outputs)
        {
            w.Write((ushort)output);
        }

        int tensorTable = ModelFormat.HeaderSize + (int)tables.Length;
        for (int i = 0; i < model.Tensors.Count; i++)
        {
            var t = model.Tensors[i];
            if (t.Shape.Length > ModelFormat.MaxRank)
            {
                throw new InvalidOperationException($"tensor {i} has rank {t.Shape.Length}; the format allows {ModelFormat.MaxRank}");
            }

            w.Write((byte)t.Type);
            w.Write((byte)t.Shape.Length);
            w.Write((byte)(t.Palette is not null ? TensorStorage.Palette : t.IsDerived ? TensorStorage.Derived : t.NarrowBytes > 0 ? TensorStorage.Narrow : t.Storage));
            w.Write((byte)t.Flags);
            w.Write(t.ZeroPoint);
            w.Write(t.Scale);
            w.Write(t.IsArena ? t.ArenaOffset : constantOffsets[i]);
            w.Write(t.IsArena ? t.ByteLength : storedLengths[i]);
            foreach (int dim in t.Shape)
            {
                w.Write(dim);
            }
        }

        int operatorTable = ModelFormat.HeaderSize + (int)tables.Length;
        foreach (var op in model.Operators)
        {
            if (op.Inputs.Length > ModelFormat.MaxOperands || op.Outputs.Length > ModelFormat.MaxOperands || op.Parameters.Length > ModelFormat.MaxOperands)
            {
                throw new InvalidOperationException($"operator {op.Type} has too many operands");
            }

            w.Write((byte)op.Type);
            w.Write((byte)op.Inputs.Length);
            w.Write((byte)op.Outputs.Length);
            w.Write((byte)op.Parameters.Length);
            foreach (int t in op.Inputs)
            {
                w.Write((ushort)(t < 0 ? ModelFormat.NoTensor : t));
            }

            foreach (int t in op.Outputs)
            {
                w.Write((ushort)t);
            }

            foreach (int p in op.Parameters)
            {
                w.Write(p);
            }
        }

        w.Flush();
        Align(tables, ModelFormat.ConstantAlignment, ModelFormat.HeaderSize);
        int constantsStart = ModelFormat.HeaderSize + (int)tables.Length;
        int fileLength = checked(constantsStart + (int)constants.Length);

        var file = new byte[fileLength];
        var header = file.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(header, ModelFormat.Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], VersionFor(model));
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], ModelFormat.HeaderSize);
        BinaryPrimitives.WriteInt32LittleEndian(header[ModelFormat.FileLengthOffset..], fileLength);
        BinaryPrimitives.WriteInt32LittleEndian(header[ModelFormat.ArenaBytesOffset..], model.ArenaBytes);
        BinaryPrimitives.WriteUInt16LittleEndian(header[ModelFormat.TensorCountOffset..], (ushort)model.Tensors.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(header[ModelFormat.OperatorCountOffset..], (ushort)model.Operators.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(header[ModelFormat.InputCountOffset..], (ushort)model.Inputs.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(header[ModelFormat.OutputCountOffset..], (ushort)model.Outputs.Count);
        BinaryPrimitives.WriteInt32LittleEndian(header[ModelFormat.TensorTableOffset..], tensorTable);
        BinaryPrimitives.WriteInt32LittleEndian(header[ModelFormat.OperatorTableOffset..], operatorTable);
        BinaryPrimitives.WriteInt32LittleEndian(header[ModelFormat.ConstantsOffset..], constantsStart);
        tables.ToArray().CopyTo(file, ModelFormat.HeaderSize);
        constants.ToArray().CopyTo(file, constantsStart);
        uint crc = Crc32.Compute(file, ModelFormat.ChecksumStart, fileLength - ModelFormat.ChecksumStart);
        BinaryPrimitives.WriteUInt32LittleEndian(header[ModelFormat.ChecksumOffset..], crc);
        return file;
    }

    private static ReadOnlySpan<sbyte> AsInt8(byte[] data) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(data);

    private static void Align(MemoryStream stream, int alignment, int basePosition = 0)
    {
        while ((basePosition + stream.Length) % alignment != 0)
        {
            stream.WriteByte(0);
        }
    }

    /// <summary>
    /// The oldest format version that describes <paramref name="model"/>: 4 when a palette flags its zeros, 3 when it
    /// has uint8 edges or narrow or derived int32 constants, else 2, so a model that needs nothing new still loads on
    /// a runtime of an older format version.
    /// </summary>
    public static ushort VersionFor(DeviceModel model) =>
        model.Tensors.Any(t => t.Palette is { ZeroFlags: true }) ? ModelFormat.SparsePaletteVersion
        : model.Tensors.Any(t => (t.Flags & ~ModelFormat.KnownFlagsVersion2) != 0 || (t.Palette is null && (t.IsDerived || t.NarrowBytes > 0)))
            ? ModelFormat.CompactVersion : ModelFormat.MinVersion;
}
