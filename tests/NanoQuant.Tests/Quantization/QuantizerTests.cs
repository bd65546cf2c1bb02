using System.Buffers.Binary;
using NanoQuant.Host.Benchmarks;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.FloatReference;
using NanoQuant.Host.Quantization;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Tests.Quantization;

/// <summary>The quantizer follows the TFLite int8 spec exactly as TensorFlow's converter applies it.</summary>
public class QuantizerTests
{
    public static TheoryData<string, string> TensorFlowPairs() => new()
    {
        { "vww_96_float", "vww_96_int8" },
        { "pretrainedResnet_float", "pretrainedResnet_quant" },
        { "ad01_fp32", "ad01_int8" },
    };

    /// <summary>
    /// Given TensorFlow's activation quantization (as ranges), our weights, biases and their scales
    /// are TensorFlow's bit for bit, and every activation's quantization equals TensorFlow's.
    /// </summary>
    [Theory]
    [MemberData(nameof(TensorFlowPairs))]
    public void Weights_and_biases_are_bit_identical_to_TensorFlow_s(string floatName, string int8Name)
    {
        var model = FloatModel.Create(TfLiteReader.ReadFile(SharedResources.ModelPath(floatName)));
        var tensorFlow = TfLiteReader.ReadFile(SharedResources.ModelPath(int8Name));
        var ranges = model.ActivationTensors.ToDictionary(t => t, t =>
        {
            var q = tensorFlow.Tensors[t].Quantization!;
            var (min, max) = QuantizationParameters.Covered(q.Scale, q.ZeroPoint);
            return ((float)min, (float)max);
        });
        var ours = Quantizer.Quantize(model, ranges, null, new QuantizerOptions()).Model;
        int constants = 0;
        foreach (var theirs in tensorFlow.Tensors.Where(t => t.IsConstant && t.Type is TfLiteType.Int8 or TfLiteType.Int32 && t.Quantization is not null))
        {
            var mine = ours.Tensors[theirs.Index];
            Assert.Equal(theirs.Type, mine.Type);
            Assert.Equal(theirs.Quantization!.Scales, mine.Quantization!.Scales);
            Assert.Equal(theirs.Quantization.ZeroPoints, mine.Quantization.ZeroPoints);
            Assert.Equal(theirs.Quantization.Dimension, mine.Quantization.Dimension);
            Assert.True(theirs.Data.AsSpan().SequenceEqual(mine.Data), $"{floatName}: {theirs} differs from TensorFlow's");
            constants++;
        }

        Assert.True(constants >= 2 * model.Operators.Count(o => o.Source.Code is BuiltinOperator.Conv2d or BuiltinOperator.DepthwiseConv2d or BuiltinOperator.FullyConnected));
        foreach (int t in model.ActivationTensors)
        {
            var theirs = tensorFlow.Tensors[t].Quantization!;
            var mineQ = ours.Tensors[t].Quantization!;
            var (scale, zeroPoint) = (mineQ.Scale, mineQ.ZeroPoint);
            Assert.Equal(theirs.ZeroPoint, zeroPoint);
            Assert.Equal(theirs.Scale, scale, theirs.Scale * 1e-6f);
        }
    }

    [Fact]
    public void Activation_parameters_follow_the_spec()
    {
        Assert.Equal((1f, -128), QuantizationParameters.Activation(0, 255));
        Assert.Equal((2f / 255, -128), QuantizationParameters.Activation(0.5, 2));     // widened to include 0
        Assert.Equal((2f / 255, 127), QuantizationParameters.Activation(-2, -0.5));
        var (scale, zeroPoint) = QuantizationParameters.Activation(-1, 3);
        Assert.Equal(4f / 255, scale);
        Assert.Equal(-64, zeroPoint);                                                   // −128 + 1/scale = −64.25
        Assert.Equal((1f, -128), QuantizationParameters.Activation(0, 0));             // always zero: any scale fits
    }

    [Fact]
    public void Weights_are_symmetric_per_channel_with_zero_point_0()
    {
        float[] weights = [1f, -0.5f, 0.25f, 0f, 0.2f, -0.1f];
        var (values, scales) = QuantizationParameters.Weights(weights, [2, 3], 0);
        Assert.Equal([1f / 127, 0.2f / 127], scales);
        Assert.Equal(new sbyte[] { 127, -64, 32, 0, 127, -64 }, values);
        var (perTensor, scale) = QuantizationParameters.Weights(weights, [2, 3], -1);
        Assert.Equal([1f / 127], scale);
        Assert.Equal(new sbyte[] { 127, -64, 32, 0, 25, -13 }, perTensor);
        Assert.All(QuantizationParameters.Weights([0f, 0f], [1, 2], 0).Scales, s => Assert.True(s > 0));
    }

    [Fact]
    public void Bias_is_int32_at_input_scale_times_weight_scale()
    {
        float scale = QuantizationParameters.BiasScale(0.5f, 0.01f);
        Assert.Equal(0.005f, scale);
        Assert.Equal([200, -100, int.MaxValue], QuantizationParameters.Bias([1f, -0.5f, 1e10f], [scale, scale, scale]));
    }

    [Fact]
    public void Spec_rules_fix_and_share_quantization()
    {
        var model = FloatModel.Create(TfLiteReader.ReadFile(SharedResources.ModelPath("pretrainedResnet_float")));
        var data = ReferenceDatasets.Calibration("pretrainedResnet_float", model.Model, SharedResources.Root, 8);
        var quantized = PostTrainingQuantizer.Quantize(model, data, Calibrator.Run(model, data, false).Ranges(new CalibrationOptions(CalibrationMethod.MinMax)), new QuantizerOptions());
        var ops = quantized.Model.Operators;
        var softmax = ops.Single(o => o.Code == BuiltinOperator.Softmax);
        Assert.Equal((1f / 256, -128), quantized.Activation(softmax.Outputs[0]));
        foreach (var op in ops.Where(o => o.Code is BuiltinOperator.AveragePool2d or BuiltinOperator.Reshape))
        {
            Assert.Equal(quantized.Activation(op.Inputs[0]), quantized.Activation(op.Outputs[0]));
        }

        // Raw 0..255 pixels as uint8 data with scale 1: the input takes pixel − 128, like TensorFlow's int8 ResNet.
        Assert.Equal((1f, -128), quantized.Activation(quantized.Model.Inputs[0]));
        var conv = ops.First(o => o.Code == BuiltinOperator.Conv2d);
        var weights = quantized.Model.Tensors[conv.Inputs[1]];
        Assert.Equal(TfLiteType.Int8, weights.Type);
        Assert.Equal(weights.Shape[0], weights.Quantization!.Scales.Length);
        Assert.All(weights.Data!, b => Assert.NotEqual((byte)0x80, b));                       // symmetric: never −128
        var bias = quantized.Model.Tensors[conv.Inputs[2]];
        Assert.Equal(TfLiteType.Int32, bias.Type);
        float inputScale = quantized.Activation(conv.Inputs[0]).Scale;
        Assert.Equal(weights.Quantization.Scales.Select(s => inputScale * s), bias.Quantization!.Scales);

        var fc = ops.Single(o => o.Code == BuiltinOperator.FullyConnected);
        Assert.Single(quantized.Model.Tensors[fc.Inputs[1]].Quantization!.Scales);
        var perChannel = PostTrainingQuantizer.Quantize(model, data, Calibrator.Run(model, data, false).Ranges(new CalibrationOptions(CalibrationMethod.MinMax)), new QuantizerOptions { PerChannelFullyConnected = true });
        Assert.Equal(10, perChannel.Model.Tensors[fc.Inputs[1]].Quantization!.Scales.Length);
    }

    [Fact]
    public void Fused_relu6_clamps_the_range_and_logistic_and_tanh_are_fixed()
    {
        // x → FC(ReLU6) → LOGISTIC, and FC → TANH.
        var model = SyntheticModels.Build(b =>
        {
            int x = b.Input([1, 4]);
            int h = b.FullyConnected(x, 3, activation: 3);
            int s = b.Unary(BuiltinOperator.Logistic, h);
            int t = b.Unary(BuiltinOperator.Tanh, b.FullyConnected(x, 2));
            b.Outputs(s, t);
        });
        var floatModel = FloatModel.Create(model);
        var ranges = floatModel.ActivationTensors.ToDictionary(t => t, _ => (-10f, 10f));
        var quantized = Quantizer.Quantize(floatModel, ranges, null, new QuantizerOptions());
        var fc = quantized.Model.Operators[0];
        var (scale, zeroPoint) = quantized.Activation(fc.Outputs[0]);
        Assert.Equal(-128, zeroPoint);
        Assert.Equal(6f / 255, scale);
        Assert.Equal((1f / 256, -128), quantized.Activation(quantized.Model.Outputs[0]));
        Assert.Equal((1f / 128, 0), quantized.Activation(quantized.Model.Outputs[1]));
    }

    [Fact]
    public void Concatenation_shares_one_quantization_and_requantizes_fixed_inputs()
    {
        var model = SyntheticModels.Build(b =>
        {
            int x = b.Input([1, 4]);
            int a = b.FullyConnected(x, 3);
            int c = b.FullyConnected(x, 3);
            int s = b.Unary(BuiltinOperator.Logistic, b.FullyConnected(x, 2));
            b.Outputs(b.Concatenation(1, a, c, s));
        });
        var floatModel = FloatModel.Create(model);
        var ranges = floatModel.ActivationTensors.ToDictionary(t => t, t => (-1f * t, 2f * t));
        var quantized = Quantizer.Quantize(floatModel, ranges, null, new QuantizerOptions());
        var concat = quantized.Model.Operators.Single(o => o.Code == BuiltinOperator.Concatenation);
        var shared = quantized.Activation(concat.Outputs[0]);
        foreach (int input in concat.Inputs)
        {
            var q = quantized.Model.Tensors[input].Quantization!;
            Assert.Equal(shared, (q.Scale, q.ZeroPoint));
        }

        // The logistic output keeps (1/256, −128) and reaches the concatenation through a QUANTIZE.
        var requantize = quantized.Model.Operators.Single(o => o.Code == BuiltinOperator.Quantize);
        Assert.Equal((1f / 256, -128), quantized.Activation(requantize.Inputs[0]));
        Assert.Contains(requantize.Outputs[0], concat.Inputs);
        Assert.True(quantized.Model.Operators.ToList().IndexOf(requantize) < quantized.Model.Operators.ToList().IndexOf(concat));

        // The group's range is the union of its members'.
        int[] members = floatModel.Model.Operators.Single(o => o.Code == BuiltinOperator.Concatenation).Inputs.Take(2).ToArray();
        double low = members.Append(concat.Outputs[0]).Min(t => ranges[t].Item1), high = members.Append(concat.Outputs[0]).Max(t => ranges[t].Item2);
        Assert.Equal(QuantizationParameters.Activation(low, high), shared);
    }

    [Fact]
    public void Float_edges_put_QUANTIZE_and_DEQUANTIZE_around_an_int8_body()
    {
        var model = FloatModel.Create(TfLiteReader.ReadFile(SharedResources.ModelPath("hello_world_float")));
        var data = ReferenceDatasets.Calibration("hello_world_float", model.Model, SharedResources.Root, 50);
        var ranges = Calibrator.Run(model, data, false).Ranges(new CalibrationOptions(CalibrationMethod.MinMax));
        var floatEdges = Quantizer.Quantize(model, ranges, null, new QuantizerOptions { FloatEdges = true }).Model;
        Assert.Equal(BuiltinOperator.Quantize, floatEdges.Operators[0].Code);
        Assert.Equal(BuiltinOperator.Dequantize, floatEdges.Operators[^1].Code);
        Assert.All(floatEdges.InputTensors.Concat(floatEdges.OutputTensors), t => Assert.Equal(TfLiteType.Float32, t.Type));
        var conversion = Converter.Convert(floatEdges);
        Assert.True(new Interpreter(conversion.Bytes).GetInput(0).WasFloatInput);

        var int8Edges = Quantizer.Quantize(model, ranges, null, new QuantizerOptions()).Model;
        Assert.All(int8Edges.InputTensors.Concat(int8Edges.OutputTensors), t => Assert.Equal(TfLiteType.Int8, t.Type));
        Assert.DoesNotContain(int8Edges.Operators, o => o.Code is BuiltinOperator.Quantize or BuiltinOperator.Dequantize);

        // The same arithmetic either way.
        var a = new Interpreter(conversion.Bytes);
        var b = new Interpreter(Converter.Convert(int8Edges).Bytes);
        for (int q = -128; q < 128; q += 5)
        {
            a.GetInput(0).SetInt8(0, (sbyte)q);
            b.GetInput(0).SetInt8(0, (sbyte)q);
            a.Invoke();
            b.Invoke();
            Assert.Equal(a.GetOutput(0).GetInt8(0), b.GetOutput(0).GetInt8(0));
        }
    }

    [Fact]
    public void Quantized_model_survives_a_tflite_round_trip()
    {
        var model = FloatModel.Create(TfLiteReader.ReadFile(SharedResources.ModelPath("ad01_fp32")));
        var data = ReferenceDatasets.Calibration("ad01_fp32", model.Model, SharedResources.Root, 20);
        var quantized = PostTrainingQuantizer.Quantize(model, data, Calibrator.Run(model, data, false).Ranges(new CalibrationOptions(CalibrationMethod.MinMax)), new QuantizerOptions()).Model;
        var back = TfLiteReader.Read(TfLiteWriter.Write(quantized));
        TfLiteWriterTests.AssertSameModel(quantized, back);
        Assert.Equal(Converter.Convert(quantized).Bytes, Converter.Convert(back).Bytes);
    }

    [Fact]
    public void Operator_without_a_rule_is_refused_by_name()
    {
        var model = SyntheticModels.Build(b =>
        {
            int x = b.Input([1, 4]);
            b.Outputs(b.Unary(BuiltinOperator.Exp, x));
        });
        var e = Assert.Throws<UnsupportedModelException>(() => PostTrainingQuantizer.Prepare(model));
        Assert.Contains("EXP", e.Message);
        Assert.Contains("no float reference or quantization rule", e.Message);
    }

    [Fact]
    public void Every_operator_with_a_float_reference_has_a_quantization_rule()
    {
        Assert.Equal(FloatModel.SupportedOperators.OrderBy(o => o), Quantizer.SupportedOperators.OrderBy(o => o));
    }

    [Fact]
    public void Non_finite_weights_are_refused()
    {
        var model = SyntheticModels.Build(b =>
        {
            int x = b.Input([1, 4]);
            b.Outputs(b.FullyConnected(x, 2, weight: float.NaN));
        });
        var e = Assert.Throws<UnsupportedModelException>(() => PostTrainingQuantizer.Prepare(model));
        Assert.Contains("NaN", e.Message);
        Assert.Contains("finite", e.Message);
    }
}

/// <summary>Small float models made in code (weights from a fixed pattern) for quantizer and CLI tests.</summary>
internal sealed class SyntheticModels
{
    private readonly List<TfLiteTensor> _tensors = [];
    private readonly List<TfLiteOperator> _operators = [];
    private int[] _inputs = [];
    private int[] _outputs = [];

    public static TfLiteModel Build(Action<SyntheticModels> build)
    {
        var builder = new SyntheticModels();
        build(builder);
        return new TfLiteModel
        {
            SchemaVersion = 3,
            Description = "synthetic",
            Tensors = builder._tensors,
            Operators = builder._operators,
            Inputs = builder._inputs,
            Outputs = builder._outputs,
            SubgraphCount = 1,
        };
    }

    public int Input(int[] shape)
    {
        int t = Tensor(shape, null);
        _inputs = [.. _inputs, t];
        return t;
    }

    public void Outputs(params int[] outputs) => _outputs = outputs;

    /// <summary>FULLY_CONNECTED with weights (i·7 mod 11 − 5) / 10 (or <paramref name="weight"/> for the first), bias 0.1.</summary>
    public int FullyConnected(int input, int units, byte activation = 0, float? weight = null)
    {
        int depth = _tensors[input].Shape[^1];
        var w = Enumerable.Range(0, units * depth).Select(i => ((i * 7 % 11) - 5) / 10f).ToArray();
        if (weight is { } first)
        {
            w[0] = first;
        }

        int weights = Tensor([units, depth], w);
        int bias = Tensor([units], Enumerable.Repeat(0.1f, units).ToArray());
        int output = Tensor([1, units], null);
        Operator(BuiltinOperator.FullyConnected, [input, weights, bias], output, 8, TfLiteTable.Build(b => { b.StartTable(1); b.AddByte(0, activation, 0); return b.EndTable(); }));
        return output;
    }

    public int Unary(BuiltinOperator code, int input)
    {
        int output = Tensor(_tensors[input].Shape, null);
        Operator(code, [input], output, 0, null);
        return output;
    }

    public int Concatenation(int axis, params int[] inputs)
    {
        var shape = _tensors[inputs[0]].Shape.ToArray();
        shape[axis] = inputs.Sum(i => _tensors[i].Shape[axis]);
        int output = Tensor(shape, null);
        Operator(BuiltinOperator.Concatenation, inputs, output, 10, TfLiteTable.Build(b => { b.StartTable(1); b.AddInt(0, axis, 0); return b.EndTable(); }));
        return output;
    }

    /// <summary>PADV2 padding the last dimension by one on each side with <paramref name="value"/>.</summary>
    public int Padv2(int input, float value)
    {
        int[] shape = _tensors[input].Shape;
        var paddings = new byte[shape.Length * 8];
        BinaryPrimitives.WriteInt32LittleEndian(paddings.AsSpan((shape.Length - 1) * 8), 1);
        BinaryPrimitives.WriteInt32LittleEndian(paddings.AsSpan(((shape.Length - 1) * 8) + 4), 1);
        int paddingsTensor = _tensors.Count;
        _tensors.Add(new TfLiteTensor(paddingsTensor, $"t{paddingsTensor}", TfLiteType.Int32, [shape.Length, 2], paddings, null, false));
        int constant = Tensor([], [value]);
        int output = Tensor([.. shape[..^1], shape[^1] + 2], null);
        Operator(BuiltinOperator.Padv2, [input, paddingsTensor, constant], output, 0, null);
        return output;
    }

    private int Tensor(int[] shape, float[]? values)
    {
        byte[]? data = null;
        if (values is not null)
        {
            data = new byte[values.Length * 4];
            for (int i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), values[i]);
            }
        }

        int index = _tensors.Count;
        _tensors.Add(new TfLiteTensor(index, $"t{index}", TfLiteType.Float32, shape, data, null, false));
        return index;
    }

    private void Operator(BuiltinOperator code, int[] inputs, int output, int optionsType, TfLiteTable? options) =>
        _operators.Add(new TfLiteOperator(_operators.Count, code, 1, null, inputs, [output], optionsType, options));
}
