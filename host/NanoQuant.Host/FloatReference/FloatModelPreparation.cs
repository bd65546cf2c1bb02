using System.Buffers.Binary;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.FloatReference;

/// <summary>
/// Turns a hybrid model (int8 weights, float activations, e.g. kws_ref_model_float32) or a model
/// with float16/int8 weights behind DEQUANTIZE operators into a pure float model: quantized
/// constants feeding float operators become float32 constants (scale × (q − zero point), per
/// channel where they are per-channel), DEQUANTIZE operators of constants are folded away.
/// Tensor indices are kept; operators are renumbered.
/// </summary>
public static class FloatModelPreparation
{
    public static TfLiteModel Prepare(TfLiteModel model)
    {
        var tensors = model.Tensors.ToArray();
        var operators = new List<TfLiteOperator>();
        bool changed = false;

        foreach (var op in model.Operators)
        {
            if (op.Code == BuiltinOperator.Dequantize && op.Inputs.Length == 1 && op.Outputs.Length == 1 && tensors[op.Inputs[0]].IsConstant)
            {
                var source = tensors[op.Inputs[0]];
                var output = tensors[op.Outputs[0]];
                tensors[output.Index] = output with { Type = TfLiteType.Float32, Data = Dequantize(source, op), Quantization = null };
                changed = true;
                continue;
            }

            operators.Add(op);
        }

        // Quantized constants read directly by float operators (hybrid operators).
        foreach (var op in operators)
        {
            bool floatOperator = op.Outputs.Any(o => tensors[o].Type == TfLiteType.Float32);
            if (!floatOperator)
            {
                continue;
            }

            foreach (int input in op.Inputs.Where(i => i >= 0))
            {
                var tensor = tensors[input];
                if (tensor.IsConstant && tensor.Type is TfLiteType.Int8 or TfLiteType.UInt8 or TfLiteType.Int16 or TfLiteType.Float16
                    && (tensor.Quantization is not null || tensor.Type == TfLiteType.Float16))
                {
                    tensors[input] = tensor with { Type = TfLiteType.Float32, Data = Dequantize(tensor, op), Quantization = null };
                    changed = true;
                }
            }
        }

        if (!changed)
        {
            return model;
        }

        return new TfLiteModel
        {
            SchemaVersion = model.SchemaVersion,
            Description = model.Description,
            Tensors = tensors,
            Operators = operators.Select((o, i) => o with { Index = i }).ToList(),
            Inputs = model.Inputs,
            Outputs = model.Outputs,
            SubgraphCount = model.SubgraphCount,
        };
    }

    /// <summary>The float32 bytes of a quantized (int8, uint8, int16) or float16 constant.</summary>
    private static byte[] Dequantize(TfLiteTensor tensor, TfLiteOperator op)
    {
        int count = tensor.ElementCount;
        var data = tensor.Data!;
        int size = tensor.Type switch
        {
            TfLiteType.Int8 or TfLiteType.UInt8 => 1,
            TfLiteType.Int16 or TfLiteType.Float16 => 2,
            TfLiteType.Float32 => 4,
            _ => throw new UnsupportedModelException($"{op}: constant {tensor} is {tensor.Type}; only int8, uint8, int16 and float16 weights can be dequantized"),
        };
        if (data.Length != (long)count * size)
        {
            throw new UnsupportedModelException($"{op}: {tensor} has {data.Length} bytes of data, its shape needs {(long)count * size}");
        }

        var output = new byte[count * 4];
        if (tensor.Type == TfLiteType.Float32)
        {
            data.CopyTo(output, 0);
            return output;
        }

        if (tensor.Type == TfLiteType.Float16)
        {
            for (int i = 0; i < count; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(output.AsSpan(i * 4), (float)BinaryPrimitives.ReadHalfLittleEndian(data.AsSpan(i * 2)));
            }

            return output;
        }

        var q = tensor.Quantization ?? throw new UnsupportedModelException($"{op}: {tensor} is {tensor.Type} without quantization parameters");
        int channels = q.Scales.Length;
        int dimension = q.IsPerChannel ? q.Dimension : 0;
        if (q.IsPerChannel && (dimension < 0 || dimension >= tensor.Shape.Length || tensor.Shape[dimension] != channels))
        {
            throw new UnsupportedModelException($"{op}: {tensor} has {channels} scales along dimension {dimension}, which does not match its shape ({string.Join(",", tensor.Shape)})");
        }

        int inner = q.IsPerChannel ? tensor.Shape.Skip(dimension + 1).Aggregate(1, (a, b) => a * b) : count;
        for (int i = 0; i < count; i++)
        {
            int c = q.IsPerChannel ? (i / inner) % channels : 0;
            long zeroPoint = q.ZeroPoints.Length == 0 ? 0 : q.ZeroPoints[c];
            int value = tensor.Type switch
            {
                TfLiteType.Int8 => unchecked((sbyte)data[i]),
                TfLiteType.UInt8 => data[i],
                _ => BinaryPrimitives.ReadInt16LittleEndian(data.AsSpan(i * 2)),
            };
            float real = (float)(q.Scales[c] * (double)(value - zeroPoint));
            if (!float.IsFinite(real))
            {
                throw new UnsupportedModelException($"{op}: {tensor} dequantizes to {real} at element {i}: weights must be finite");
            }

            BinaryPrimitives.WriteSingleLittleEndian(output.AsSpan(i * 4), real);
        }

        return output;
    }
}
