using System.Buffers.Binary;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.FloatReference;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Quantization;

/// <summary>Choices of the post-training quantizer.</summary>
public sealed record QuantizerOptions
{
    /// <summary>Quantize FULLY_CONNECTED weights per output channel (TFLite's default is one scale per tensor).</summary>
    public bool PerChannelFullyConnected { get; init; }

    /// <summary>
    /// Keep float32 model inputs and outputs, with a QUANTIZE after each input and a DEQUANTIZE
    /// before each output (TensorFlow's default); otherwise the inputs and outputs are int8 (as
    /// with inference_input_type / inference_output_type int8).
    /// </summary>
    public bool FloatEdges { get; init; }

    /// <summary>
    /// uint8 model inputs and outputs (TFLite's inference_input_type / inference_output_type = tf.uint8): each
    /// int8 edge becomes a uint8 tensor with the same scale and zero point + 128, with a QUANTIZE from it after
    /// each input and a QUANTIZE to it after each output, as TensorFlow's converter writes them. int8 only.
    /// </summary>
    public bool UInt8Edges { get; init; }

    /// <summary>When integer calibration data carries its own int8 quantization, give the model input exactly that one (so such data is taken as it is).</summary>
    public bool UseDataQuantizationForInputs { get; init; } = true;

    /// <summary>
    /// After quantization, cluster every CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED weight tensor into at most
    /// this many values per output channel (<see cref="WeightClustering"/>); null: no clustering.
    /// </summary>
    public int? Clusters { get; init; }

    /// <summary>With <see cref="Clusters"/>: one set of values per weight tensor (shared by its channels, in their int8 scale) instead of one per output channel.</summary>
    public bool ClusterPerTensor { get; init; }

    /// <summary>With <see cref="Clusters"/>: how each weight is assigned to its table's values (error feedback needs the calibration data a float model is quantized with).</summary>
    public ClusteringMethod ClusterMethod { get; init; } = ClusteringMethods.Default;

    /// <summary>How the device model stores int8 constants that fit a palette.</summary>
    public DeviceModels.PaletteMode Palettes { get; init; } = DeviceModels.PaletteMode.WhenSmaller;

    /// <summary>Store int32 constants narrow and derive folded biases at load (<see cref="DeviceModels.ConstantCompaction"/>); null: the default, <see cref="DeviceModels.ConstantCompaction.IsOn"/>.</summary>
    public bool? CompactConstants { get; init; }

    /// <summary>
    /// 16x8 quantization (TensorFlow's EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8):
    /// int16 symmetric activations (zero point 0), int8 weights per output channel (FULLY_CONNECTED too), int64 biases, SOFTMAX,
    /// LOGISTIC and TANH outputs at 2^-15; model inputs/outputs int16 (or float32 with <see cref="FloatEdges"/>).
    /// </summary>
    public bool Int16Activations { get; init; }

    /// <summary>
    /// With <see cref="Int16Activations"/>: correct each convolution's and FULLY_CONNECTED's int64 bias for the mean
    /// shift its int8 weights' rounding causes (<see cref="Quantization.BiasCorrection"/>); off gives TFLite's 16x8 biases exactly.
    /// </summary>
    public bool BiasCorrection { get; init; } = true;
}

/// <summary>The int8 model the quantizer made, and where each float tensor went.</summary>
public sealed class QuantizedModel
{
    public required TfLiteModel Model { get; init; }

    /// <summary>Float model tensor index → the int8 tensor standing for it (the same index, except edges kept float).</summary>
    public required IReadOnlyDictionary<int, int> Int8Tensors { get; init; }

    /// <summary>The int8 quantization of the activation that stands for float tensor <paramref name="floatTensor"/>.</summary>
    public (float Scale, int ZeroPoint) Activation(int floatTensor)
    {
        var q = Model.Tensors[Int8Tensors[floatTensor]].Quantization!;
        return (q.Scale, q.ZeroPoint);
    }
}

/// <summary>
/// Full-integer post-training quantization of a float model, by the TFLite int8 spec: activations
/// per-tensor asymmetric int8 from their calibrated ranges (widened to include 0); weights
/// symmetric int8 in [−127, 127] — per output channel for CONV_2D and DEPTHWISE_CONV_2D, per
/// tensor (or per channel) for FULLY_CONNECTED; biases int32 with scale input × weight scale;
/// SOFTMAX and LOGISTIC outputs at (1/256, −128), TANH at (1/128, 0); pooling, RESHAPE, SQUEEZE,
/// PAD, CONCATENATION, TRANSPOSE, STRIDED_SLICE and RELU6 keep their input's quantization;
/// UNIDIRECTIONAL_SEQUENCE_LSTM as TFLite's 8x8→16 LSTM (see <see cref="QuantizeLstm"/>). The
/// product is an ordinary int8 <see cref="TfLiteModel"/> — the shape TensorFlow's converter
/// gives — that <see cref="Converter"/> lowers like any TensorFlow-made int8 model.
/// </summary>
public static class Quantizer
{
    private enum Rule
    {
        /// <summary>Output quantized from its own calibrated range.</summary>
        Range,

        /// <summary>Output takes the input's quantization (the int8 kernel does not rescale).</summary>
        SameAsInput,

        /// <summary>Output quantization fixed by the spec.</summary>
        Fixed,
    }

    private sealed record OperatorRule(Rule Rule, int Version, float Scale = 0, int ZeroPoint = 0);

    private static readonly Dictionary<BuiltinOperator, OperatorRule> Rules = new()
    {
        [BuiltinOperator.Conv2d] = new(Rule.Range, 3),
        [BuiltinOperator.DepthwiseConv2d] = new(Rule.Range, 3),
        [BuiltinOperator.FullyConnected] = new(Rule.Range, 4),
        [BuiltinOperator.Add] = new(Rule.Range, 2),
        [BuiltinOperator.Sub] = new(Rule.Range, 2),
        [BuiltinOperator.Mul] = new(Rule.Range, 2),
        [BuiltinOperator.Mean] = new(Rule.Range, 2),
        [BuiltinOperator.Relu] = new(Rule.Range, 2),
        [BuiltinOperator.LeakyRelu] = new(Rule.Range, 2),
        [BuiltinOperator.HardSwish] = new(Rule.Range, 1),
        [BuiltinOperator.Relu6] = new(Rule.SameAsInput, 2),
        [BuiltinOperator.AveragePool2d] = new(Rule.SameAsInput, 2),
        [BuiltinOperator.MaxPool2d] = new(Rule.SameAsInput, 2),
        [BuiltinOperator.Reshape] = new(Rule.SameAsInput, 1),
        [BuiltinOperator.Squeeze] = new(Rule.SameAsInput, 1),
        [BuiltinOperator.Pad] = new(Rule.SameAsInput, 2),
        [BuiltinOperator.Padv2] = new(Rule.SameAsInput, 2),
        [BuiltinOperator.Concatenation] = new(Rule.SameAsInput, 2),
        [BuiltinOperator.Transpose] = new(Rule.SameAsInput, 2),
        [BuiltinOperator.StridedSlice] = new(Rule.SameAsInput, 2),
        [BuiltinOperator.Softmax] = new(Rule.Fixed, 2, 1f / 256, -128),
        [BuiltinOperator.Logistic] = new(Rule.Fixed, 2, 1f / 256, -128),
        [BuiltinOperator.Tanh] = new(Rule.Fixed, 2, 1f / 128, 0),
        [BuiltinOperator.UnidirectionalSequenceLstm] = new(Rule.Range, 1),
    };

    /// <summary>The operators with a quantization rule.</summary>
    public static IReadOnlyCollection<BuiltinOperator> SupportedOperators => Rules.Keys;

    /// <summary>Checks that every operator of the model has a quantization rule (one clear error otherwise).</summary>
    public static void CheckRules(TfLiteModel model, bool int16 = false)
    {
        foreach (var op in model.Operators)
        {
            if (int16 && op.Code == BuiltinOperator.HardSwish)
            {
                throw new UnsupportedModelException($"{op}: HARD_SWISH has no int16 kernel in TensorFlow Lite Micro (float32 and int8 only), so this model cannot be quantized 16x8; quantize it to int8 instead");
            }

            if (int16 && op.Code == BuiltinOperator.Padv2 && op.Inputs.Length > 2 && op.Inputs[2] >= 0
                && model.Tensors[op.Inputs[2]] is { Type: TfLiteType.Float32, Data: { Length: 4 } pad }
                && BinaryPrimitives.ReadSingleLittleEndian(pad) is var value && value != 0)
            {
                throw new UnsupportedModelException($"{op}: PADV2 pads with {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}; nanoQuant's int16 PAD pads with 0 only " +
                    "(TFLite Micro would pad with the quantized constant), so this model cannot be quantized 16x8; quantize it to int8 instead");
            }

            if (int16 && Rules.ContainsKey(op.Code) && !Conversion.Converter.SupportedInt16Operators.Contains(op.Code))
            {
                throw new UnsupportedModelException($"{op}: operator {op.Name} has no 16x8 (int16 activation) kernel in nanoQuant, so this model cannot be quantized 16x8; quantize it to int8 instead (leave out --activations int16). " +
                    $"16x8 operators: {string.Join(", ", Conversion.Converter.SupportedInt16Operators.Select(BuiltinOperators.Name).Order())}");
            }

            if (!Rules.ContainsKey(op.Code))
            {
                throw new UnsupportedModelException(
                    $"{op}: operator {op.Name} has no quantization rule, so the model cannot be quantized. Operators with a rule: {string.Join(", ", Rules.Keys.Select(BuiltinOperators.Name).Order())}");
            }
        }
    }

    /// <param name="ranges">Calibrated [min, max] of every activation tensor of <paramref name="model"/>.</param>
    /// <param name="inputQuantization">Per model input, a quantization to use instead of the calibrated range (or null).</param>
    public static QuantizedModel Quantize(FloatModel model, IReadOnlyDictionary<int, (float Min, float Max)> ranges,
        IReadOnlyList<(float Scale, int ZeroPoint)?>? inputQuantization, QuantizerOptions options)
    {
        var source = model.Model;
        bool int16 = options.Int16Activations;
        CheckRules(source, int16);
        var activationType = int16 ? TfLiteType.Int16 : TfLiteType.Int8;
        int count = source.Tensors.Count;
        var groups = new UnionFind(count);
        var fixedQuantization = new Dictionary<int, (float Scale, int ZeroPoint)>();
        var requantized = new List<(int Operator, int Slot)>();

        for (int i = 0; i < source.Inputs.Length; i++)
        {
            if (!int16 && options.UseDataQuantizationForInputs && inputQuantization is not null && i < inputQuantization.Count && inputQuantization[i] is { } q)
            {
                fixedQuantization[source.Inputs[i]] = q;
            }
        }

        (float, int)? GroupFixed(int tensor)
        {
            int root = groups.Find(tensor);
            foreach (var (t, q) in fixedQuantization)
            {
                if (groups.Find(t) == root)
                {
                    return q;
                }
            }

            return null;
        }

        // 1. Which tensors must share a quantization.
        foreach (var op in source.Operators)
        {
            var rule = Rules[op.Code];
            int output = op.Outputs[0];
            switch (rule.Rule)
            {
                case Rule.Fixed:
                    // TFLM's int16 SOFTMAX requires output scale 1/32768, LOGISTIC and TANH 2^-15 (zero point 0).
                    fixedQuantization[output] = int16 ? (1f / 32768, 0) : (rule.Scale, rule.ZeroPoint);
                    break;
                case Rule.SameAsInput when op.Code == BuiltinOperator.Concatenation:
                    var fixedInputs = op.Inputs.Select(i => GroupFixed(i)).ToList();
                    bool allSameFixed = fixedInputs.All(f => f is not null) && fixedInputs.Distinct().Count() == 1;
                    for (int slot = 0; slot < op.Inputs.Length; slot++)
                    {
                        if (fixedInputs[slot] is null || allSameFixed)
                        {
                            groups.Union(op.Inputs[slot], output);
                        }
                        else
                        {
                            requantized.Add((op.Index, slot));
                        }
                    }

                    break;
                case Rule.SameAsInput:
                    groups.Union(op.Inputs[0], output);
                    break;
            }
        }

        // 2. One quantization per group: the fixed one, or from the union of the members' ranges.
        var activation = new Dictionary<int, (float Scale, int ZeroPoint)>();
        var members = new Dictionary<int, List<int>>();
        foreach (int t in model.ActivationTensors.Concat(GroupedConstants(source, groups)))
        {
            int root = groups.Find(t);
            if (!members.TryGetValue(root, out var list))
            {
                members[root] = list = [];
            }

            list.Add(t);
        }

        var producers = source.Operators.SelectMany(o => o.Outputs.Select(t => (t, o))).ToDictionary(p => p.t, p => p.o);
        foreach (var (root, list) in members)
        {
            (float, int) quantization;
            if (GroupFixed(root) is { } fixedValue)
            {
                quantization = fixedValue;
            }
            else
            {
                double min = double.PositiveInfinity, max = double.NegativeInfinity;
                foreach (int t in list)
                {
                    var (lo, hi) = TensorRange(source, model, ranges, producers, t);
                    min = Math.Min(min, lo);
                    max = Math.Max(max, hi);
                }

                quantization = int16 ? QuantizationParameters.ActivationInt16(min, max) : QuantizationParameters.Activation(min, max);
            }

            foreach (int t in list)
            {
                activation[t] = quantization;
            }
        }

        // 3. The int8 model.
        var tensors = source.Tensors.ToList();
        var operators = source.Operators.Select(o => o with { Inputs = o.Inputs.ToArray(), Outputs = o.Outputs.ToArray() }).ToList();
        foreach (var (t, (scale, zeroPoint)) in activation)
        {
            tensors[t] = tensors[t] with
            {
                Type = activationType,
                Quantization = PerTensor(scale, zeroPoint),
                Data = !tensors[t].IsConstant ? null
                    : int16 ? ToBytes(QuantizationParameters.QuantizeValuesInt16(model.Constants[t]!, scale, zeroPoint))
                    : ToBytes(QuantizationParameters.QuantizeValues(model.Constants[t]!, scale, zeroPoint)),
            };
        }

        var quantizedConstants = new Dictionary<int, string>();
        foreach (var op in operators)
        {
            QuantizeConstants(model, op, tensors, activation, quantizedConstants, options, ranges);
        }

        var inserted = new List<(int Before, TfLiteOperator Op)>();
        foreach (var (opIndex, slot) in requantized)
        {
            var op = operators[opIndex];
            var original = tensors[op.Inputs[slot]];
            var (scale, zeroPoint) = activation[op.Outputs[0]];
            int index = tensors.Count;
            tensors.Add(original with { Index = index, Name = original.Name + "/requantized", Quantization = PerTensor(scale, zeroPoint), Data = null });
            op.Inputs[slot] = index;
            inserted.Add((opIndex, new TfLiteOperator(0, BuiltinOperator.Quantize, 2, null, [original.Index], [index], 0, null)));
        }

        var ordered = new List<TfLiteOperator>();
        for (int i = 0; i < operators.Count; i++)
        {
            ordered.AddRange(inserted.Where(x => x.Before == i).Select(x => x.Op));
            var op = operators[i];
            ordered.Add(op with { Version = Math.Max(op.Version, Rules[op.Code].Version) });
        }

        var int8Tensors = activation.Keys.ToDictionary(t => t, t => t);
        if (options.FloatEdges)
        {
            AddFloatEdges(source, tensors, ordered, int8Tensors, int16 ? "/int16" : "/int8");
        }
        else if (options.UInt8Edges)
        {
            if (int16)
            {
                throw new ArgumentException("uint8 inputs and outputs go with int8 activations only (as in TFLite's converter)");
            }

            AddUInt8Edges(source, tensors, ordered, int8Tensors);
        }

        var quantized = new TfLiteModel
        {
            SchemaVersion = source.SchemaVersion,
            Description = (int16 ? "nanoQuant 16x8 post-training quantization of: " : "nanoQuant post-training quantization of: ") + (source.Description ?? "a float model"),
            Tensors = tensors,
            Operators = ordered.Select((o, i) => o with { Index = i }).ToList(),
            Inputs = source.Inputs,
            Outputs = source.Outputs,
            SubgraphCount = 1,
        };
        return new QuantizedModel { Model = quantized, Int8Tensors = int8Tensors };
    }

    /// <summary>Constants that are the data input of a same-as-input operator (they join its group).</summary>
    private static IEnumerable<int> GroupedConstants(TfLiteModel source, UnionFind groups) =>
        source.Operators
            .Where(o => Rules[o.Code].Rule == Rule.SameAsInput)
            .SelectMany(o => o.Code == BuiltinOperator.Concatenation ? o.Inputs : [o.Inputs[0]])
            .Where(t => t >= 0 && source.Tensors[t].IsConstant && source.Tensors[t].Type == TfLiteType.Float32 && groups.Size(t) > 1)
            .Distinct();

    /// <summary>A tensor's range: calibrated for activations (clamped by a fused activation), its values for constants.</summary>
    private static (double Min, double Max) TensorRange(TfLiteModel source, FloatModel model, IReadOnlyDictionary<int, (float Min, float Max)> ranges,
        Dictionary<int, TfLiteOperator> producers, int tensor)
    {
        if (model.Constants[tensor] is { } values)
        {
            return values.Length == 0 ? (0, 0) : (values.Min(), values.Max());
        }

        if (!ranges.TryGetValue(tensor, out var range))
        {
            throw new ArgumentException($"no calibrated range for {source.Tensors[tensor]}");
        }

        double min = range.Min, max = range.Max;
        if (producers.TryGetValue(tensor, out var producer) && FusedActivationOf(producer) is { } activation)
        {
            (double lo, double hi) = activation switch
            {
                FusedActivation.Relu => (0, double.PositiveInfinity),
                FusedActivation.Relu6 => (0, 6),
                FusedActivation.ReluN1To1 => (-1, 1),
                _ => (double.NegativeInfinity, double.PositiveInfinity),
            };
            min = Math.Clamp(min, lo, hi);
            max = Math.Clamp(max, lo, hi);
        }

        return (min, max);
    }

    private static FusedActivation? FusedActivationOf(TfLiteOperator op)
    {
        var options = new Lowering.OperatorOptions(op.Options);
        return op.Code switch
        {
            BuiltinOperator.Conv2d => options.GetActivation(3),
            BuiltinOperator.DepthwiseConv2d => options.GetActivation(4),
            BuiltinOperator.FullyConnected or BuiltinOperator.Add or BuiltinOperator.Sub or BuiltinOperator.Mul => options.GetActivation(0),
            _ => null,
        };
    }

    private static void QuantizeConstants(FloatModel model, TfLiteOperator op, List<TfLiteTensor> tensors,
        Dictionary<int, (float Scale, int ZeroPoint)> activation, Dictionary<int, string> done, QuantizerOptions options,
        IReadOnlyDictionary<int, (float Min, float Max)> ranges)
    {
        var source = model.Model;
        if (op.Code == BuiltinOperator.UnidirectionalSequenceLstm)
        {
            QuantizeLstm(model, op, tensors, activation, done, ranges);
            return;
        }

        int weightDimension = op.Code switch
        {
            BuiltinOperator.Conv2d => 0,
            BuiltinOperator.DepthwiseConv2d => 3,
            BuiltinOperator.FullyConnected => options.PerChannelFullyConnected || options.Int16Activations ? 0 : -1,
            _ => int.MinValue,
        };

        if (weightDimension != int.MinValue)
        {
            int weightsIndex = op.Inputs[1];
            var floatWeights = source.Tensors[weightsIndex];
            var weights = model.Constants[weightsIndex] ?? throw new UnsupportedModelException($"{op}: weights {floatWeights} must be constant to be quantized");
            float[]? floatBiasValues = op.Inputs.Length > 2 && op.Inputs[2] >= 0 ? model.Constants[op.Inputs[2]] : null;
            float inputScale = activation[op.Inputs[0]].Scale;
            // Weight scales are widened where the bias would not fit int32's middle half, in 16x8 too: a channel whose
            // weights are all but zero would otherwise get a requantization multiplier that underflows to 0.
            var (values, scales) = QuantizationParameters.Weights(weights, floatWeights.Shape, weightDimension, floatBiasValues, inputScale);
            int dimension = Math.Max(weightDimension, 0);
            var weightsTensor = floatWeights with
            {
                Type = TfLiteType.Int8,
                Data = ToBytes(values),
                Quantization = new TfLiteQuantization(scales, new long[scales.Length], dimension),
            };
            op.Inputs[1] = Place(tensors, done, weightsIndex, weightsTensor, "w" + string.Join(",", scales.Select(BitConverter.SingleToInt32Bits)));

            if (op.Inputs.Length > 2 && op.Inputs[2] >= 0)
            {
                int biasIndex = op.Inputs[2];
                var floatBias = source.Tensors[biasIndex];
                var bias = model.Constants[biasIndex] ?? throw new UnsupportedModelException($"{op}: bias {floatBias} must be constant to be quantized");
                var biasScales = scales.Select(s => QuantizationParameters.BiasScale(inputScale, s)).ToArray();
                if (biasScales.Length == 1 && bias.Length > 1 && weightDimension >= 0)
                {
                    throw new UnsupportedModelException($"{op}: bias {floatBias} has {bias.Length} values for one weight scale");
                }

                var biasTensor = floatBias with
                {
                    Type = options.Int16Activations ? TfLiteType.Int64 : TfLiteType.Int32,
                    Data = options.Int16Activations ? ToBytes(QuantizationParameters.BiasInt64(bias, biasScales)) : ToBytes(QuantizationParameters.Bias(bias, biasScales)),
                    Quantization = new TfLiteQuantization(biasScales, new long[biasScales.Length], 0),
                };
                string signature = "b" + string.Join(",", biasScales.Select(s => BitConverter.SingleToInt32Bits(s)));
                op.Inputs[2] = Place(tensors, done, biasIndex, biasTensor, signature);
            }
        }

        // Other float constants: the pad value takes the input's quantization, the rest their own range.
        for (int slot = 0; slot < op.Inputs.Length; slot++)
        {
            int t = op.Inputs[slot];
            if (t < 0 || tensors[t].Type != TfLiteType.Float32 || model.Constants[t] is not { } values || activation.ContainsKey(t))
            {
                continue;
            }

            double lo = values.Length == 0 ? 0 : values.Min(), hi = values.Length == 0 ? 0 : values.Max();
            var (scale, zeroPoint) = op.Code == BuiltinOperator.Padv2 && slot == 2
                ? activation[op.Inputs[0]]
                : options.Int16Activations ? QuantizationParameters.ActivationInt16(lo, hi) : QuantizationParameters.Activation(lo, hi);
            var tensor = source.Tensors[t] with
            {
                Type = options.Int16Activations ? TfLiteType.Int16 : TfLiteType.Int8,
                Data = options.Int16Activations ? ToBytes(QuantizationParameters.QuantizeValuesInt16(values, scale, zeroPoint)) : ToBytes(QuantizationParameters.QuantizeValues(values, scale, zeroPoint)),
                Quantization = PerTensor(scale, zeroPoint),
            };
            op.Inputs[slot] = Place(tensors, done, t, tensor, $"a{BitConverter.SingleToInt32Bits(scale)},{zeroPoint}");
        }
    }

    /// <summary>
    /// TFLite's integer LSTM (int8 activations and weights, int16 cell state, int32 biases): the input
    /// and output keep their calibrated int8 quantization and the hidden state (input 18) takes the
    /// output's, since each step's output is the hidden state; every gate's input and recurrent weights
    /// are symmetric int8 with one scale per tensor; each gate bias is int32 at input scale × that gate's
    /// input weight scale; the cell state (input 19) is int16 with zero point 0 and a power-of-two scale
    /// 2^(⌈log2 max |cell|⌉ − 15) covering the largest cell value seen in calibration, as TFLite's
    /// quantizer makes it (TFLite Micro's integer tanh needs a power of two).
    /// </summary>
    private static void QuantizeLstm(FloatModel model, TfLiteOperator op, List<TfLiteTensor> tensors,
        Dictionary<int, (float Scale, int ZeroPoint)> activation, Dictionary<int, string> done, IReadOnlyDictionary<int, (float Min, float Max)> ranges)
    {
        var source = model.Model;
        float inputScale = activation[op.Inputs[0]].Scale;
        var (outputScale, outputZeroPoint) = activation[op.Outputs[0]];
        for (int g = 0; g < 4; g++)
        {
            float inputWeightScale = QuantizeLstmWeights(model, op, tensors, done, 1 + g);
            QuantizeLstmWeights(model, op, tensors, done, 5 + g);
            int biasIndex = op.Inputs[12 + g];
            var floatBias = source.Tensors[biasIndex];
            var bias = model.Constants[biasIndex] ?? throw new UnsupportedModelException($"{op}: bias {floatBias} must be constant to be quantized");
            float biasScale = QuantizationParameters.BiasScale(inputScale, inputWeightScale);
            var biasTensor = floatBias with
            {
                Type = TfLiteType.Int32,
                Data = ToBytes(QuantizationParameters.Bias(bias, [biasScale])),
                Quantization = PerTensor(biasScale, 0),
            };
            op.Inputs[12 + g] = Place(tensors, done, biasIndex, biasTensor, $"b{BitConverter.SingleToInt32Bits(biasScale)}");
        }

        int hidden = op.Inputs[18];
        tensors[hidden] = tensors[hidden] with { Type = TfLiteType.Int8, Quantization = PerTensor(outputScale, outputZeroPoint), Data = null };

        int cell = op.Inputs[19];
        if (!ranges.TryGetValue(cell, out var cellRange))
        {
            throw new UnsupportedModelException($"{op}: no calibrated range for its cell state {source.Tensors[cell]}");
        }

        float magnitude = Math.Max(Math.Abs(cellRange.Min), Math.Abs(cellRange.Max));
        int power = magnitude > 0 ? (int)Math.Ceiling(Math.Log2(magnitude)) : 0;
        float cellScale = (float)Math.Pow(2, power - 15);
        tensors[cell] = tensors[cell] with { Type = TfLiteType.Int16, Quantization = PerTensor(cellScale, 0), Data = null };
    }

    private static float QuantizeLstmWeights(FloatModel model, TfLiteOperator op, List<TfLiteTensor> tensors, Dictionary<int, string> done, int slot)
    {
        int index = op.Inputs[slot];
        var floatWeights = model.Model.Tensors[index];
        var weights = model.Constants[index] ?? throw new UnsupportedModelException($"{op}: weights {floatWeights} must be constant to be quantized");
        var (values, scales) = QuantizationParameters.Weights(weights, floatWeights.Shape, -1);
        var weightsTensor = floatWeights with
        {
            Type = TfLiteType.Int8,
            Data = ToBytes(values),
            Quantization = new TfLiteQuantization(scales, [0], 0),
        };
        op.Inputs[slot] = Place(tensors, done, index, weightsTensor, "w" + BitConverter.SingleToInt32Bits(scales[0]));
        return scales[0];
    }

    /// <summary>Puts a quantized constant at its float tensor's index, or beside it when another operator quantized that tensor differently.</summary>
    private static int Place(List<TfLiteTensor> tensors, Dictionary<int, string> done, int index, TfLiteTensor tensor, string signature)
    {
        if (!done.TryGetValue(index, out string? existing))
        {
            done[index] = signature;
            tensors[index] = tensor;
            return index;
        }

        if (existing == signature)
        {
            return index;
        }

        int copy = tensors.Count;
        tensors.Add(tensor with { Index = copy, Name = tensor.Name + "/" + copy });
        return copy;
    }

    /// <summary>
    /// What TFLite's converter writes for float32 model inputs and outputs: the source's float edge tensors stay,
    /// with a QUANTIZE float → int8/int16 after each input and a DEQUANTIZE producing each output.
    /// </summary>
    private static void AddFloatEdges(TfLiteModel source, List<TfLiteTensor> tensors, List<TfLiteOperator> operators, Dictionary<int, int> int8Tensors, string suffix) =>
        AddEdges(source, tensors, operators, int8Tensors, suffix, (edge, _) => source.Tensors[edge], BuiltinOperator.Dequantize);

    /// <summary>
    /// An int8 model (inputs and outputs int8) with uint8 inputs and outputs added as TFLite's converter writes
    /// them (<see cref="AddUInt8Edges"/>): lossless, the uint8 values are the int8 ones with the top bit flipped.
    /// </summary>
    public static TfLiteModel WithUInt8Edges(TfLiteModel model)
    {
        var edge = model.InputTensors.Concat(model.OutputTensors).FirstOrDefault(t => t.Type != TfLiteType.Int8 || t.Quantization is not { IsPerChannel: false });
        if (edge is not null)
        {
            throw new ArgumentException($"uint8 inputs and outputs replace int8 ones, but model edge {edge} is {edge.Type}{(edge.Type == TfLiteType.Int8 ? " without one scale and zero point" : "")}");
        }

        var tensors = model.Tensors.ToList();
        var operators = model.Operators.Select(o => o with { Inputs = (int[])o.Inputs.Clone(), Outputs = (int[])o.Outputs.Clone() }).ToList();
        AddUInt8Edges(model, tensors, operators, []);
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

    /// <summary>
    /// What TFLite's converter does for inference_input_type / inference_output_type = tf.uint8: the model's edge
    /// tensors become uint8 (same scale, zero point + 128), with a QUANTIZE uint8 → int8 after each input and a
    /// QUANTIZE int8 → uint8 producing each output.
    /// </summary>
    private static void AddUInt8Edges(TfLiteModel source, List<TfLiteTensor> tensors, List<TfLiteOperator> operators, Dictionary<int, int> int8Tensors) =>
        AddEdges(source, tensors, operators, int8Tensors, "/int8",
            (_, int8) => int8 with { Type = TfLiteType.UInt8, Quantization = PerTensor(int8.Quantization!.Scale, int8.Quantization.ZeroPoint + 128) },
            BuiltinOperator.Quantize);

    /// <summary>
    /// Moves the quantized model's edge tensors inside: each input and output keeps its index but becomes
    /// <paramref name="outside"/> (of its index and the quantized tensor), the quantized tensor is copied to a new
    /// index, a QUANTIZE converts each input into it and <paramref name="outputOperator"/> converts it into each output.
    /// </summary>
    private static void AddEdges(TfLiteModel source, List<TfLiteTensor> tensors, List<TfLiteOperator> operators, Dictionary<int, int> int8Tensors,
        string suffix, Func<int, TfLiteTensor, TfLiteTensor> outside, BuiltinOperator outputOperator)
    {
        var prologue = new List<TfLiteOperator>();
        var epilogue = new List<TfLiteOperator>();
        foreach (int input in source.Inputs)
        {
            var inner = tensors[input];
            int index = tensors.Count;
            tensors.Add(inner with { Index = index, Name = inner.Name + suffix });
            tensors[input] = outside(input, inner);
            Redirect(operators, input, index, inputs: true);
            int8Tensors[input] = index;
            prologue.Add(new TfLiteOperator(0, BuiltinOperator.Quantize, 2, null, [input], [index], 0, null));
        }

        foreach (int output in source.Outputs)
        {
            if (source.Inputs.Contains(output))
            {
                continue;
            }

            var inner = tensors[output];
            int index = tensors.Count;
            tensors.Add(inner with { Index = index, Name = inner.Name + suffix });
            tensors[output] = outside(output, inner);
            Redirect(operators, output, index, inputs: true);
            Redirect(operators, output, index, inputs: false);
            int8Tensors[output] = index;
            epilogue.Add(new TfLiteOperator(0, outputOperator, 2, null, [index], [output], 0, null));
        }

        operators.InsertRange(0, prologue);
        operators.AddRange(epilogue);
    }

    private static void Redirect(List<TfLiteOperator> operators, int from, int to, bool inputs)
    {
        foreach (var op in operators)
        {
            var list = inputs ? op.Inputs : op.Outputs;
            for (int i = 0; i < list.Length; i++)
            {
                if (list[i] == from)
                {
                    list[i] = to;
                }
            }
        }
    }

    private static TfLiteQuantization PerTensor(float scale, int zeroPoint) => new([scale], [zeroPoint], 0);

    private static byte[] ToBytes(sbyte[] values) => values.Select(v => unchecked((byte)v)).ToArray();

    private static byte[] ToBytes(short[] values)
    {
        var bytes = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(i * 2), values[i]);
        }

        return bytes;
    }

    private static byte[] ToBytes(long[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), values[i]);
        }

        return bytes;
    }

    private static byte[] ToBytes(int[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }

    private sealed class UnionFind
    {
        private readonly int[] _parent;
        private readonly int[] _size;

        public UnionFind(int count)
        {
            _parent = Enumerable.Range(0, count).ToArray();
            _size = Enumerable.Repeat(1, count).ToArray();
        }

        public int Find(int x)
        {
            while (_parent[x] != x)
            {
                _parent[x] = _parent[_parent[x]];
                x = _parent[x];
            }

            return x;
        }

        public int Size(int x) => _size[Find(x)];

        public void Union(int a, int b)
        {
            int ra = Find(a), rb = Find(b);
            if (ra == rb)
            {
                return;
            }

            if (_size[ra] < _size[rb])
            {
                (ra, rb) = (rb, ra);
            }

            _parent[rb] = ra;
            _size[ra] += _size[rb];
        }
    }
}
