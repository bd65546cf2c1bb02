using NanoQuant.Format;
using NanoQuant.Host.DeviceModels;
using NanoQuant.Host.Lowering;
using NanoQuant.Host.Lowering.Int16;
using NanoQuant.Host.Planning;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Conversion;

/// <summary>The converter's product: the device model, its bytes and plan, and how TFLite tensors map onto it.</summary>
/// <param name="TensorMap">TFLite tensor index → device tensor index, for every TFLite tensor the device model keeps.</param>
public sealed record ConversionResult(DeviceModel Model, byte[] Bytes, MemoryPlan Plan, IReadOnlyDictionary<int, int> TensorMap);

/// <summary>
/// Converts an int8 TFLite model (post-training quantized or quantization-aware trained by
/// TensorFlow's converter) into a device model, unchanged in arithmetic: QUANTIZE/DEQUANTIZE at
/// the edges become flags on the device model's int8 inputs and outputs, every other operator is
/// lowered by its <see cref="IOperatorLowering"/>, and the memory plan is made here.
/// </summary>
public static class Converter
{
    private static readonly BuiltinOperator[] RecurrentOperators =
    [
        BuiltinOperator.Lstm, BuiltinOperator.BidirectionalSequenceLstm,
        BuiltinOperator.UnidirectionalSequenceRnn, BuiltinOperator.Rnn, BuiltinOperator.BidirectionalSequenceRnn,
        BuiltinOperator.Svdf,
    ];

    /// <summary>The TFLite operators the converter can lower with int16 activations (16x8).</summary>
    public static IEnumerable<BuiltinOperator> SupportedInt16Operators => Lowerings.Operators(TfLiteType.Int16);

    /// <summary>The TFLite operators the converter can lower.</summary>
    public static IEnumerable<BuiltinOperator> SupportedOperators => Lowerings.Operators(TfLiteType.Int8).Concat([BuiltinOperator.Quantize, BuiltinOperator.Dequantize]).Distinct();

    /// <summary>Converts the .tflite file at <paramref name="path"/>; see <see cref="Convert"/>.</summary>
    public static ConversionResult ConvertFile(string path, PaletteMode palettes = PaletteMode.WhenSmaller, bool compactConstants = false) => Convert(TfLiteReader.ReadFile(path), palettes, compactConstants);

    /// <summary>
    /// Converts <paramref name="source"/>. By default (<see cref="PaletteMode.WhenSmaller"/>) int8 constants whose
    /// values fit a smaller palette encoding are stored that way — losslessly, so the outputs are unchanged.
    /// <paramref name="compactConstants"/> stores int32 constants narrow and derives folded biases at load
    /// (<see cref="ConstantCompaction"/>), losslessly too.
    /// </summary>
    public static ConversionResult Convert(TfLiteModel source, PaletteMode palettes = PaletteMode.WhenSmaller, bool compactConstants = false)
    {
        CheckSupportedKind(source);
        var target = new DeviceModel();
        var context = new LoweringContext(source, target);
        var skipped = new HashSet<int>();

        foreach (int input in source.Inputs)
        {
            target.Inputs.Add(MapInput(context, source.Tensors[input], skipped));
        }

        var outputs = source.Outputs.Select(o => MapOutput(source, source.Tensors[o], skipped)).ToList();
        bool[] uint8Outputs = source.Outputs.Select(o => source.Tensors[o].Type == TfLiteType.UInt8).ToArray();

        foreach (var op in source.Operators)
        {
            if (skipped.Contains(op.Index))
            {
                continue;
            }

            if (Int16Operands.IsInt16(source, op))
            {
                if (Lowerings.Find(op.Code, TfLiteType.Int16) is not { } int16Lowering)
                {
                    throw new UnsupportedModelException(
                        $"{op}: operator {op.Name} has int16 activations (16x8 quantization), which nanoQuant does not support for this operator (nor does TFLite Micro for HARD_SWISH, SVDF and others). 16x8 operators: {string.Join(", ", SupportedInt16Operators.Select(BuiltinOperators.Name).Order())}");
                }

                int16Lowering.Lower(context, op);
                continue;
            }

            if (Lowerings.Find(op.Code, TfLiteType.Int8) is not { } lowering)
            {
                throw new UnsupportedModelException(
                    $"{op}: operator {op.Name} is not supported by the nanoQuant runtime. Supported: {string.Join(", ", SupportedOperators.Select(BuiltinOperators.Name).Order())}");
            }

            lowering.Lower(context, op);
        }

        for (int k = 0; k < outputs.Count; k++)
        {
            var (tensor, isFloatEdge) = outputs[k];
            if (!context.TensorMap.TryGetValue(tensor.Index, out int device))
            {
                throw new UnsupportedModelException($"model output {tensor} is not computed by any supported operator");
            }

            if (isFloatEdge)
            {
                target.Tensors[device].Flags |= ModelFormat.FlagFloatOutput;
            }

            if (uint8Outputs[k])
            {
                target.Tensors[device].Flags |= ModelFormat.FlagUInt8Output;
            }

            target.Outputs.Add(device);
        }

        var plan = MemoryPlanner.Plan(target);
        return new ConversionResult(target, DeviceModelWriter.Write(target, palettes, compactConstants), plan, context.TensorMap);
    }

    private static int MapInput(LoweringContext context, TfLiteTensor input, HashSet<int> skipped)
    {
        var source = context.Source;
        if (input.Type == TfLiteType.Int8)
        {
            return context.Int8Operand(null, input);
        }

        if (input.Type == TfLiteType.Int16)
        {
            return Int16Operands.Operand(context, null, input);
        }

        if (input.Type == TfLiteType.UInt8)
        {
            return MapUInt8Input(context, input, skipped);
        }

        if (input.Type != TfLiteType.Float32)
        {
            throw new UnsupportedModelException($"model input {input} is {input.Type}; nanoQuant takes int8, int16, uint8 or float32 inputs");
        }

        // A float input is allowed only as the source of QUANTIZE operators: the device model takes their int8 output.
        var consumers = source.Operators.Where(o => o.Inputs.Contains(input.Index)).ToList();
        if (consumers.Count != 1 || consumers[0].Code != BuiltinOperator.Quantize)
        {
            throw new UnsupportedModelException($"model input {input} is float32 and feeds float operators: this is a float model. Quantize it with `nanoquant convert MODEL.tflite --calibration DATA.npy` (full-integer post-training quantization)");
        }

        var quantize = consumers[0];
        if (quantize.Outputs.Length != 1)
        {
            throw new UnsupportedModelException($"{quantize} quantizes model input {input} but has {quantize.Outputs.Length} outputs; QUANTIZE has one");
        }

        var quantized = source.Tensors[quantize.Outputs[0]];
        int index = quantized.Type == TfLiteType.Int16 ? Int16Operands.Operand(context, quantize, quantized) : context.Int8Operand(quantize, quantized);
        context.Target.Tensors[index].Flags |= ModelFormat.FlagFloatInput;
        context.Alias(input.Index, index);
        skipped.Add(quantize.Index);
        return index;
    }

    /// <summary>
    /// A uint8 input (TFLite's inference_input_type=tf.uint8) feeding one QUANTIZE to int8 with the same scale and
    /// a zero point 128 lower: the device takes that int8 tensor, flagged uint8 (the QUANTIZE is a flip of the top bit).
    /// </summary>
    private static int MapUInt8Input(LoweringContext context, TfLiteTensor input, HashSet<int> skipped)
    {
        var source = context.Source;
        var consumers = source.Operators.Where(o => o.Inputs.Contains(input.Index)).ToList();
        if (consumers.Count != 1 || consumers[0].Code != BuiltinOperator.Quantize || consumers[0].Outputs is not [var quantizedIndex] || source.Tensors[quantizedIndex].Type != TfLiteType.Int8)
        {
            throw new UnsupportedModelException($"model input {input} is uint8 and does not feed exactly one QUANTIZE to int8: nanoQuant takes uint8 inputs as TFLite's converter writes them (inference_input_type=tf.uint8)");
        }

        var quantize = consumers[0];
        if (quantize.Outputs.Length != 1)
        {
            throw new UnsupportedModelException($"{quantize} quantizes model input {input} but has {quantize.Outputs.Length} outputs; QUANTIZE has one");
        }

        var quantized = source.Tensors[quantize.Outputs[0]];
        CheckUInt8Edge(input, quantized);
        int index = context.Int8Operand(quantize, quantized);
        context.Target.Tensors[index].Flags |= ModelFormat.FlagUInt8Input;
        context.Alias(input.Index, index);
        skipped.Add(quantize.Index);
        return index;
    }

    /// <summary>A uint8 edge and its int8 tensor: one scale each, equal, and zero points 128 apart (what TFLite's converter writes).</summary>
    private static void CheckUInt8Edge(TfLiteTensor uint8, TfLiteTensor int8)
    {
        if (uint8.Quantization is not { IsPerChannel: false } u || int8.Quantization is not { IsPerChannel: false } q || u.Scale != q.Scale || u.ZeroPoint != q.ZeroPoint + 128)
        {
            throw new UnsupportedModelException($"model edge {uint8} is uint8 but not the int8 tensor {int8} with the same scale and zero point + 128: nanoQuant takes uint8 edges as TFLite's converter writes them (inference_input_type/inference_output_type=tf.uint8)");
        }
    }

    private static (TfLiteTensor Tensor, bool FloatEdge) MapOutput(TfLiteModel source, TfLiteTensor output, HashSet<int> skipped)
    {
        if (output.Type is TfLiteType.Int8 or TfLiteType.Int16)
        {
            return (output, false);
        }

        if (output.Type == TfLiteType.UInt8)
        {
            var quantize = source.Operators.FirstOrDefault(o => o.Outputs.Contains(output.Index));
            if (quantize is not { Code: BuiltinOperator.Quantize, Inputs: [>= 0, ..] } || source.Tensors[quantize.Inputs[0]].Type != TfLiteType.Int8)
            {
                throw new UnsupportedModelException($"model output {output} is uint8 and not the result of a QUANTIZE of an int8 tensor: nanoQuant takes uint8 outputs as TFLite's converter writes them (inference_output_type=tf.uint8)");
            }

            CheckUInt8Edge(output, source.Tensors[quantize.Inputs[0]]);
            skipped.Add(quantize.Index);
            return (source.Tensors[quantize.Inputs[0]], false);
        }

        var producer = source.Operators.FirstOrDefault(o => o.Outputs.Contains(output.Index));
        if (output.Type == TfLiteType.Float32 && producer is { Code: BuiltinOperator.Dequantize, Inputs: [>= 0, ..] }
            && source.Tensors[producer.Inputs[0]].Type is TfLiteType.Int8 or TfLiteType.Int16)
        {
            skipped.Add(producer.Index);
            return (source.Tensors[producer.Inputs[0]], true);
        }

        throw new UnsupportedModelException($"model output {output} is {output.Type} and not the result of a DEQUANTIZE of an int8 or int16 tensor: this is a float model. Quantize it with `nanoquant convert MODEL.tflite --calibration DATA.npy`");
    }

    private static void CheckSupportedKind(TfLiteModel source)
    {
        // TFLM's lookup-table compression (tensorflow/lite/micro/compression): packed indices in the weight
        // buffers, value tables in the metadata, or a DECODE operator in front of the weights.
        if (source.MetadataNames.Contains("COMPRESSION_METADATA", StringComparer.Ordinal)
            || source.Operators.FirstOrDefault(o => (o.CustomCode ?? "").Contains("DECODE", StringComparison.OrdinalIgnoreCase)) is not null)
        {
            throw new UnsupportedModelException("the model was compressed by TensorFlow Lite Micro's compression tool (COMPRESSION_METADATA lookup tables or DECODE operators), which nanoQuant does not import: " +
                "convert the uncompressed model instead — its palette storage keeps weights with few values per channel as compactly, and --cluster N makes them so (docs/device-model-format.md)");
        }

        if (source.Operators.FirstOrDefault(o => RecurrentOperators.Contains(o.Code)) is { } recurrent)
        {
            throw new UnsupportedModelException($"{recurrent}: operator {recurrent.Name} is not supported by the nanoQuant runtime, so this model cannot be converted; of the recurrent operators it runs UNIDIRECTIONAL_SEQUENCE_LSTM (int8, as TFLite Micro does)");
        }

        if (source.SubgraphCount > 1)
        {
            throw new UnsupportedModelException($"the model has {source.SubgraphCount} subgraphs (control flow); nanoQuant runs single-subgraph models only");
        }

        // Hybrid: float activations feeding an operator whose weights are int8.
        foreach (var op in source.Operators)
        {
            if (op.Code is BuiltinOperator.Conv2d or BuiltinOperator.DepthwiseConv2d or BuiltinOperator.FullyConnected
                && op.Inputs is [>= 0, >= 0, ..]
                && source.Tensors[op.Inputs[0]].Type == TfLiteType.Float32
                && source.Tensors[op.Inputs[1]].Type == TfLiteType.Int8)
            {
                throw new UnsupportedModelException($"{op}: this is a hybrid model (int8 weights, float activations), which the int8 runtime cannot run as is. Quantize it fully with `nanoquant convert MODEL.tflite --calibration DATA.npy`");
            }
        }
    }
}
