using NanoQuant.Format;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.Runtime;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Tests;

/// <summary>
/// 16x8 import: what TFLite Micro's int16 kernels refuse is refused at conversion with a message
/// naming the problem, and a converted 16x8 model keeps int16 edges, int64 biases and float edges.
/// </summary>
public class Int16ConversionTests
{
    private static TfLiteModel Load(string name) => TfLiteReader.ReadFile(SharedResources.ModelPath(name));

    private static TfLiteModel Copy(TfLiteModel model, IReadOnlyList<TfLiteTensor>? tensors = null, IReadOnlyList<TfLiteOperator>? operators = null) => new()
    {
        SchemaVersion = model.SchemaVersion,
        Description = model.Description,
        Tensors = tensors ?? model.Tensors,
        Operators = operators ?? model.Operators,
        Inputs = model.Inputs,
        Outputs = model.Outputs,
        SubgraphCount = model.SubgraphCount,
    };

    private static TfLiteModel WithTensor(TfLiteModel model, int index, Func<TfLiteTensor, TfLiteTensor> change) =>
        Copy(model, tensors: model.Tensors.Select(t => t.Index == index ? change(t) : t).ToArray());

    private static TfLiteModel WithZeroPoint(TfLiteModel model, int index, long zeroPoint) =>
        WithTensor(model, index, t => t with { Quantization = t.Quantization! with { ZeroPoints = [zeroPoint] } });

    private static string Refusal(TfLiteModel model) => Assert.Throws<UnsupportedModelException>(() => Converter.Convert(model)).Message;

    [Theory]
    [InlineData("op16_relu")]
    [InlineData("op16_conv_1x1")]
    [InlineData("op16_softmax_2d_beta1")]
    [InlineData("op16_logistic_general")]
    [InlineData("op16_avgpool_2x2_s2_valid")]
    [InlineData("op16_mul_bcast_spatial")]
    [InlineData("op16_concat_last_axis")]
    public void Nonzero_int16_zero_points_are_refused(string name)
    {
        var model = Load(name);
        int input = model.Operators[0].Inputs[0];
        string message = Refusal(WithZeroPoint(model, input, 3));
        Assert.Contains("zero point", message);
        Assert.Contains("operator 0", message);
    }

    [Fact]
    public void Operators_without_an_int16_kernel_are_refused_naming_the_operator()
    {
        var model = Load("op16_relu");
        var hardSwish = Copy(model, operators: [model.Operators[0] with { Code = BuiltinOperator.HardSwish }]);
        string message = Refusal(hardSwish);
        Assert.Contains("HARD_SWISH", message);
        Assert.Contains("int16", message);
        Assert.Contains("16x8 operators:", message);
    }

    [Fact]
    public void Fixed_output_scales_are_required()
    {
        var softmax = Load("op16_softmax_2d_beta1");
        int output = softmax.Operators[0].Outputs[0];
        Assert.Contains("1/32768", Refusal(WithTensor(softmax, output, t => t with { Quantization = t.Quantization! with { Scales = [1f / 16384] } })));

        var tanh = Load("op16_tanh_general");
        output = tanh.Operators[0].Outputs[0];
        Assert.Contains("2^-15", Refusal(WithTensor(tanh, output, t => t with { Quantization = t.Quantization! with { Scales = [1f / 1000] } })));
    }

    [Fact]
    public void An_int32_bias_on_a_16x8_convolution_is_refused()
    {
        var model = Load("op16_fc_pertensor");
        int bias = model.Operators[0].Inputs[2];
        var changed = WithTensor(model, bias, t => t with { Type = TfLiteType.Int32, Data = new byte[t.ElementCount * 4] });
        Assert.Contains("int32", Refusal(changed));
    }

    [Theory]
    [InlineData("op16_conv_1x1", "int32-accumulating")]
    [InlineData("op16_dwconv_3x3_same", "reads its bias as int64")]
    [InlineData("op16_fc_perchannel_relu", "int32-accumulating")]
    public void An_int32_bias_is_refused_saying_what_TFLM_would_do(string name, string expected)
    {
        var model = Load(name);
        int bias = model.Operators[0].Inputs[2];
        var changed = WithTensor(model, bias, t => t with { Type = TfLiteType.Int32, Data = new byte[t.ElementCount * 4] });
        string message = Refusal(changed);
        Assert.Contains("is int32", message);
        Assert.Contains(expected, message);
    }

    [Fact]
    public void Without_a_bias_quantized_bias_type_INT32_is_refused()
    {
        var model = Load("op16_fc_nobias");
        var op = model.Operators[0];
        Assert.True(op.Inputs.Length < 3 || op.Inputs[2] < 0);
        Converter.Convert(model);
        var options = FcOptions(op, TfLiteType.Int32);
        string message = Refusal(Copy(model, operators: [op with { Options = options }]));
        Assert.Contains("quantized_bias_type INT32", message);
        // INT64 (TensorFlow's default for 16x8) converts.
        var int64 = FcOptions(op, TfLiteType.Int64);
        Converter.Convert(Copy(model, operators: [op with { Options = int64 }]));
    }

    /// <summary>FullyConnectedOptions with the operator's activation and keep_num_dims and <paramref name="biasType"/> as quantized_bias_type.</summary>
    private static TfLiteTable FcOptions(TfLiteOperator op, TfLiteType biasType) => TfLiteTable.Build(b =>
    {
        b.StartTable(5);
        b.AddByte(0, op.Options?.GetByte(0) ?? 0, 0);
        b.AddBool(2, op.Options?.GetBool(2) ?? false, false);
        b.AddByte(4, (byte)biasType, 0);
        return b.EndTable();
    });

    /// <summary>PAD as PADV2 with an int16 constant: 0 pads as PAD does (same bytes); another value, which TFLM would pad with, is refused.</summary>
    [Fact]
    public void PADV2_with_an_int16_constant_pads_with_0_and_refuses_other_values()
    {
        var model = Load("op16_pad_spatial");
        var op = model.Operators[0];
        var input = model.Tensors[op.Inputs[0]];
        TfLiteModel WithConstant(short value)
        {
            var data = new byte[2];
            System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(data, value);
            var constant = new TfLiteTensor(model.Tensors.Count, "pad value", TfLiteType.Int16, [], data, input.Quantization, IsVariable: false);
            return Copy(model, tensors: [.. model.Tensors, constant], operators: [op with { Code = BuiltinOperator.Padv2, Inputs = [.. op.Inputs, constant.Index] }]);
        }

        var golden = Golden.Load("op16_pad_spatial");
        var padv2 = Converter.Convert(WithConstant(0));
        using var interpreter = new Interpreter(padv2.Bytes);
        for (int c = 0; c < golden.CaseCount; c++)
        {
            Assert.Equal(golden.Outputs(c)[0].Data, new ModelRunner(interpreter).Run(golden.Inputs(c))[0].Data);
        }

        string message = Refusal(WithConstant(5));
        Assert.Contains("is 5", message);
        Assert.Contains("pads with 0 only", message);
    }

    [Fact]
    public void Whole_16x8_models_keep_float_edges_int16_activations_and_int64_biases()
    {
        var conversion = Converter.ConvertFile(SharedResources.ModelPath("pretrainedResnet_16x8"));
        var model = conversion.Model;
        var input = model.Tensors[model.Inputs[0]];
        var output = model.Tensors[model.Outputs[0]];
        Assert.Equal(TensorType.Int16, input.Type);
        Assert.Equal(ModelFormat.FlagFloatInput, input.Flags);
        Assert.Equal(TensorType.Int16, output.Type);
        Assert.Equal(ModelFormat.FlagFloatOutput, output.Flags);
        Assert.All(model.Tensors.Where(t => t.IsArena), t => Assert.Equal(TensorType.Int16, t.Type));
        Assert.Contains(model.Tensors, t => t.Type == TensorType.Int64 && !t.IsArena);
        Assert.DoesNotContain(model.Operators, o => o.Type == OperatorType.Requantize);

        // Loaded through the stream loader with weights streamed, the model gives the same bytes.
        var golden = Golden.Load("pretrainedResnet_16x8");
        using var streamed = new Interpreter(new MemoryStream(conversion.Bytes, writable: false), ModelLoadMode.StreamWeights, Interpreter.DefaultMaxArenaBytes);
        var expected = golden.Outputs(0)[0].Data;
        Assert.Equal(expected, new ModelRunner(streamed).Run(golden.Inputs(0))[0].Data);
    }
}
