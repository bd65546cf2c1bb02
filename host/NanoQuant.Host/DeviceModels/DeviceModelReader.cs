using NanoQuant.Format;

namespace NanoQuant.Host.DeviceModels;

/// <summary>
/// Reads a device model back into a <see cref="DeviceModel"/> for inspection, through the device's own loader
/// (<see cref="ModelLoader"/>: header, checksum, records, plan, constants and kernels checked), so the format is
/// parsed in one place; the stored bytes of each constant (palette blocks, narrow widths) are taken from the
/// file at the offsets the loader checked.
/// </summary>
public static class DeviceModelReader
{
    public static DeviceModel Read(byte[] bytes)
    {
        // CompactPalettes: palette-stored constants stay encoded, so each tensor keeps its Palette record (loaded into
        // RAM, the loader drops it once decoded).
        using var stream = new MemoryStream(bytes, writable: false);
        var loader = ModelLoader.Load(stream, ModelLoadMode.CompactPalettes, Interpreter.DefaultMaxArenaBytes);
        var tables = loader.Tables;
        var model = new DeviceModel { ArenaBytes = tables.ArenaBytes };
        model.Inputs.AddRange(tables.Inputs);
        model.Outputs.AddRange(tables.Outputs);
        for (int i = 0; i < tables.Tensors.Length; i++)
        {
            var t = tables.Tensors[i];
            int narrowBytes = tables.NarrowBytes?[i] ?? 0;
            bool derived = t.storage == TensorStorage.Derived;
            var storage = t.storage == TensorStorage.Arena ? TensorStorage.Arena : TensorStorage.Constant;
            int storedLength = t.palette is not null ? t.palette.BlockBytes : narrowBytes > 0 ? t.elementCount * narrowBytes : derived ? 0 : t.byteLength;
            byte[]? constant = storage == TensorStorage.Arena ? null : derived ? [] : bytes.AsSpan(t.fileOffset, storedLength).ToArray();
            if (narrowBytes > 0)
            {
                constant = ConstantCompaction.Widen(constant, narrowBytes);
            }

            PaletteEncoding? palette = null;
            if (t.palette is not null)
            {
                int? axis = constant![1] == ModelFormat.PalettePerTensor ? null : constant[1];
                sbyte[] decoded = PaletteEncoding.Decode(constant, t.shape);
                palette = new PaletteEncoding(constant[0], axis, constant)
                {
                    MaxDistinct = PaletteEncoding.MaxDistinctPerChannel(decoded, t.shape, axis),
                };
                constant = System.Runtime.InteropServices.MemoryMarshal.AsBytes(decoded.AsSpan()).ToArray();
            }

            model.Tensors.Add(new DeviceTensor
            {
                Palette = palette,
                NarrowBytes = narrowBytes,
                IsDerived = derived,
                Type = t.type,
                Storage = storage,
                Shape = t.shape,
                ZeroPoint = t.zeroPoint,
                Scale = t.scale,
                Flags = t.flags,
                ArenaOffset = storage == TensorStorage.Arena ? t.offset : 0,
                ConstantData = constant,
            });
        }

        foreach (var op in tables.Operators)
        {
            var ins = op.Inputs.Select(t => t == ModelFormat.NoTensor ? -1 : t).ToArray();
            model.Operators.Add(new DeviceOperator(op.Type, ins, (int[])op.Outputs.Clone(), (int[])op.Parameters.Clone()));
        }

        // Derived folded biases: the values the kernel computes (the device loader accepted only those it computes).
        var filled = new Dictionary<int, byte[]>();
        foreach (var op in model.Operators)
        {
            if (op.Inputs.Length > 3 && op.Inputs[3] >= 0 && model.Tensors[op.Inputs[3]].IsDerived && !filled.ContainsKey(op.Inputs[3]))
            {
                filled[op.Inputs[3]] = System.Runtime.InteropServices.MemoryMarshal.AsBytes(ConstantCompaction.FoldedBias(model, op).AsSpan()).ToArray();
            }
        }

        foreach (var (index, data) in filled)
        {
            var t = model.Tensors[index];
            model.Tensors[index] = new DeviceTensor
            {
                NarrowBytes = 0,
                IsDerived = true,
                Type = t.Type,
                Storage = t.Storage,
                Shape = t.Shape,
                ZeroPoint = t.ZeroPoint,
                Scale = t.Scale,
                Flags = t.Flags,
                ConstantData = data,
            };
        }

        return model;
    }
}
