using System.Globalization;
using System.Text.RegularExpressions;
using NanoQuant.Host.Npy;

namespace NanoQuant.Tests.Cli;

/// <summary>Issue 21, "What a new user still trips on": each item's behaviour, checked on real models and data.</summary>
public sealed class NewUserTests : CliHarness
{
    private static string Kws(string file) => Path.Combine(SharedResources.Data, "kws", file);

    private string Save(string name, NpyArray array)
    {
        File.WriteAllBytes(Temp(name), array.ToBytes());
        return Temp(name);
    }

    /// <summary>The first <paramref name="count"/> samples of the shared KWS int8 features.</summary>
    private string KwsFeatures(int count)
    {
        var all = NpyArray.Load(Kws("features_int8.npy"));
        int perSample = all.Data.Length / all.Shape[0];
        return Save($"kws{count}.npy", new NpyArray(all.Type, [count, .. all.Shape[1..]], all.Data[..(count * perSample)]));
    }

    private static double Db(string text, string pattern) =>
        double.Parse(Regex.Match(text, pattern).Groups[1].Value, CultureInfo.InvariantCulture);

    [Fact]
    public void Validate_measures_16x8_models_ours_and_tensorflows_with_int16_and_float_edges()
    {
        // Ours, int16 edges and float edges: the same output SQNR as the 16x8 report over the same data.
        Ok("convert", Sample("sine_float.tflite"), "-c", Sample("calibration.npy"), "--activations", "int16", "-o", Temp("s16.nq"), "--report", Temp("r.md"));
        Ok("convert", Sample("sine_float.tflite"), "-c", Sample("calibration.npy"), "--activations", "int16", "--io", "float", "-o", Temp("s16f.nq"));
        double report = Db(File.ReadAllText(Temp("r.md")), @"Output y: 16x8 SQNR ([0-9.]+) dB");
        Assert.InRange(report, 40, 60);
        foreach (string model in new[] { "s16.nq", "s16f.nq" })
        {
            string output = Ok("validate", Temp(model), "--float", Sample("sine_float.tflite"), "--input", Sample("calibration.npy"));
            Assert.Equal(report, Db(output, @"output 0: SQNR ([0-9.]+) dB"));
            Assert.Contains("saturated %", output);
        }

        // TensorFlow's 16x8 AD01 against the float AD01 on random inputs: an autoencoder reproduces its input closely.
        var random = new Random(3);
        string x = Save("ad01_x.npy", NpyArray.FromFloats(Enumerable.Range(0, 3 * 640).Select(_ => (float)random.NextDouble() * 4 - 2).ToArray(), [3, 640]));
        string ad01 = Ok("validate", Path.Combine(SharedResources.Models, "models16", "ad01_16x8.tflite"), "--float", SharedResources.ModelPath("ad01_fp32"), "--input", x);
        Assert.InRange(Db(ad01, @"output 0: SQNR ([0-9.]+) dB"), 25, 90);
        Assert.Contains("on 3 samples", ad01);
    }

    [Fact]
    public void The_16x8_html_report_heads_its_columns_16x8_and_int8_as_the_markdown_report_does()
    {
        Ok("convert", Sample("sine_float.tflite"), "-c", Sample("calibration.npy"), "--activations", "int16", "--compare-int8", "-o", Temp("s.nq"), "--report", Temp("r.html"));
        Ok("convert", Sample("sine_float.tflite"), "-c", Sample("calibration.npy"), "--activations", "int16", "--compare-int8", "-o", Temp("s.nq"), "--report", Temp("r.md"));
        string html = File.ReadAllText(Temp("r.html"));
        string md = File.ReadAllText(Temp("r.md"));
        var headers = Regex.Matches(html, "<th>([^<]*)</th>").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["range SQNR", "16x8 SQNR", "int8 SQNR"], headers[^3..]);

        // The same figures in both: the output line, and the last row's 16x8 and int8 values.
        string mdOutput = Regex.Match(md, @"\*\*Output y: (16x8 SQNR [0-9.]+ dB)\*\* (\(int8: [0-9.]+ dB; 16x8 helps by [0-9.]+ dB\))").Groups.Values.Skip(1).Select(g => g.Value).Aggregate((a, b) => a + " " + b);
        Assert.Contains($"output y: {mdOutput}", html);
        var mdRow = md.Split('\n').Last(l => l.StartsWith("| 2 |", StringComparison.Ordinal)).Split('|', StringSplitOptions.TrimEntries);
        Assert.Contains($"<td>{mdRow[^3]}</td><td>{mdRow[^2]}</td>", Regex.Replace(html, @"\s+<", "<"));
        Assert.DoesNotContain("int8 SQNR", Regex.Replace(html, "<th>int8 SQNR</th>|\\(int8: ", ""));
    }

    [Fact]
    public void Constant_calibration_data_is_refused_before_any_model_is_written()
    {
        string zeros = Save("zeros.npy", NpyArray.FromFloats(new float[10], [10, 1]));
        AssertOneError(["--calibration 'zeros.npy'", "every value of model input 0 is 0 in all 10 samples"], "convert", Sample("sine_float.tflite"), "-c", zeros, "-o", Temp("s.nq"));
        string threes = Save("threes.npy", NpyArray.FromFloats(Enumerable.Repeat(3f, 5).ToArray(), [5, 1]));
        AssertOneError("is 3 in all 5 samples", "convert", Sample("sine_float.tflite"), "-c", threes, "--activations", "int16", "-o", Temp("s.nq"));
        // --samples 1 of varied data is one sample, not a constant input: it still converts (the range is that sample's).
        Ok("convert", Sample("sine_float.tflite"), "-c", Sample("calibration.npy"), "--samples", "2", "-o", Temp("s.nq"));
    }

    [Fact]
    public void Run_refuses_nan_and_infinite_float_input()
    {
        Ok("convert", Sample("sine_float.tflite"), "-c", Sample("calibration.npy"), "--io", "float", "-o", Temp("s.nq"));
        foreach (var (value, word) in new[] { (float.NaN, "NaN"), (float.PositiveInfinity, "+infinity"), (float.NegativeInfinity, "-infinity") })
        {
            string x = Save("x.npy", NpyArray.FromFloats([1f, 2f, value], [3, 1]));
            AssertOneError(["input 0: sample 2, element 0 is " + word, "must be finite"], "run", Temp("s.nq"), "--input", x);
            File.Delete(x);
        }

        string ok = Save("ok.npy", NpyArray.FromFloats([1f, 2f], [2, 1]));
        Assert.Contains("output 0: (2, 1)", Ok("run", Temp("s.nq"), "--input", ok));
    }

    [Fact]
    public void Eval_scores_one_hot_and_probability_labels_by_their_argmax()
    {
        string x = KwsFeatures(40);
        long[] indices = NpyArray.Load(Kws("labels.npy")).ToInt64s()[..40];
        string indexLabels = Save("labels.npy", new NpyArray(NpyType.Int64, [40], indices.SelectMany(BitConverter.GetBytes).ToArray()));
        string expected = Regex.Match(Ok("eval", SharedResources.ModelPath("kws_ref_model_int8"), "--input", x, "--labels", indexLabels, "--format", "md"), @"\| [0-9.]+% \| \d+/40 \|").Value;
        Assert.NotEmpty(expected);
        Assert.DoesNotContain("| 0.00% |", expected);

        var oneHot = new float[40 * 12];
        var soft = new float[40 * 12];
        for (int s = 0; s < 40; s++)
        {
            oneHot[(s * 12) + (int)indices[s]] = 1;
            for (int c = 0; c < 12; c++)
            {
                soft[(s * 12) + c] = c == indices[s] ? 0.6f : 0.4f / 11;
            }
        }

        foreach (var labels in new[] { NpyArray.FromFloats(oneHot, [40, 12]), NpyArray.FromFloats(soft, [40, 12]),
            new NpyArray(NpyType.Int64, [40, 12], oneHot.Select(v => (long)v).SelectMany(BitConverter.GetBytes).ToArray()) })
        {
            string path = Save("rows.npy", labels);
            Assert.Contains(expected, Ok("eval", SharedResources.ModelPath("kws_ref_model_int8"), "--input", x, "--labels", path, "--format", "md"));
            File.Delete(path);
        }

        // Rows of another width than the model's classes are refused, not scored.
        string wide = Save("wide.npy", NpyArray.FromFloats(new float[40 * 10], [40, 10]));
        AssertOneError(["10 columns", "12 classes"], "eval", SharedResources.ModelPath("kws_ref_model_int8"), "--input", x, "--labels", wide);
    }

    [Fact]
    public void Embed_refuses_csharp_keywords_as_class_or_namespace()
    {
        Ok("convert", SharedResources.ModelPath("hello_world_int8"), "-o", Temp("hw.nq"));
        foreach (string keyword in new[] { "class", "int", "namespace", "static" })
        {
            AssertOneError(["--class '" + keyword + "'", "not a C# keyword"], "embed", Temp("hw.nq"), "--namespace", "My.App", "--class", keyword, "-o", Temp("out"));
        }

        AssertOneError("--namespace 'My.class'", "embed", Temp("hw.nq"), "--namespace", "My.class", "-o", Temp("out"));
        AssertOneError("--class '1bad'", "embed", Temp("hw.nq"), "--namespace", "My.App", "--class", "1bad", "-o", Temp("out"));
        Ok("embed", Temp("hw.nq"), "--namespace", "My.App", "--class", "Class", "-o", Temp("out"));
        Assert.Contains("internal partial class Class", File.ReadAllText(Path.Combine(Temp("out"), "Class.Designer.cs")));
    }

    [Fact]
    public void Sixteen_by_eight_options_for_an_int8_model_are_refused()
    {
        foreach (var options in new[] { new[] { "--activations", "int16" }, ["--no-bias-correction"], ["--compare-int8"] })
        {
            AssertOneError([options[0], "applies only when quantizing a float model", "already quantized"], ["convert", SharedResources.ModelPath("kws_ref_model_int8"), .. options, "-o", Temp("k.nq")]);
        }

        // --activations int8 says what the model already is: accepted.
        Ok("convert", SharedResources.ModelPath("hello_world_int8"), "--activations", "int8", "-o", Temp("hw.nq"));
    }

    [Fact]
    public void Bench_refuses_timings_that_measure_nothing_and_options_of_another_runtime()
    {
        foreach (string seconds in new[] { "0", "-1", "NaN", "1e9" })
        {
            AssertOneError("--seconds must be more than 0", "bench", "--shared", SharedResources.Root, "-m", "hello_world_int8", "--seconds", seconds);
        }

        AssertOneError("--runs must lie in [1, 100000]", "bench", "--shared", SharedResources.Root, "--runtime", "nanoclr", "-m", "hello_world_int8", "--runs", "0");
        AssertOneError("--runs applies to --runtime nanoclr", "bench", "--shared", SharedResources.Root, "-m", "hello_world_int8", "--runs", "3");
        AssertOneError("--seconds applies to --runtime dotnet", "bench", "--shared", SharedResources.Root, "--runtime", "nanoclr", "-m", "hello_world_int8", "--seconds", "2");
    }

    [Fact]
    public void Messages_say_what_is_wrong()
    {
        File.WriteAllText(Temp("afile"), "x");
        AssertOneError(["afile' is a file, not a folder"], "convert", SharedResources.ModelPath("hello_world_int8"), "-o", Path.Combine(Temp("afile"), "x.nq"));
        AssertOneError(["afile' is a file, not a folder"], "convert", SharedResources.ModelPath("hello_world_int8"), "-o", Path.Combine(Temp("afile"), "sub", "x.nq"));
        AssertOneError(["output folder", "does not exist"], "convert", SharedResources.ModelPath("hello_world_int8"), "-o", Path.Combine(Temp("nowhere"), "x.nq"));

        string x = KwsFeatures(4);
        string labels = Save("labels4.npy", new NpyArray(NpyType.Int64, [4], NpyArray.Load(Kws("labels.npy")).ToInt64s()[..4].SelectMany(BitConverter.GetBytes).ToArray()));
        AssertOneError("--skip must be 0 or more (the samples to leave out at the start), not -1", "eval", SharedResources.ModelPath("kws_ref_model_int8"), "--input", x, "--labels", labels, "--skip", "-1");
        AssertOneError("--skip 4 leaves no samples: the data holds 4; give 0..3", "eval", SharedResources.ModelPath("kws_ref_model_int8"), "--input", x, "--labels", labels, "--skip", "4");

        string line = AssertOneError(["--model 'kws' is not a model under", "known names are", "kws_ref_model_int8", "op_*"], "bench", "--shared", SharedResources.Root, "-m", "kws");
        Assert.Contains("ad01_int8", line);
        AssertOneError(["--model", "nothere.nq' does not exist"], "bench", "--shared", SharedResources.Root, "-m", Temp("nothere.nq"));

        // A .nq has no .tflite and no TFLM arena to compare with: '-', not 0.
        Ok("convert", SharedResources.ModelPath("hello_world_int8"), "-o", Temp("hw.nq"));
        string bench = Ok("bench", "--shared", SharedResources.Root, "-m", Temp("hw.nq"), "--seconds", "0.01", "--format", "md");
        Assert.Matches(@"\| hw \| 288 \| [0-9.]+ \| [0-9.]+M \| - \| - \| [0-9]+ \| - \| 32 \| - \| 32 \| 1\.000 \| 984 \| - \| 0 \|", bench);

        // A float LSTM is refused for 16x8 before calibration runs: the error comes first, whatever the data.
        string lstmData = Path.Combine(SharedResources.Golden, "trained_lstm", "input_0_0.npy");
        AssertOneError(["UNIDIRECTIONAL_SEQUENCE_LSTM", "no 16x8", "leave out --activations int16"], "convert", SharedResources.ModelPath("trained_lstm"), "-c", lstmData, "--activations", "int16", "-o", Temp("l.nq"));
        string wrongShape = Save("wrong.npy", NpyArray.FromFloats(new float[3], [3, 1]));
        AssertOneError("UNIDIRECTIONAL_SEQUENCE_LSTM", "convert", SharedResources.ModelPath("trained_lstm"), "-c", wrongShape, "--activations", "int16", "-o", Temp("l.nq"));
    }

    [Fact]
    public void Auto_says_why_it_kept_minmax_and_the_help_states_the_rule()
    {
        string output = Ok("convert", Sample("sine_float.tflite"), "-c", Sample("calibration.npy"), "-o", Temp("s.nq"));
        Assert.Matches(@"auto → minmax; output SQNR over the calibration data: minmax [0-9.]+ dB, mse [^;]+ dB[^;]*; minmax kept: mse is not 3 dB higher", output);
        string help = Ok("convert", "--help");
        Assert.Contains("keeps minmax unless mse's output SQNR", help);
        Assert.DoesNotContain("whichever model is closer", help);
    }

    [Fact]
    public void Integer_data_takes_its_quantization_from_the_model_it_was_made_for()
    {
        string features = KwsFeatures(60);
        string floatKws = SharedResources.ModelPath("kws_ref_model_float32");
        string line = AssertOneError(["is int8", "--input-quantization-from MODEL_int8.tflite"], "convert", floatKws, "-c", features, "--method", "minmax", "-o", Temp("k.nq"));
        // The int8 model's scale is a float32: 0.5847029 printed, 0.58470290899… exactly; given exactly, the same model.
        string exactScale = ((double)0.5847029f).ToString("R", CultureInfo.InvariantCulture);
        Ok("convert", floatKws, "-c", features, "--method", "minmax", "--input-scale", exactScale, "--input-offset", "83", "-o", Temp("by_numbers.nq"));
        string output = Ok("convert", floatKws, "-c", features, "--method", "minmax", "--input-quantization-from", SharedResources.ModelPath("kws_ref_model_int8"), "-o", Temp("from_model.nq"));
        Assert.Contains("input  int8 scale 0.5847029 zero point 83", output);
        Assert.Equal(File.ReadAllBytes(Temp("by_numbers.nq")), File.ReadAllBytes(Temp("from_model.nq")));

        // From a .nq too, and in eval and validate: the float model on int8 features scores as with the numbers.
        string labels = Save("labels60.npy", new NpyArray(NpyType.Int64, [60], NpyArray.Load(Kws("labels.npy")).ToInt64s()[..60].SelectMany(BitConverter.GetBytes).ToArray()));
        string byNumbers = Ok("eval", floatKws, "--input", features, "--labels", labels, "--input-scale", exactScale, "--input-offset", "83", "--format", "md");
        string fromNq = Ok("eval", floatKws, "--input", features, "--labels", labels, "--input-quantization-from", Temp("from_model.nq"), "--format", "md");
        Assert.Equal(byNumbers, fromNq);
        Assert.Matches(@"\| [0-9.]+% \| (4\d|5\d|60)/60 \|", fromNq);
        Assert.Contains("on 60 samples", Ok("validate", Temp("from_model.nq"), "--float", floatKws, "--input", features, "--input-quantization-from", SharedResources.ModelPath("kws_ref_model_int8")));

        AssertOneError(["--input-quantization-from", "is a float model", "give the quantized model"], "convert", floatKws, "-c", features, "--input-quantization-from", floatKws, "-o", Temp("k.nq"));
        AssertOneError("not both", "convert", floatKws, "-c", features, "--input-scale", "1", "--input-offset", "0", "--input-quantization-from", SharedResources.ModelPath("kws_ref_model_int8"), "-o", Temp("k.nq"));
        AssertOneError(["--input-quantization-from", "does not exist"], "eval", floatKws, "--input", features, "--labels", labels, "--input-quantization-from", Temp("none.tflite"));
        AssertOneError(["--input-quantization-from applies only"], "convert", SharedResources.ModelPath("kws_ref_model_int8"), "--input-quantization-from", SharedResources.ModelPath("kws_ref_model_int8"), "-o", Temp("k.nq"));
    }

    [Fact]
    public void Analyze_estimates_the_device_model_of_a_float_model_without_calibration_data()
    {
        foreach (string activations in new[] { "int8", "int16" })
        {
            Ok("convert", Sample("sine_float.tflite"), "-c", Sample("calibration.npy"), "--activations", activations, "-o", Temp($"s_{activations}.nq"));
            using var estimate = System.Text.Json.JsonDocument.Parse(Ok("analyze", Sample("sine_float.tflite"), "--activations", activations, "--json"));
            using var actual = System.Text.Json.JsonDocument.Parse(Ok("analyze", Temp($"s_{activations}.nq"), "--json"));
            Assert.Equal(activations == "int16" ? "16x8" : "int8", estimate.RootElement.GetProperty("estimate").GetString());
            Assert.Equal(System.Text.Json.JsonValueKind.Null, actual.RootElement.GetProperty("estimate").ValueKind);

            // Every size is the converted model's: none depends on the calibration ranges.
            Assert.Equal(actual.RootElement.GetProperty("totals").GetRawText(), estimate.RootElement.GetProperty("totals").GetRawText());
            Assert.Equal(actual.RootElement.GetProperty("layers").GetRawText(), estimate.RootElement.GetProperty("layers").GetRawText());
        }

        string text = Ok("analyze", Sample("sine_float.tflite"), "--board", "esp32-s3");
        Assert.Contains("sine_float.tflite: a float model; ESTIMATE of the int8 device model `convert --calibration …` will write: 984 bytes, 3 operators", text);
        Assert.Contains("do not depend on the ranges and are exact; accuracy is not estimated", text);
        Assert.Contains("board       ESP32-S3 (8 MB PSRAM): fits", text);
    }

    /// <summary>hello_world_int8 and its analyze totals: RAM with weights in RAM, RAM streamed, flash.</summary>
    private static (string Model, long Ram, long Streamed, long Flash) HelloWorldTotals()
    {
        string hw = SharedResources.ModelPath("hello_world_int8");
        using var json = System.Text.Json.JsonDocument.Parse(Ok("analyze", hw, "--json"));
        var totals = json.RootElement.GetProperty("totals");
        return (hw, totals.GetProperty("ramBytesWeightsInRam").GetInt64(), totals.GetProperty("ramBytesWeightsStreamed").GetInt64(), totals.GetProperty("flashBytes").GetInt64());
    }

    [Fact]
    public void Analyze_checks_your_own_part_from_its_ram_and_flash()
    {
        var (hw, ram, streamed, flash) = HelloWorldTotals();

        Assert.Contains($"board       your part ({ram:N0} B RAM): fits: {ram:N0} of {ram:N0} B of managed heap with the weights in RAM (100.0%)", Ok("analyze", hw, "--ram", $"{ram}"));
        Assert.Contains("does not fit: needs", Ok("analyze", hw, "--ram", $"{Math.Min(ram, streamed) - 1}"));
        Assert.Contains("fits: ", Ok("analyze", hw, "--ram", "64K", "--flash", "1M"));
        Assert.Contains($"flash: {flash:N0} of 1,048,576 B for the model file", Ok("analyze", hw, "--ram", "64K", "--flash", "1M"));
        Assert.Contains($"does not fit: the model file is {flash:N0} B and the flash {flash - 1:N0} B", Ok("analyze", hw, "--ram", "64K", "--flash", $"{flash - 1}"));
        using var verdict = System.Text.Json.JsonDocument.Parse(Ok("analyze", hw, "--board", "esp32-s3", "--flash", $"{flash - 1}", "--json"));
        var board = verdict.RootElement.GetProperty("board");
        Assert.Equal("no", board.GetProperty("verdict").GetString());
        Assert.False(board.GetProperty("fitsFlash").GetBoolean());
        Assert.True(board.GetProperty("fitsInRam").GetBoolean());
        Assert.Equal(flash - 1, board.GetProperty("flashBytes").GetInt64());

        AssertOneError("--board, --ram and --board-file each name the board", "analyze", hw, "--board", "esp32-s3", "--ram", "64K");
        AssertOneError("--flash goes with --ram", "analyze", hw, "--flash", "1M");
        AssertOneError("--ram 'lots' is not a byte count", "analyze", hw, "--ram", "lots");
        AssertOneError("--ram '0' must be at least 1 byte", "analyze", hw, "--ram", "0");
        AssertOneError("--flash '-5' is not a byte count", "analyze", hw, "--ram", "1M", "--flash", "-5");
    }

    [Fact]
    public void Analyze_takes_the_users_own_part_from_a_board_file_with_the_same_verdicts_as_ram_and_flash()
    {
        var (hw, ram, _, flash) = HelloWorldTotals();
        string Board(string name, string text)
        {
            string path = Temp(name);
            File.WriteAllText(path, text);
            return path;
        }

        // The same verdict lines as --ram/--flash, under the file's name, with its core and clock.
        string part = Board("part.json", $$"""{ "name": "My STM32L4", "ram": {{ram}}, "flash": "1M", "clock_mhz": 80, "core": "Cortex-M4" }""");
        string fits = Ok("analyze", hw, "--board-file", part);
        string expected = Ok("analyze", hw, "--ram", $"{ram}", "--flash", "1M");
        Assert.Contains($"board       My STM32L4 (Cortex-M4, 80 MHz): fits: {ram:N0} of {ram:N0} B of managed heap with the weights in RAM (100.0%); flash: {flash:N0} of 1,048,576 B for the model file", fits);
        Assert.Equal(expected[expected.IndexOf("): fits", StringComparison.Ordinal)..], fits[fits.IndexOf("): fits", StringComparison.Ordinal)..]);
        Assert.Contains("does not fit: needs", Ok("analyze", hw, "--board-file", Board("small.json", $$"""{"name": "tiny", "ram": "{{ram - 1}}"}""")));
        Assert.Contains($"does not fit: the model file is {flash:N0} B and the flash {flash - 1:N0} B", Ok("analyze", hw, "--board-file", Board("noflash.json", $$"""{"name": "tiny", "ram": "1M", "flash": {{flash - 1}}}""")));
        using var verdict = System.Text.Json.JsonDocument.Parse(Ok("analyze", hw, "--board-file", part, "--json"));
        Assert.Equal("My STM32L4", verdict.RootElement.GetProperty("board").GetProperty("name").GetString());
        Assert.Equal("fits", verdict.RootElement.GetProperty("board").GetProperty("verdict").GetString());

        // Bad files: one error line naming the problem.
        AssertOneError("absent.json' does not exist", "analyze", hw, "--board-file", Temp("absent.json"));
        AssertOneError("board file 'bad.json' is not valid JSON", "analyze", hw, "--board-file", Board("bad.json", """{ "name": """));
        AssertOneError("must hold one JSON object", "analyze", hw, "--board-file", Board("array.json", "[1, 2]"));
        AssertOneError("board file 'noram.json' has no \"ram\"", "analyze", hw, "--board-file", Board("noram.json", """{"name": "x"}"""));
        AssertOneError("board file 'noname.json' has no \"name\"", "analyze", hw, "--board-file", Board("noname.json", """{"ram": "64K"}"""));
        AssertOneError("\"ram\" 'lots' is not a byte count", "analyze", hw, "--board-file", Board("lots.json", """{"name": "x", "ram": "lots"}"""));
        AssertOneError("\"ram\" '0' must be at least 1 byte", "analyze", hw, "--board-file", Board("zero.json", """{"name": "x", "ram": 0}"""));
        AssertOneError("\"flash\" must be a byte count", "analyze", hw, "--board-file", Board("flag.json", """{"name": "x", "ram": 1024, "flash": true}"""));
        AssertOneError("\"clock_mhz\" must be a positive number", "analyze", hw, "--board-file", Board("clock.json", """{"name": "x", "ram": 1024, "clock_mhz": -80}"""));
        AssertOneError("unknown field \"heap\"", "analyze", hw, "--board-file", Board("typo.json", """{"name": "x", "heap": 1024}"""));
        AssertOneError("--board, --ram and --board-file each name the board", "analyze", hw, "--board-file", part, "--board", "esp32-s3");
        AssertOneError("a board file gives the flash", "analyze", hw, "--board-file", part, "--flash", "1M");
    }

    [Fact]
    public void Clustered_models_say_what_palettes_save_and_cost_no_ram_loaded_into_ram()
    {
        Ok("convert", SharedResources.ModelPath("kws_ref_model_int8"), "--cluster", "16", "-o", Temp("kws_c16.nq"));
        Ok("convert", SharedResources.ModelPath("kws_ref_model_int8"), "--compact", "-o", Temp("kws_plain.nq"));
        using var clustered = System.Text.Json.JsonDocument.Parse(Ok("analyze", Temp("kws_c16.nq"), "--json"));
        using var plain = System.Text.Json.JsonDocument.Parse(Ok("analyze", Temp("kws_plain.nq"), "--json"));
        var totals = clustered.RootElement.GetProperty("totals");
        var palettes = clustered.RootElement.GetProperty("palettes");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, plain.RootElement.GetProperty("palettes").ValueKind);

        // Loaded into RAM, the decoded weights are all that stays: the heap of the plain model, byte for byte.
        Assert.Equal(plain.RootElement.GetProperty("totals").GetProperty("heapBytesWeightsInRam").GetInt64(), totals.GetProperty("heapBytesWeightsInRam").GetInt64());
        Assert.Equal(totals.GetProperty("heapBytesWeightsInRam").GetInt64(), palettes.GetProperty("plainHeapBytesWeightsInRam").GetInt64());
        Assert.True(totals.GetProperty("flashBytes").GetInt64() < 0.8 * palettes.GetProperty("plainFlashBytes").GetInt64());
        Assert.True(totals.GetProperty("heapBytesWeightsStreamed").GetInt64() > palettes.GetProperty("plainHeapBytesWeightsStreamed").GetInt64());

        string text = Ok("analyze", Temp("kws_c16.nq"));
        Assert.Matches(@"palettes    flash [0-9,]+ B instead of [0-9,]+ with plain int8 weights \(-\d+ %\); RAM 0 B with weights in RAM, \+[0-9,]+ B streamed", text);
    }
}
