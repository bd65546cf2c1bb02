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
        var table = TfLiteTable.Build(b =>
        {
            b.StartVector(4, 3, 4);
            b.AddInt(3);
            b.AddInt(2);
            b.AddInt(1);
            int ints = b.EndVector().Value;
            var name = b.CreateString("name").Value;
            b.StartTable(8);
            b.AddUlong(7, 1UL << 40, 0);
            b.AddInt(1, -7, 0);
            b.AddFloat(2, 0.25f, 0);
            b.AddOffset(3, ints, 0);
            b.AddOffset(4, name, 0);
            b.AddByte(0, 1, 0);
            b.AddBool(6, true, false);
            return b.EndTable();
        });
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
    public void Constant_buffers_are_16_byte_aligned()
    {
        foreach (string name in new[] { "hello_world_float", "kws_ref_model_int8", "op_conv_1x1" })
        {
            byte[] written = TfLiteWriter.Write(TfLiteReader.ReadFile(SharedResources.ModelPath(name)));
            var buffers = TfLiteTable.Root(written, "model").GetTableArray(4, "buffers");
            int checkedBuffers = 0;
            foreach (var buffer in buffers)
            {
                if (buffer.VectorStart(0, "buffer") is int start)
                {
                    Assert.Equal(0, start % TfLiteWriter.BufferAlignment);
                    checkedBuffers++;
                }
            }

            Assert.True(checkedBuffers > 0, name);
        }
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
                // Every scalar field with the same raw bits (up to the narrower of the widths the copy infers).
                var references = TfLiteWriterReferences(e.OptionsType);
                var expectedFields = options.ScalarFields(references);
                var actualFields = a.Options!.Value.ScalarFields(references);
                Assert.Equal(expectedFields.Select(f => f.Id), actualFields.Select(f => f.Id));
                for (int f = 0; f < expectedFields.Length; f++)
                {
                    int width = Math.Min(expectedFields[f].Width, actualFields[f].Width);
                    ulong mask = width == 8 ? ulong.MaxValue : (1UL << (8 * width)) - 1;
                    Assert.Equal(expectedFields[f].Bits & mask, actualFields[f].Bits & mask);
                }
            }
        }
    }

    private static int[] TfLiteWriterReferences(int optionsType) => optionsType switch
    {
        3 => [1, 2],
        17 or 30 or 115 => [0],
        111 => [0, 1],
        _ => [],
    };
}
