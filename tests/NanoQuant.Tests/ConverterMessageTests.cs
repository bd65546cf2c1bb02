using NanoQuant.Host.Conversion;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Tests;

/// <summary>Models the int8 import cannot take get a message saying what is unsupported and what to do.</summary>
public class ConverterMessageTests
{
    private static string Refusal(TfLiteModel model) => Assert.Throws<UnsupportedModelException>(() => Converter.Convert(model)).Message;

    private static string Refusal(string name) => Refusal(TfLiteReader.ReadFile(SharedResources.ModelPath(name)));

    [Fact]
    public void Hybrid_models_are_told_to_quantize_fully()
    {
        string message = Refusal("kws_ref_model_float32");
        Assert.Contains("hybrid", message);
        Assert.Contains("--calibration", message);
    }

    [Theory]
    [InlineData("hello_world_float")]
    [InlineData("vww_96_float")]
    [InlineData("pretrainedResnet_float")]
    [InlineData("ad01_fp32")]
    [InlineData("trained_lstm")]
    public void Float_models_without_calibration_are_told_to_give_calibration_data(string name)
    {
        string message = Refusal(name);
        Assert.Contains("float model", message);
        Assert.Contains("--calibration", message);
    }

    [Fact]
    public void An_operator_the_runtime_lacks_is_refused_with_its_name_and_index()
    {
        var model = TfLiteReader.ReadFile(SharedResources.ModelPath("vww_96_int8"));
        var operators = model.Operators.ToArray();
        operators[5] = operators[5] with { Code = BuiltinOperator.Gather };
        string message = Refusal(new TfLiteModel
        {
            SchemaVersion = model.SchemaVersion,
            Description = model.Description,
            Tensors = model.Tensors,
            Operators = operators,
            Inputs = model.Inputs,
            Outputs = model.Outputs,
            SubgraphCount = model.SubgraphCount,
        });
        Assert.StartsWith("operator 5 (GATHER): operator GATHER is not supported", message);
        Assert.Contains("CONV_2D", message);
    }

    [Fact]
    public void A_requantization_factor_beyond_int32_is_refused_naming_the_operator()
    {
        // Found by fuzzing an LSTM model: a corrupted output scale of its FULLY_CONNECTED.
        var model = TfLiteReader.ReadFile(SharedResources.ModelPath("trained_lstm_int8"));
        var fc = model.Operators.Single(o => o.Code == BuiltinOperator.FullyConnected);
        int output = fc.Outputs[0];
        string message = Refusal(new TfLiteModel
        {
            SchemaVersion = model.SchemaVersion,
            Description = model.Description,
            Tensors = model.Tensors.Select(t => t.Index == output ? t with { Quantization = new TfLiteQuantization([1e-30f], [0], 0) } : t).ToList(),
            Operators = model.Operators,
            Inputs = model.Inputs,
            Outputs = model.Outputs,
            SubgraphCount = model.SubgraphCount,
        });
        Assert.StartsWith($"operator {fc.Index} (FULLY_CONNECTED): ", message);
        Assert.Contains("cannot be represented", message);
    }
}
