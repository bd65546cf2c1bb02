using NanoQuant.Host.Benchmarks;
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
    public void Bench_versus_times_each_model_against_another_in_one_run()
    {
        string ad01 = Path.Combine(SharedResources.Root, "models", "models16", "ad01_16x8.tflite");
        using (var json = JsonDocument.Parse(Ok("bench", "--shared", SharedResources.Root, "-m", ad01, "-m", "hello_world_int8", "--versus", "ad01_int8", "--versus", "hello_world_int8", "--seconds", "0.2", "--json")))
        {
            var models = json.RootElement.GetProperty("models");
            Assert.Equal(2, models.GetArrayLength());
            Assert.Equal("ad01_16x8", models[0].GetProperty("model").GetString());
            Assert.Equal(264_192, models[0].GetProperty("macs").GetInt64());
            var versus = models[0].GetProperty("versus");
            Assert.Equal("ad01_int8", versus.GetProperty("model").GetString());
            Assert.Equal(ModelBenchmark.ComparisonRounds, versus.GetProperty("rounds").GetInt32());
            double ratio = versus.GetProperty("ratio").GetDouble();
            Assert.InRange(ratio, versus.GetProperty("ratioMin").GetDouble(), versus.GetProperty("ratioMax").GetDouble());
            // The ratio is of the two mean times, round by round: it lies within the range the rounds give.
            double ms = models[0].GetProperty("millisecondsPerInvoke").GetDouble() / versus.GetProperty("millisecondsPerInvoke").GetDouble();
            Assert.InRange(ms, versus.GetProperty("ratioMin").GetDouble() * 0.999, versus.GetProperty("ratioMax").GetDouble() * 1.001);
            Assert.Equal("hello_world_int8", models[1].GetProperty("versus").GetProperty("model").GetString());
            AnalyzeCommandTests.AssertDocumented("bench", json.RootElement);
        }

        string table = Ok("bench", "--shared", SharedResources.Root, "-m", "hello_world_int8", "--versus", "hello_world_int8", "--seconds", "0.05", "--format", "md");
        Assert.Contains("| versus | versus ms/invoke | time ÷ versus | range |", table);
        Assert.Contains("| 0 | hello_world_int8 |", table);
        AssertOneError("--versus applies to --runtime dotnet", "bench", "--shared", SharedResources.Root, "-m", "hello_world_int8", "--versus", "hello_world_int8", "--runtime", "nanoclr");
        AssertOneError("once per --model in the same order (2 --model, 3 --versus)", "bench", "--shared", SharedResources.Root, "-m", "hello_world_int8", "-m", "ad01_int8", "--versus", "a", "--versus", "b", "--versus", "c");
        AssertOneError("--versus needs --model", "bench", "--shared", SharedResources.Root, "--versus", "hello_world_int8");
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
