namespace NanoQuant.Host.TfLite;

/// <summary>
/// Reads a .tflite FlatBuffer (schema ../shared/tflite/schema.fbs) into a <see cref="TfLiteModel"/>:
/// subgraph 0, its tensors with constant data and quantization, and its operators, through
/// Google.FlatBuffers (<see cref="TfLiteTable"/>). Field ids below are the schema's field order (a union
/// takes two ids: its type, then its value).
/// </summary>
public static class TfLiteReader
{
    private const string FileIdentifier = "TFL3";

    public static TfLiteModel ReadFile(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TfLiteFormatException($"cannot read '{path}': {e.Message}");
        }

        return Read(bytes);
    }

    public static TfLiteModel Read(byte[] bytes)
    {
        if (bytes.Length < 8 || System.Text.Encoding.ASCII.GetString(bytes, 4, 4) != FileIdentifier)
        {
            throw new TfLiteFormatException("not a TensorFlow Lite model (no 'TFL3' file identifier)");
        }

        var model = TfLiteTable.Root(bytes, "model");
        uint version = model.GetUInt(0);
        var codes = model.GetTableArray(1, "operator_codes");
        var subgraphs = model.GetTableArray(2, "subgraphs");
        string? description = model.GetString(3, "description");
        var buffers = model.GetTableArray(4, "buffers");
        if (subgraphs.Length == 0)
        {
            throw new TfLiteFormatException("the model has no subgraph");
        }

        var subgraph = subgraphs[0];
        var tensorTables = subgraph.GetTableArray(0, "tensors");
        var tensors = new TfLiteTensor[tensorTables.Length];
        for (int i = 0; i < tensorTables.Length; i++)
        {
            tensors[i] = ReadTensor(i, tensorTables[i], buffers, bytes);
        }

        int[] inputs = subgraph.GetIntArray(1, "inputs") ?? [];
        int[] outputs = subgraph.GetIntArray(2, "outputs") ?? [];
        CheckTensorIndices(inputs, tensors.Length, "subgraph input", allowOptional: false);
        CheckTensorIndices(outputs, tensors.Length, "subgraph output", allowOptional: false);

        var operatorTables = subgraph.GetTableArray(3, "operators");
        var operators = new TfLiteOperator[operatorTables.Length];
        for (int i = 0; i < operatorTables.Length; i++)
        {
            operators[i] = ReadOperator(i, operatorTables[i], codes, tensors.Length);
        }

        var metadataNames = model.GetTableArray(6, "metadata").Select((m, i) => m.GetString(0, "name") ?? "").ToArray();

        return new TfLiteModel
        {
            MetadataNames = metadataNames,
            SchemaVersion = version,
            Description = description,
            Tensors = tensors,
            Operators = operators,
            Inputs = inputs,
            Outputs = outputs,
            SubgraphCount = subgraphs.Length,
        };
    }

    private static TfLiteTensor ReadTensor(int index, TfLiteTable table, TfLiteTable[] buffers, byte[] file)
    {
        string What() => $"tensor {index}";
        int[] shape = table.GetIntArray(0, "shape") ?? [];
        var type = (TfLiteType)table.GetByte(1);
        uint bufferIndex = table.GetUInt(2);
        string name = table.GetString(3, "name") ?? "";
        bool isVariable = table.GetBool(5);
        if (table.Has(6))
        {
            throw new TfLiteFormatException($"{What()} '{name}' is sparse; sparse tensors are not supported");
        }

        foreach (int dim in shape)
        {
            if (dim < 0)
            {
                throw new TfLiteFormatException($"{What()} '{name}' has a dynamic or negative dimension ({string.Join(",", shape)})");
            }
        }

        long elements = 1;
        foreach (int dim in shape)
        {
            elements *= dim;
            if (elements > int.MaxValue / 8)
            {
                throw new TfLiteFormatException($"{What()} '{name}' has too many elements ({string.Join(",", shape)})");
            }
        }

        if (bufferIndex >= buffers.Length && bufferIndex != 0)
        {
            throw new TfLiteFormatException($"{What()} '{name}' names buffer {bufferIndex}, but there are {buffers.Length}");
        }

        byte[]? data = null;
        if (bufferIndex != 0)
        {
            var buffer = buffers[bufferIndex];
            if (buffer.GetBytes(0, "data") is { Length: > 0 } bytes)
            {
                data = bytes;
            }
            else if (buffer.GetULong(1) is ulong offset and > 1)
            {
                ulong size = buffer.GetULong(2);
                if (offset > (ulong)file.Length || size > (ulong)file.Length - offset)
                {
                    throw new TfLiteFormatException($"buffer {bufferIndex} (offset {offset}, size {size}) lies outside the file");
                }

                data = file.AsSpan((int)offset, (int)size).ToArray();
            }
        }

        TfLiteQuantization? quantization = null;
        if (table.GetTable(4, "quantization") is { } q)
        {
            float[] scales = q.GetFloatArray(2, "scale") ?? [];
            long[] zeroPoints = q.GetLongArray(3, "zero_point") ?? [];
            if (scales.Length > 0)
            {
                if (zeroPoints.Length != 0 && zeroPoints.Length != scales.Length)
                {
                    throw new TfLiteFormatException($"{What()} '{name}' has {scales.Length} scales but {zeroPoints.Length} zero points");
                }

                if (zeroPoints.Any(z => z is < int.MinValue or > int.MaxValue))
                {
                    throw new TfLiteFormatException($"{What()} '{name}' has a zero point outside int32");
                }

                quantization = new TfLiteQuantization(scales, zeroPoints, q.GetInt(6));
            }
        }

        return new TfLiteTensor(index, name, type, shape, data, quantization, isVariable);
    }

    private static TfLiteOperator ReadOperator(int index, TfLiteTable table, TfLiteTable[] codes, int tensorCount)
    {
        string What() => $"operator {index}";
        uint opcodeIndex = table.GetUInt(0);
        if (opcodeIndex >= codes.Length)
        {
            throw new TfLiteFormatException($"{What()} names operator code {opcodeIndex}, but there are {codes.Length}");
        }

        var code = codes[opcodeIndex];
        int deprecated = code.GetSByte(0);
        int builtin = code.GetInt(3);

        // Older converters keep the operator in deprecated_builtin_code with builtin_code 0: the real one is the larger.
        var op = (BuiltinOperator)Math.Max(deprecated, builtin);
        int version = code.GetInt(2, 1);
        string? custom = code.GetString(1, "custom_code");
        int[] inputs = table.GetIntArray(1, "inputs") ?? [];
        int[] outputs = table.GetIntArray(2, "outputs") ?? [];
        CheckTensorIndices(inputs, tensorCount, "input", allowOptional: true, index);
        CheckTensorIndices(outputs, tensorCount, "output", allowOptional: false, index);
        int optionsType = table.GetByte(3);
        var options = table.GetTable(4, "options");
        return new TfLiteOperator(index, op, version, custom, inputs, outputs, optionsType, options);
    }

    /// <summary>Checks tensor indices of the subgraph or, with <paramref name="op"/>, of that operator.</summary>
    private static void CheckTensorIndices(int[] indices, int tensorCount, string what, bool allowOptional, int op = -1)
    {
        for (int i = 0; i < indices.Length; i++)
        {
            int t = indices[i];
            if (t >= tensorCount || t < (allowOptional ? -1 : 0))
            {
                throw new TfLiteFormatException($"{(op < 0 ? "" : $"operator {op} ")}{what} {i} names tensor {t}, but there are {tensorCount}");
            }
        }
    }
}
