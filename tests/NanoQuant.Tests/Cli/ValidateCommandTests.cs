using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using NanoQuant.Host.Npy;

namespace NanoQuant.Tests.Cli;

/// <summary>`nanoquant validate`: the device model against its float model on the user's data.</summary>
public sealed class ValidateCommandTests : CliHarness
{
    private static string Kws(string file) => Path.Combine(SharedResources.Data, "kws", file);

    [Fact]
    public void Per_layer_sqnr_agrees_with_the_quantization_report_on_the_same_data()
    {
        Ok("convert", Sample("sine_float.tflite"), "--calibration", Sample("calibration.npy"), "-o", Temp("sine.nq"), "--report", Temp("report.md"));
        string report = File.ReadAllText(Temp("report.md"));
        string output = Ok("validate", Temp("sine.nq"), "--float", Sample("sine_float.tflite"), "--input", Sample("calibration.npy"));

        // The report measures the same int8 model against the same float model over the same samples.
        string reportOutputDb = Regex.Match(report, @"Output y: int8 SQNR ([0-9.]+) dB").Groups[1].Value;
        Assert.Contains($"output 0: SQNR {reportOutputDb} dB", output);
        Assert.Contains("on 500 samples (calibration.npy)", output);
        Assert.Contains("top-1 agreement (output 0): 100.00% (500/500)", output); // one output value: always class 0

        // Every operator is matched, and the rows come worst first.
        var rows = Regex.Matches(output, @"^\s+(\d+)\s+FullyConnected\s+\(1, \d+\)\s+([0-9.]+)\s", RegexOptions.Multiline);
        Assert.Equal(3, rows.Count);
        var db = rows.Select(m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(db.Order(), db);
        Assert.DoesNotContain("match no float tensor", output);

        // The same figures per layer as the report's int8 SQNR column (operators 0..2 produce tensors of the float model).
        var reportDb = Regex.Matches(report, @"^\| (\d+) \| FULLY_CONNECTED \|.*\| ([0-9.∞]+) \|$", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        foreach (Match row in rows)
        {
            Assert.Equal(reportDb[row.Groups[1].Value], row.Groups[2].Value);
        }
    }

    [Fact]
    public void Kws_with_labels_gives_the_reference_accuracy_and_json()
    {
        using var json = JsonDocument.Parse(Ok("validate", SharedResources.ModelPath("kws_ref_model_int8"), "--float", SharedResources.ModelPath("kws_ref_model_float32"),
            "--input", Kws("features_int8.npy"), "--labels", Kws("labels.npy"), "--json"));
        var root = json.RootElement;
        Assert.Equal(1000, root.GetProperty("samples").GetInt32());
        Assert.Equal(KwsAccuracyTests.ReferenceCorrect, root.GetProperty("accuracy").GetProperty("int8Correct").GetInt32());
        Assert.InRange(root.GetProperty("accuracy").GetProperty("floatCorrect").GetInt32(), 850, 950);
        Assert.InRange(root.GetProperty("top1Agreement").GetDouble(), 0.9, 1.0);
        var layers = root.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal(13, layers.Count);
        Assert.Equal(layers.Select(l => l.GetProperty("sqnr").GetDouble()).Order(), layers.Select(l => l.GetProperty("sqnr").GetDouble()));
        Assert.All(layers, l => Assert.InRange(l.GetProperty("cosine").GetDouble(), 0.99, 1.0));
        Assert.Equal(0, root.GetProperty("unmatchedOperators").GetArrayLength());
        AnalyzeCommandTests.AssertDocumented("validate", root);
    }

    [Fact]
    public void Validate_errors_are_one_line_and_come_before_the_work()
    {
        Ok("convert", SharedResources.ModelPath("kws_ref_model_int8"), "-o", Temp("kws.nq"));
        AssertOneError("--float model 'hello_world_float.tflite' does not fit device model 'kws.nq'",
            "validate", Temp("kws.nq"), "--float", SharedResources.ModelPath("hello_world_float"), "--input", Kws("features_int8.npy"));
        AssertOneError("is not a float model", "validate", Temp("kws.nq"), "--float", SharedResources.ModelPath("kws_ref_model_int8"), "--input", Kws("features_int8.npy"));
        AssertOneError("--count 1001, but the data holds 1000 samples",
            "validate", Temp("kws.nq"), "--float", SharedResources.ModelPath("kws_ref_model_float32"), "--input", Kws("features_int8.npy"), "--count", "1001");
        File.WriteAllBytes(Temp("y.npy"), new NpyArray(NpyType.Int64, [1000], Enumerable.Repeat(20L, 1000).SelectMany(BitConverter.GetBytes).ToArray()).ToBytes());
        AssertOneError("label 20 of sample 0",
            "validate", Temp("kws.nq"), "--float", SharedResources.ModelPath("kws_ref_model_float32"), "--input", Kws("features_int8.npy"), "--labels", Temp("y.npy"));
    }
}
