using Google.FlatBuffers;

namespace NanoQuant.Host.TfLite;

/// <summary>
/// Writes a <see cref="TfLiteModel"/> as a .tflite FlatBuffer (schema ../shared/tflite/schema.fbs) with
/// Google.FlatBuffers' <see cref="FlatBufferBuilder"/>, which <see cref="TfLiteReader"/> reads back to the
/// same model: one subgraph, its tensors with their constant data (one buffer each, aligned to 16 bytes as
/// TensorFlow's converter does — the schema's <c>force_align: 16</c>, which the C# builder does not apply by
/// itself, so each buffer vector is started with alignment 16), quantization, operators and operator codes.
/// Operator options are copied field by field from the tables the model holds (raw bits, see
/// <see cref="TfLiteTable.ScalarFields"/>), with their vectors and strings re-made. Not written: what the
/// reader does not keep (signature definitions, custom options, sparsity) and metadata, unless given to
/// <see cref="Write"/> explicitly.
/// </summary>
public static class TfLiteWriter
{
    private const string FileIdentifier = "TFL3";

    /// <summary>Alignment of constant buffers (schema: <c>data:[ubyte] (force_align: 16)</c>).</summary>
    public const int BufferAlignment = 16;

    /// <summary>The reference fields of the BuiltinOptions tables that have any: options type → (field id, element size; 0 for a string).</summary>
    private static readonly Dictionary<int, (int Id, int ElementSize)[]> OptionReferences = new()
    {
        [3] = [(1, 4), (2, 4)],    // ConcatEmbeddingsOptions: num_columns_per_channel, embedding_dim_per_channel
        [17] = [(0, 4)],           // ReshapeOptions: new_shape
        [30] = [(0, 4)],           // SqueezeOptions: squeeze_dims
        [111] = [(0, 0), (1, 0)],  // VarHandleOptions: container, shared_name
        [115] = [(0, 4)],          // BucketizeOptions: boundaries
    };

    /// <summary>Writes <paramref name="model"/>, with <paramref name="metadata"/> entries (name, buffer contents) when given.</summary>
    public static byte[] Write(TfLiteModel model, IReadOnlyList<(string Name, byte[] Data)>? metadata = null)
    {
        if (model.SubgraphCount != 1)
        {
            throw new NotSupportedException($"the model has {model.SubgraphCount} subgraphs; only single-subgraph models can be written");
        }

        // The builder writes back to front, so everything a table refers to is made before the table;
        // the constant data made first ends up at the end of the file, as TensorFlow lays it out.
        var b = new FlatBufferBuilder(1024) { ForceDefaults = true };
        var bufferData = new List<int> { 0 };
        var tensorBuffer = new uint[model.Tensors.Count];
        for (int i = 0; i < model.Tensors.Count; i++)
        {
            var tensor = model.Tensors[i];
            if (tensor.Index != i)
            {
                throw new ArgumentException($"tensor at position {i} has index {tensor.Index}");
            }

            if (tensor.Data is { Length: > 0 } data)
            {
                tensorBuffer[i] = (uint)bufferData.Count;
                bufferData.Add(Bytes(b, data));
            }
        }

        var metadataEntries = new List<(string Name, uint Buffer)>();
        foreach (var (name, data) in metadata ?? [])
        {
            metadataEntries.Add((name, (uint)bufferData.Count));
            bufferData.Add(Bytes(b, data));
        }

        var buffers = new int[bufferData.Count];
        for (int i = 0; i < buffers.Length; i++)
        {
            b.StartTable(1);
            if (bufferData[i] != 0)
            {
                b.AddOffset(0, bufferData[i], 0);
            }

            buffers[i] = b.EndTable();
        }

        var tensors = new int[model.Tensors.Count];
        for (int i = 0; i < tensors.Length; i++)
        {
            var tensor = model.Tensors[i];
            int shape = Vector(b, tensor.Shape, 4);
            int name = b.CreateString(tensor.Name).Value;
            int quantization = 0;
            if (tensor.Quantization is { } q)
            {
                int scales = Vector(b, q.Scales, 4);
                int zeroPoints = q.ZeroPoints.Length > 0 ? Vector(b, q.ZeroPoints, 8) : 0;
                b.StartTable(7);
                b.AddOffset(2, scales, 0);
                b.AddOffset(3, zeroPoints, 0);
                b.AddInt(6, q.Dimension, 0);
                quantization = b.EndTable();
            }

            b.StartTable(6);
            b.AddOffset(0, shape, 0);
            b.AddUint(2, tensorBuffer[i], 0);
            b.AddOffset(3, name, 0);
            b.AddOffset(4, quantization, 0);
            b.AddByte(1, (byte)tensor.Type, 0);
            if (tensor.IsVariable)
            {
                b.AddBool(5, true, false);
            }

            tensors[i] = b.EndTable();
        }

        var codes = new List<(BuiltinOperator Code, int Version, string? Custom)>();
        var operators = new int[model.Operators.Count];
        for (int i = 0; i < operators.Length; i++)
        {
            var op = model.Operators[i];
            if (op.Index != i)
            {
                throw new ArgumentException($"operator at position {i} has index {op.Index}");
            }

            var key = (op.Code, op.Version, op.CustomCode);
            int codeIndex = codes.IndexOf(key);
            if (codeIndex < 0)
            {
                codeIndex = codes.Count;
                codes.Add(key);
            }

            int inputs = Vector(b, op.Inputs, 4);
            int outputs = Vector(b, op.Outputs, 4);
            int options = op.Options is { } table ? CopyOptions(b, op, table) : 0;
            b.StartTable(5);
            b.AddUint(0, (uint)codeIndex, 0);
            b.AddOffset(1, inputs, 0);
            b.AddOffset(2, outputs, 0);
            b.AddOffset(4, options, 0);
            if (op.OptionsType != 0)
            {
                b.AddByte(3, checked((byte)op.OptionsType), 0);
            }

            operators[i] = b.EndTable();
        }

        var operatorCodes = new int[codes.Count];
        for (int i = 0; i < operatorCodes.Length; i++)
        {
            var (code, version, custom) = codes[i];
            int customCode = custom is null ? 0 : b.CreateString(custom).Value;
            b.StartTable(4);
            b.AddOffset(1, customCode, 0);
            b.AddInt(2, version, 1);
            b.AddInt(3, (int)code, 0);
            b.AddSbyte(0, (sbyte)Math.Min((int)code, 127), 0);
            operatorCodes[i] = b.EndTable();
        }

        int tensorVector = Tables(b, tensors);
        int subgraphInputs = Vector(b, model.Inputs, 4);
        int subgraphOutputs = Vector(b, model.Outputs, 4);
        int operatorVector = Tables(b, operators);
        int subgraphName = b.CreateString("main").Value;
        b.StartTable(5);
        b.AddOffset(0, tensorVector, 0);
        b.AddOffset(1, subgraphInputs, 0);
        b.AddOffset(2, subgraphOutputs, 0);
        b.AddOffset(3, operatorVector, 0);
        b.AddOffset(4, subgraphName, 0);
        int subgraph = b.EndTable();

        var metadataTables = new int[metadataEntries.Count];
        for (int i = 0; i < metadataTables.Length; i++)
        {
            int name = b.CreateString(metadataEntries[i].Name).Value;
            b.StartTable(2);
            b.AddOffset(0, name, 0);
            b.AddUint(1, metadataEntries[i].Buffer, 0);
            metadataTables[i] = b.EndTable();
        }

        int operatorCodeVector = Tables(b, operatorCodes);
        int subgraphVector = Tables(b, [subgraph]);
        int description = model.Description is null ? 0 : b.CreateString(model.Description).Value;
        int bufferVector = Tables(b, buffers);
        int metadataVector = metadataTables.Length > 0 ? Tables(b, metadataTables) : 0;
        b.StartTable(7);
        b.AddUint(0, model.SchemaVersion, 0);
        b.AddOffset(1, operatorCodeVector, 0);
        b.AddOffset(2, subgraphVector, 0);
        b.AddOffset(3, description, 0);
        b.AddOffset(4, bufferVector, 0);
        b.AddOffset(6, metadataVector, 0);
        b.Finish(b.EndTable(), FileIdentifier);
        return b.SizedByteArray();
    }

    /// <summary>A ubyte vector whose first byte is 16-byte aligned in the finished file.</summary>
    private static int Bytes(FlatBufferBuilder b, byte[] data)
    {
        b.StartVector(1, data.Length, BufferAlignment);
        if (data.Length > 0)
        {
            b.Put(data);
        }

        return b.EndVector().Value;
    }

    private static int Vector<T>(FlatBufferBuilder b, T[] values, int elementSize)
        where T : struct
    {
        b.StartVector(elementSize, values.Length, elementSize);
        if (values.Length > 0)
        {
            b.Put(values);
        }

        return b.EndVector().Value;
    }

    private static int Tables(FlatBufferBuilder b, int[] tables)
    {
        b.StartVector(4, tables.Length, 4);
        for (int i = tables.Length - 1; i >= 0; i--)
        {
            b.AddOffset(tables[i]);
        }

        return b.EndVector().Value;
    }

    /// <summary>An options table of any type copied: its scalar fields as raw bits, its vectors and strings re-made.</summary>
    private static int CopyOptions(FlatBufferBuilder b, TfLiteOperator op, TfLiteTable options)
    {
        var referenceFields = OptionReferences.GetValueOrDefault(op.OptionsType, []);
        var references = new List<(int Id, int Offset)>();
        foreach (var (id, elementSize) in referenceFields)
        {
            if (elementSize == 0)
            {
                if (options.GetString(id, $"field {id}") is { } text)
                {
                    references.Add((id, b.CreateString(text).Value));
                }
            }
            else if (options.GetIntArray(id, $"field {id}") is { } values)
            {
                references.Add((id, Vector(b, values, 4)));
            }
        }

        var scalars = options.ScalarFields(referenceFields.Select(r => r.Id).ToArray());
        int fieldCount = 1 + Math.Max(scalars.Length == 0 ? -1 : scalars.Max(f => f.Id), references.Count == 0 ? -1 : references.Max(r => r.Id));
        b.StartTable(fieldCount);
        foreach (var (id, offset) in references)
        {
            b.AddOffset(id, offset, 0);
        }

        // Widest first: the least padding between fields.
        foreach (var (id, width, bits) in scalars.OrderByDescending(f => f.Width).ThenBy(f => f.Id))
        {
            switch (width)
            {
                case 1: b.AddByte((byte)bits); break;
                case 2: b.AddUshort((ushort)bits); break;
                case 4: b.AddUint((uint)bits); break;
                default: b.AddUlong(bits); break;
            }

            b.Slot(id);
        }

        return b.EndTable();
    }
}
