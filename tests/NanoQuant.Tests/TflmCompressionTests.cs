using NanoQuant.Host.Conversion;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Tests;

/// <summary>
/// Models made by TensorFlow Lite Micro's compression tool are not imported (docs/device-model-format.md): the
/// COMPRESSION_METADATA entry, a DECODE operator and a weight buffer holding packed indices each get a message
/// that says what the model is and what to convert instead.
/// </summary>
public class TflmCompressionTests
{
    private static TfLiteModel Ad01 => TfLiteReader.ReadFile(SharedResources.ModelPath("ad01_int8"));

    [Fact]
    public void A_model_with_COMPRESSION_METADATA_is_refused_naming_the_tool_and_the_alternative()
    {
        byte[] file = TfLiteWriter.Write(Ad01, [("min_runtime_version", "1.5.0"u8.ToArray()), ("COMPRESSION_METADATA", new byte[16])]);
        var model = TfLiteReader.Read(file);
        Assert.Equal(["min_runtime_version", "COMPRESSION_METADATA"], model.MetadataNames);
        var e = Assert.Throws<UnsupportedModelException>(() => Converter.Convert(model));
        Assert.Contains("compressed by TensorFlow Lite Micro's compression tool", e.Message);
        Assert.Contains("--cluster", e.Message);

        // Clustering first does not hide it: the clustered model keeps the source's metadata names.
        var clustered = Assert.Throws<UnsupportedModelException>(() => ConversionPipeline.ConvertQuantized(model, new ConversionOptions { Clusters = 16 }));
        Assert.Contains("compressed by TensorFlow Lite Micro's compression tool", clustered.Message);

        // Other metadata alone changes nothing.
        var plain = TfLiteReader.Read(TfLiteWriter.Write(Ad01, [("min_runtime_version", "1.5.0"u8.ToArray())]));
        Assert.Equal(Converter.Convert(Ad01).Bytes, Converter.Convert(plain).Bytes);
    }

    [Fact]
    public void A_DECODE_operator_is_refused_the_same_way()
    {
        var source = Ad01;
        var operators = source.Operators.ToArray();
        operators[0] = operators[0] with { Code = BuiltinOperator.Custom, CustomCode = "TFLM_DECODE", OptionsType = 0, Options = null };
        var model = new TfLiteModel
        {
            SchemaVersion = source.SchemaVersion,
            Description = source.Description,
            Tensors = source.Tensors,
            Operators = operators,
            Inputs = source.Inputs,
            Outputs = source.Outputs,
            SubgraphCount = 1,
        };
        var e = Assert.Throws<UnsupportedModelException>(() => Converter.Convert(model));
        Assert.Contains("DECODE", e.Message);
        Assert.Contains("compression tool", e.Message);
    }

    [Fact]
    public void A_weight_buffer_of_packed_indices_is_refused_with_its_length_and_the_shapes()
    {
        // A 4-bit compressed weight tensor: half the bytes its shape needs.
        var source = Ad01;
        var tensors = source.Tensors.ToArray();
        int weights = source.Operators[0].Inputs[1];
        var original = tensors[weights];
        tensors[weights] = original with { Data = original.Data![..(original.Data.Length / 2)] };
        var model = new TfLiteModel
        {
            SchemaVersion = source.SchemaVersion,
            Description = source.Description,
            Tensors = tensors,
            Operators = source.Operators,
            Inputs = source.Inputs,
            Outputs = source.Outputs,
            SubgraphCount = 1,
        };
        var e = Assert.Throws<UnsupportedModelException>(() => Converter.Convert(model));
        Assert.Contains($"has {original.Data.Length / 2} bytes of data, its shape needs {original.Data.Length}", e.Message);
    }
}
