using System.Text.Json;

namespace NanoQuant.Tests.Cli;

/// <summary>`--json` on inspect, eval and bench: one JSON document with the documented fields and real values.</summary>
public sealed class JsonOutputTests : CliHarness
{
    private static string Kws(string file) => Path.Combine(SharedResources.Data, "kws", file);

    [Fact]
    public void Inspect_json_for_a_device_model_and_a_tflite()
    {
        Ok("convert", SharedResources.ModelPath("kws_ref_model_int8"), "-o", Temp("kws.nq"));
        using (var json = JsonDocument.Parse(Ok("inspect", Temp("kws.nq"), "--json")))
        {
            var root = json.RootElement;
            Assert.Equal("nq", root.GetProperty("kind").GetString());
            Assert.Equal(33_764, root.GetProperty("bytes").GetInt32());
            Assert.Equal(NanoQuant.Format.ModelFormat.MinVersion, root.GetProperty("formatVersion").GetInt32()); // no uint8 edges: version 2
            Assert.Equal(16_000, root.GetProperty("arenaBytes").GetInt32());
            var conv = root.GetProperty("operators")[0];
            Assert.Equal("Conv2D", conv.GetProperty("operator").GetString());
            var stride = conv.GetProperty("parameters")[1];
            Assert.Equal("stride_h", stride.GetProperty("name").GetString());
            Assert.Equal(2, stride.GetProperty("value").GetInt32());
            Assert.Equal(-128, root.GetProperty("outputs")[0].GetProperty("zeroPoint").GetInt32());
            AnalyzeCommandTests.AssertDocumented("inspect", root);
        }

        using (var json = JsonDocument.Parse(Ok("inspect", SharedResources.ModelPath("hello_world_float"), "--json")))
        {
            var root = json.RootElement;
            Assert.Equal("tflite", root.GetProperty("kind").GetString());
            Assert.False(root.GetProperty("converts").GetBoolean());
            Assert.Contains("float model", root.GetProperty("conversionError").GetString());
            Assert.Equal("FULLY_CONNECTED", root.GetProperty("operators")[0].GetProperty("operator").GetString());
            AnalyzeCommandTests.AssertDocumented("inspect", root);
        }
    }

    [Fact]
    public void Eval_json_counts_the_reference_accuracy()
    {
        using var json = JsonDocument.Parse(Ok("eval", SharedResources.ModelPath("kws_ref_model_int8"), "--input", Kws("features_int8.npy"), "--labels", Kws("labels.npy"),
            "--float", SharedResources.ModelPath("kws_ref_model_float32"), "--json"));
        var root = json.RootElement;
        Assert.Equal(1000, root.GetProperty("samples").GetInt32());
        var int8 = root.GetProperty("models")[0];
        Assert.Equal("int8", int8.GetProperty("kind").GetString());
        Assert.Equal(KwsAccuracyTests.ReferenceCorrect, int8.GetProperty("correct").GetInt32());
        Assert.Equal("float", root.GetProperty("models")[1].GetProperty("kind").GetString());
        Assert.InRange(root.GetProperty("agreement").GetInt32(), 900, 1000);
        Assert.InRange(root.GetProperty("outputSqnr").GetDouble(), 15, 60);
        AnalyzeCommandTests.AssertDocumented("eval", root);
    }

    [Fact]
    public void Bench_json_lists_measured_models_and_failures()
    {
        var (exit, output, error) = Cli("bench", "--shared", SharedResources.Root, "-m", "hello_world_int8", "-m", "hello_world_float", "--seconds", "0.01", "--json");
        Assert.Equal(1, exit);
        Assert.StartsWith("error: 1 of 2 model(s)", error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        var model = root.GetProperty("models")[0];
        Assert.Equal("hello_world_int8", model.GetProperty("model").GetString());
        Assert.Equal(288, model.GetProperty("macs").GetInt64());
        Assert.Equal(32, model.GetProperty("arenaBytes").GetInt32());
        Assert.Equal(0, model.GetProperty("bytesAllocatedPerInvoke").GetInt64());
        Assert.Equal("hello_world_float", root.GetProperty("failures")[0].GetProperty("model").GetString());
        AnalyzeCommandTests.AssertDocumented("bench", root);
    }

    [Fact]
    public void Terminal_tables_are_aligned_text_and_md_is_markdown()
    {
        string table = Ok("eval", SharedResources.ModelPath("kws_ref_model_int8"), "--input", Kws("features_int8.npy"), "--labels", Kws("labels.npy"), "--count", "50");
        var lines = table.Split('\n').Where(l => l.Contains("kws_ref_model_int8.tflite (int8)", StringComparison.Ordinal) || l.Contains("top-1", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, lines.Count);
        Assert.DoesNotContain("|", table);
        Assert.Equal(lines[0].TrimEnd().Length, lines[1].TrimEnd().Length); // right-aligned last column
        string markdown = Ok("eval", SharedResources.ModelPath("kws_ref_model_int8"), "--input", Kws("features_int8.npy"), "--labels", Kws("labels.npy"), "--count", "50", "--format", "md");
        Assert.Contains("|---|---:|---:|", markdown);
    }
}
