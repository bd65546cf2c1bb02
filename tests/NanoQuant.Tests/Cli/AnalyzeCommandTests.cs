using System.Text.Json;
using NanoQuant.Host.Analysis;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.DeviceModels;
using NanoQuant.Tests.NanoFramework;

namespace NanoQuant.Tests.Cli;

/// <summary>`nanoquant analyze` (MACs, flash, RAM per layer and in total, board verdicts) and `inspect`'s named parameters.</summary>
public sealed class AnalyzeCommandTests : CliHarness
{
    [Fact]
    public void Analysis_of_every_int8_golden_agrees_with_the_converter_the_interpreter_and_the_ram_table()
    {
        var ramTable = File.ReadAllLines(Path.Combine(SharedResources.ProjectRoot, "hardware", "ram-table.md"))
            .Where(l => l.StartsWith("| ", StringComparison.Ordinal)).Skip(1)
            .ToDictionary(l => l.Split('|')[1].Trim(), l => l.Split('|').Skip(2).Select(c => c.Trim()).ToArray());
        foreach (string name in Golden.Int8Names())
        {
            var conversion = Converter.ConvertFile(Golden.Load(name).ModelPath);
            var analysis = ModelAnalysis.Of(conversion.Bytes);
            using var interpreter = new Interpreter(conversion.Bytes);

            // Per-layer MACs from the .nq's shapes are the converter's own counts, and add up to the kernels'.
            Assert.Equal(conversion.Model.Operators.Select(o => o.Macs), analysis.Layers.Select(l => l.Macs));
            Assert.Equal(interpreter.MacCount, analysis.TotalMacs);
            Assert.Equal(conversion.Plan.LowerBound, analysis.ArenaLowerBound);
            Assert.Equal(conversion.Plan.ArenaBytes, analysis.ArenaBytes);
            Assert.All(analysis.Layers, l => Assert.InRange(l.ArenaBytesAlive, 0, analysis.ArenaLowerBound));
            Assert.Equal(conversion.Model.Operators.Select(o => conversion.Model.Tensors[o.Outputs[0]].Shape), analysis.Layers.Select(l => l.OutputShape));
            Assert.Equal(conversion.Model.Tensors.Where(t => !t.IsArena).Sum(t => (long)t.ByteLength),
                conversion.Model.Operators.SelectMany(o => o.Inputs).Where(i => i >= 0).Distinct().Select(i => conversion.Model.Tensors[i]).Where(t => !t.IsArena).Sum(t => (long)t.ByteLength));

            // Model bytes and arena are hardware/ram-table.md's (its heap figures: NanoClrHeapEstimateTests).
            var row = ramTable[name];
            string Num(long v) => v.ToString("N0", System.Globalization.CultureInfo.InvariantCulture).Replace(',', ' ');
            Assert.Equal(row[0], Num(analysis.ModelBytes));
            Assert.Equal(row[1], Num(analysis.ArenaBytes));
        }
    }

    [Fact]
    public void Boards_are_those_of_the_ram_table()
    {
        Assert.Equal(RamTable.Boards.Select(b => (b.Board, b.HeapBytes)), Boards.All.Select(b => (b.Name, b.HeapBytes)));
        Assert.Equal(RamTable.ApplicationBytes, Boards.ApplicationBytes);
        Assert.Equal("ESP32-S3 (8 MB PSRAM)", Boards.Find("esp32-s3").Name);
        Assert.Equal("STM32F769I-DISCO", Boards.Find("stm32").Name);
        Assert.Contains("matches", Assert.Throws<ArgumentException>(() => Boards.Find("esp32")).Message);
    }

    [Fact]
    public void A_model_that_fits_only_streamed_is_told_to_stream()
    {
        var analysis = ModelAnalysis.Of(Converter.ConvertFile(SharedResources.ModelPath("person_detect")).Bytes);
        var board = new Board("test board", (analysis.RamWithWeightsInRam + analysis.RamWithWeightsStreamed) / 2, "");
        Assert.Equal("streamed", analysis.On(board).Verdict);
        Assert.Equal("no", analysis.On(board with { HeapBytes = analysis.RamWithWeightsStreamed - 1 }).Verdict);
        Assert.Equal("fits", analysis.On(board with { HeapBytes = analysis.RamWithWeightsInRam }).Verdict);
    }

    [Fact]
    public void Analyze_prints_layers_totals_and_the_board_verdict()
    {
        string output = Ok("analyze", SharedResources.ModelPath("kws_ref_model_int8"), "--board", "esp32-s3");
        Assert.Contains("kws_ref_model_int8.tflite: converted in memory to a device model of 33,764 bytes, 13 operators", output);
        Assert.Matches(@"\n\s+1\s+DepthwiseConv2D\s+\(1, 25, 5, 64\)\s+72,000\s+", output);
        Assert.Contains("MACs        2,656,768 per inference", output);
        Assert.Contains("flash       33,764 B", output);
        Assert.Contains("board       ESP32-S3 (8 MB PSRAM): fits:", output);
        Assert.DoesNotContain("| ", output);

        string person = Ok("analyze", SharedResources.ModelPath("person_detect"), "-b", "without psram");
        Assert.Contains("ESP32 without PSRAM (ESP32_REV0): does not fit: needs 417,808 B with weights in RAM and 277,240 B streamed", person);

        string markdown = Ok("analyze", SharedResources.ModelPath("kws_ref_model_int8"), "--format", "md");
        Assert.Contains("| 1 | DepthwiseConv2D | (1, 25, 5, 64) | 72,000 | 1,600 | 16,000 |", markdown);
    }

    [Fact]
    public void Analyze_json_has_the_documented_fields()
    {
        Ok("convert", SharedResources.ModelPath("kws_ref_model_int8"), "-o", Temp("kws.nq"));
        using var json = JsonDocument.Parse(Ok("analyze", Temp("kws.nq"), "--json", "--board", "STM32F769I-DISCO"));
        var root = json.RootElement;
        Assert.Equal("kws.nq", root.GetProperty("model").GetString());
        Assert.Equal("nq", root.GetProperty("source").GetString());
        Assert.Equal(13, root.GetProperty("layers").GetArrayLength());
        var layer = root.GetProperty("layers")[11];
        Assert.Equal("FullyConnected", layer.GetProperty("operator").GetString());
        Assert.Equal(768, layer.GetProperty("macs").GetInt64());
        Assert.Equal([1, 12], layer.GetProperty("outputShape").EnumerateArray().Select(e => e.GetInt32()));
        var totals = root.GetProperty("totals");
        Assert.Equal(2_656_768, totals.GetProperty("totalMacs").GetInt64());
        Assert.Equal(33_764, totals.GetProperty("flashBytes").GetInt64());
        // The heap figures are those measured for kws in hardware/ram-table.md (NanoClrHeapEstimateTests: every row, within 1 %):
        // the 32-bit nanoCLR's on the emulated Cortex-M7 for the board, the 64-bit Linux nanoCLR's beside them.
        var measured = RamTable.Parse(File.ReadAllText(RamTable.FilePath)).Single(r => r.Model == "kws_ref_model_int8");
        long heap = totals.GetProperty("heapBytesWeightsInRam").GetInt64();
        Assert.True(RamTable.Close(heap, measured.InRam32), $"kws: 32-bit heap {heap}, measured {measured.InRam32}");
        Assert.Equal(heap + 16_384, totals.GetProperty("ramBytesWeightsInRam").GetInt64());
        Assert.True(RamTable.Close(totals.GetProperty("heapBytesWeightsStreamed").GetInt64(), measured.Streamed32));
        Assert.Equal("32-bit nanoCLR", totals.GetProperty("heapNanoClr").GetString());
        Assert.True(RamTable.Close(totals.GetProperty("linuxHeapBytesWeightsInRam").GetInt64(), measured.InRam64));
        Assert.True(RamTable.Close(totals.GetProperty("linuxHeapBytesWeightsStreamed").GetInt64(), measured.Streamed64));
        Assert.Equal("fits", root.GetProperty("board").GetProperty("verdict").GetString());
        AssertDocumented("analyze", root);
    }

    [Fact]
    public void Analyze_errors_are_one_line()
    {
        AssertOneError(["--board: no board 'uno'", "ESP32-S3 (8 MB PSRAM)"], "analyze", SharedResources.ModelPath("hello_world_int8"), "--board", "uno");
        AssertOneError("is a NumPy .npy file, neither a TensorFlow Lite model", "analyze", Sample("input.npy"));
        AssertOneError("--activations applies to a float model", "analyze", SharedResources.ModelPath("hello_world_int8"), "--activations", "int16");
    }

    [Fact]
    public void Inspect_names_every_operator_parameter()
    {
        Ok("convert", SharedResources.ModelPath("kws_ref_model_int8"), "-o", Temp("kws.nq"));
        string output = Ok("inspect", Temp("kws.nq"));
        Assert.Contains("0 Conv2D: in [t0,t1,t2,t3,t4,t5] out [t6] params (padding=0, stride_h=2, stride_w=2, dilation_h=1, dilation_w=1, pad_top=4, pad_left=1, input_offset=-83, output_offset=-128, act_min=-128, act_max=127)", output);
        Assert.Contains("depth_multiplier=1)", output);

        // Every parameter of every operator of every golden has a name (no positional fallback).
        foreach (string name in Golden.Int8Names())
        {
            var model = DeviceModelReader.Read(Converter.ConvertFile(Golden.Load(name).ModelPath).Bytes);
            foreach (var op in model.Operators)
            {
                var names = OperatorParameterNames.Get(op.Type, op.Parameters.Length);
                Assert.True(names.All(n => !System.Text.RegularExpressions.Regex.IsMatch(n, @"^p\d+$")), $"{name}: {op.Type} has unnamed parameters ({op.Parameters.Length})");
                Assert.Equal(names.Length, names.Distinct().Count());
            }
        }
    }

    /// <summary>Every field of the JSON document is named in docs/cli-json.md under the command's heading.</summary>
    internal static void AssertDocumented(string command, JsonElement root)
    {
        string doc = File.ReadAllText(Path.Combine(SharedResources.ProjectRoot, "docs", "cli-json.md"));
        int start = doc.IndexOf($"## {command}", StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/cli-json.md has no section '## {command}'");
        int end = doc.IndexOf("\n## ", start + 3, StringComparison.Ordinal);
        string section = end < 0 ? doc[start..] : doc[start..end];
        foreach (string field in Fields(root, ""))
        {
            Assert.True(section.Contains($"`{field}`", StringComparison.Ordinal), $"docs/cli-json.md ({command}) does not document `{field}`");
        }
    }

    private static IEnumerable<string> Fields(JsonElement element, string prefix)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                string path = prefix.Length == 0 ? property.Name : $"{prefix}.{property.Name}";
                yield return path;
                foreach (string inner in Fields(property.Value, path))
                {
                    yield return inner;
                }
            }
        }
        else if (element.ValueKind == JsonValueKind.Array && element.GetArrayLength() > 0)
        {
            foreach (string inner in Fields(element[0], prefix + "[]"))
            {
                yield return inner;
            }
        }
    }
}
