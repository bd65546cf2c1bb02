namespace NanoQuant.Host.TfLite;

/// <summary>
/// Writes a <see cref="TfLiteModel"/> as a .tflite FlatBuffer (schema ../shared/tflite/schema.fbs)
/// that <see cref="TfLiteReader"/> reads back to the same model: one subgraph, its tensors with
/// their constant data (one buffer each, aligned to 16 bytes as TensorFlow's converter does),
/// quantization, operators and operator codes. Operator options are copied byte for byte from
/// the tables the model holds, with their vectors and strings re-made. Not written: what the
/// reader does not keep (signature definitions, custom options, sparsity) and metadata, unless given
/// to <see cref="Write"/> explicitly.
/// </summary>
public static class TfLiteWriter
{
    private const string FileIdentifier = "TFL3";

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

        var buffers = new List<FlatBufferObject> { new FlatBufferTableBuilder() };
        var tensors = new List<FlatBufferObject>(model.Tensors.Count);
        for (int i = 0; i < model.Tensors.Count; i++)
        {
            var tensor = model.Tensors[i];
            if (tensor.Index != i)
            {
                throw new ArgumentException($"tensor at position {i} has index {tensor.Index}");
            }

            uint buffer = 0;
            if (tensor.Data is { Length: > 0 } data)
            {
                buffer = (uint)buffers.Count;
                buffers.Add(new FlatBufferTableBuilder().Object(0, new FlatBufferScalarVector(data, 1, alignment: 16)));
            }

            var table = new FlatBufferTableBuilder()
                .Ints(0, tensor.Shape)
                .Byte(1, (byte)tensor.Type)
                .UInt(2, buffer)
                .String(3, tensor.Name);
            if (tensor.Quantization is { } q)
            {
                var quantization = new FlatBufferTableBuilder().Floats(2, q.Scales).Int(6, q.Dimension);
                if (q.ZeroPoints.Length > 0)
                {
                    quantization.Longs(3, q.ZeroPoints);
                }

                table.Object(4, quantization);
            }

            if (tensor.IsVariable)
            {
                table.Bool(5, true);
            }

            tensors.Add(table);
        }

        var codes = new List<(BuiltinOperator Code, int Version, string? Custom)>();
        var operators = new List<FlatBufferObject>(model.Operators.Count);
        for (int i = 0; i < model.Operators.Count; i++)
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

            var table = new FlatBufferTableBuilder()
                .UInt(0, (uint)codeIndex)
                .Ints(1, op.Inputs)
                .Ints(2, op.Outputs);
            if (op.OptionsType != 0)
            {
                table.Byte(3, checked((byte)op.OptionsType));
            }

            if (op.Options is { } options)
            {
                table.Object(4, CopyOptions(op, options));
            }

            operators.Add(table);
        }

        var operatorCodes = codes.Select(c => (FlatBufferObject)new FlatBufferTableBuilder()
            .SByte(0, (sbyte)Math.Min((int)c.Code, 127))
            .String(1, c.Custom)
            .Int(2, c.Version)
            .Int(3, (int)c.Code)).ToList();

        var subgraph = new FlatBufferTableBuilder()
            .Tables(0, tensors)
            .Ints(1, model.Inputs)
            .Ints(2, model.Outputs)
            .Tables(3, operators)
            .String(4, "main");

        var metadataTables = new List<FlatBufferObject>();
        foreach (var (name, data) in metadata ?? [])
        {
            metadataTables.Add(new FlatBufferTableBuilder().String(0, name).UInt(1, (uint)buffers.Count));
            buffers.Add(new FlatBufferTableBuilder().Object(0, new FlatBufferScalarVector(data, 1, alignment: 16)));
        }

        var root = new FlatBufferTableBuilder()
            .UInt(0, model.SchemaVersion)
            .Tables(1, operatorCodes)
            .Tables(2, [subgraph])
            .String(3, model.Description)
            .Tables(4, buffers);
        if (metadataTables.Count > 0)
        {
            root.Tables(6, metadataTables);
        }

        return FlatBufferSerializer.Serialize(root, FileIdentifier);
    }

    private static FlatBufferCopiedTable CopyOptions(TfLiteOperator op, FlatBufferTable options)
    {
        var references = new Dictionary<int, FlatBufferObject>();
        foreach (var (id, elementSize) in OptionReferences.GetValueOrDefault(op.OptionsType, []))
        {
            if (elementSize == 0)
            {
                if (options.GetString(id, $"{op} options") is { } text)
                {
                    references[id] = new FlatBufferString(text);
                }
            }
            else if (options.GetVector(id, elementSize, $"{op} options") is { } vector)
            {
                references[id] = new FlatBufferScalarVector(vector.Bytes.ToArray(), elementSize);
            }
        }

        return new FlatBufferCopiedTable(options, references);
    }
}
