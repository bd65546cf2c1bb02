using System.Buffers.Binary;
using NanoQuant.Format;

namespace NanoQuant.Host.DeviceModels;

/// <summary>
/// Reads a device model back into a <see cref="DeviceModel"/> for inspection. The device loader
/// checks the bytes first (so everything read here is known to be in range).
/// </summary>
public static class DeviceModelReader
{
    public static DeviceModel Read(byte[] bytes)
    {
        _ = new Interpreter(bytes);
        var span = bytes.AsSpan();
        int tensorCount = BinaryPrimitives.ReadUInt16LittleEndian(span[ModelFormat.TensorCountOffset..]);
        int operatorCount = BinaryPrimitives.ReadUInt16LittleEndian(span[ModelFormat.OperatorCountOffset..]);
        int inputCount = BinaryPrimitives.ReadUInt16LittleEndian(span[ModelFormat.InputCountOffset..]);
        int outputCount = BinaryPrimitives.ReadUInt16LittleEndian(span[ModelFormat.OutputCountOffset..]);
        int constantsStart = BinaryPrimitives.ReadInt32LittleEndian(span[ModelFormat.ConstantsOffset..]);
        var model = new DeviceModel { ArenaBytes = BinaryPrimitives.ReadInt32LittleEndian(span[ModelFormat.ArenaBytesOffset..]) };
        int p = ModelFormat.HeaderSize;
        for (int i = 0; i < inputCount; i++, p += 2)
        {
            model.Inputs.Add(BinaryPrimitives.ReadUInt16LittleEndian(span[p..]));
        }

        for (int i = 0; i < outputCount; i++, p += 2)
        {
            model.Outputs.Add(BinaryPrimitives.ReadUInt16LittleEndian(span[p..]));
        }

        for (int i = 0; i < tensorCount; i++)
        {
            var type = (TensorType)span[p];
            int rank = span[p + 1];
            var storage = (TensorStorage)span[p + 2];
            int flags = span[p + 3];
            int zeroPoint = BinaryPrimitives.ReadInt32LittleEndian(span[(p + 4)..]);
            float scale = BinaryPrimitives.ReadSingleLittleEndian(span[(p + 8)..]);
            int offset = BinaryPrimitives.ReadInt32LittleEndian(span[(p + 12)..]);
            int length = BinaryPrimitives.ReadInt32LittleEndian(span[(p + 16)..]);
            p += ModelFormat.TensorRecordFixedSize;
            var shape = new int[rank];
            for (int d = 0; d < rank; d++, p += 4)
            {
                shape[d] = BinaryPrimitives.ReadInt32LittleEndian(span[p..]);
            }

            byte[]? constant = storage == TensorStorage.Arena ? null : bytes.AsSpan(constantsStart + offset, length).ToArray();
            int narrowBytes = 0;
            bool derived = storage == TensorStorage.Derived;
            if (storage == TensorStorage.Narrow)
            {
                narrowBytes = length / shape.Aggregate(1, (a, b) => a * b);
                constant = ConstantCompaction.Widen(constant, narrowBytes);
                storage = TensorStorage.Constant;
            }
            else if (derived)
            {
                storage = TensorStorage.Constant; // its values are filled in below, from the operator that derives them
            }

            PaletteEncoding? palette = null;
            if (storage == TensorStorage.Palette)
            {
                int? axis = constant![1] == ModelFormat.PalettePerTensor ? null : constant[1];
                sbyte[] decoded = PaletteEncoding.Decode(constant, shape);
                palette = new PaletteEncoding(constant[0], axis, constant)
                {
                    MaxDistinct = PaletteEncoding.MaxDistinctPerChannel(decoded, shape, axis),
                };
                constant = System.Runtime.InteropServices.MemoryMarshal.AsBytes(decoded.AsSpan()).ToArray();
                storage = TensorStorage.Constant;
            }

            model.Tensors.Add(new DeviceTensor
            {
                Palette = palette,
                NarrowBytes = narrowBytes,
                IsDerived = derived,
                Type = type,
                Storage = storage,
                Shape = shape,
                ZeroPoint = zeroPoint,
                Scale = scale,
                Flags = flags,
                ArenaOffset = storage == TensorStorage.Arena ? offset : 0,
                ConstantData = constant,
            });
        }

        for (int i = 0; i < operatorCount; i++)
        {
            var type = (OperatorType)span[p];
            int inputs = span[p + 1], outputs = span[p + 2], parameters = span[p + 3];
            p += ModelFormat.OperatorRecordFixedSize;
            var ins = new int[inputs];
            for (int k = 0; k < inputs; k++, p += 2)
            {
                int t = BinaryPrimitives.ReadUInt16LittleEndian(span[p..]);
                ins[k] = t == ModelFormat.NoTensor ? -1 : t;
            }

            var outs = new int[outputs];
            for (int k = 0; k < outputs; k++, p += 2)
            {
                outs[k] = BinaryPrimitives.ReadUInt16LittleEndian(span[p..]);
            }

            var ps = new int[parameters];
            for (int k = 0; k < parameters; k++, p += 4)
            {
                ps[k] = BinaryPrimitives.ReadInt32LittleEndian(span[p..]);
            }

            model.Operators.Add(new DeviceOperator(type, ins, outs, ps));
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
