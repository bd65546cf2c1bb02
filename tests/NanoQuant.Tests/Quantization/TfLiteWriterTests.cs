using NanoQuant.Host.Conversion;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Tests.Quantization;

/// <summary>TfLiteWriter: every model of ../shared/models written back reads as the same model.</summary>
public class TfLiteWriterTests
{
    public static TheoryData<string> AllModels() =>
        new(Directory.GetFiles(SharedResources.Models, "*.tflite", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(SharedResources.Models, p))
            .Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(AllModels))]
    public void Written_model_reads_back_identically(string relativePath)
    {
        var original = TfLiteReader.ReadFile(Path.Combine(SharedResources.Models, relativePath));
        byte[] written = TfLiteWriter.Write(original);
        var back = TfLiteReader.Read(written);
        AssertSameModel(original, back);

        // Writing is deterministic and a fixed point.
        Assert.Equal(written, TfLiteWriter.Write(back));
    }

    [Theory]
    [MemberData(nameof(AllModels))]
    public void Written_int8_model_converts_to_the_same_device_model(string relativePath)
    {
        var original = TfLiteReader.ReadFile(Path.Combine(SharedResources.Models, relativePath));
        ConversionResult expected;
        try
        {
            expected = Converter.Convert(original);
        }
        catch (UnsupportedModelException)
        {
            return;
        }

        var back = TfLiteReader.Read(TfLiteWriter.Write(original));
        Assert.Equal(expected.Bytes, Converter.Convert(back).Bytes);
    }

    [Fact]
    public void Built_options_table_reads_back()
    {
        var table = new FlatBufferTableBuilder()
            .Byte(0, 1)
            .Int(1, -7)
            .Float(2, 0.25f)
            .Ints(3, [1, 2, 3])
            .String(4, "name")
            .Bool(6, true)
            .ULong(7, 1UL << 40)
            .Build();
        Assert.Equal(1, table.GetByte(0));
        Assert.Equal(-7, table.GetInt(1));
        Assert.Equal(0.25f, table.GetFloat(2));
        Assert.Equal([1, 2, 3], table.GetIntArray(3, "ints")!);
        Assert.Equal("name", table.GetString(4, "name"));
        Assert.False(table.Has(5));
        Assert.True(table.GetBool(6));
        Assert.Equal(1UL << 40, table.GetULong(7));
    }

    [Fact]
    public void Reshape_and_squeeze_options_keep_their_vectors()
    {
        foreach (string name in new[] { "op_reshape", "op_squeeze" })
        {
            var original = TfLiteReader.ReadFile(SharedResources.ModelPath(name));
            var back = TfLiteReader.Read(TfLiteWriter.Write(original));
            Assert.Equal(original.Operators[0].Options!.Value.GetIntArray(0, "v"), back.Operators[0].Options!.Value.GetIntArray(0, "v"));
        }
    }

    internal static void AssertSameModel(TfLiteModel expected, TfLiteModel actual)
    {
        Assert.Equal(expected.SchemaVersion, actual.SchemaVersion);
        Assert.Equal(expected.Description, actual.Description);
        Assert.Equal(expected.Inputs, actual.Inputs);
        Assert.Equal(expected.Outputs, actual.Outputs);
        Assert.Equal(expected.SubgraphCount, actual.SubgraphCount);
        Assert.Equal(expected.Tensors.Count, actual.Tensors.Count);
        for (int i = 0; i < expected.Tensors.Count; i++)
        {
            var e = expected.Tensors[i];
            var a = actual.Tensors[i];
            Assert.Equal(e.Index, a.Index);
            Assert.Equal(e.Name, a.Name);
            Assert.Equal(e.Type, a.Type);
            Assert.Equal(e.Shape, a.Shape);
            Assert.Equal(e.IsVariable, a.IsVariable);
            Assert.Equal(e.Data, a.Data);
            Assert.Equal(e.Quantization is null, a.Quantization is null);
            if (e.Quantization is { } q)
            {
                Assert.Equal(q.Scales, a.Quantization!.Scales);
                Assert.Equal(q.ZeroPoints, a.Quantization.ZeroPoints);
                Assert.Equal(q.Dimension, a.Quantization.Dimension);
            }
        }

        Assert.Equal(expected.Operators.Count, actual.Operators.Count);
        for (int i = 0; i < expected.Operators.Count; i++)
        {
            var e = expected.Operators[i];
            var a = actual.Operators[i];
            Assert.Equal(e.Index, a.Index);
            Assert.Equal(e.Code, a.Code);
            Assert.Equal(e.Version, a.Version);
            Assert.Equal(e.CustomCode, a.CustomCode);
            Assert.Equal(e.Inputs, a.Inputs);
            Assert.Equal(e.Outputs, a.Outputs);
            Assert.Equal(e.OptionsType, a.OptionsType);
            Assert.Equal(e.Options is null, a.Options is null);
            if (e.Options is { } options)
            {
                // Inline fields byte for byte (their vtable offsets match too, as the table is copied).
                var (eb, ep, _, _) = options.Layout;
                var (ab, ap, _, _) = a.Options!.Value.Layout;
                Assert.Equal(options.TableLength, a.Options.Value.TableLength);
                if (!TfLiteWriterHasReferences(e.OptionsType))
                {
                    Assert.Equal(eb.AsSpan(ep + 4, options.TableLength - 4).ToArray(), ab.AsSpan(ap + 4, options.TableLength - 4).ToArray());
                }
            }
        }
    }

    private static bool TfLiteWriterHasReferences(int optionsType) => optionsType is 3 or 17 or 30 or 111 or 115;
}
