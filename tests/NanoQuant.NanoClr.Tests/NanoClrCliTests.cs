using NanoQuant.Cli;
using NanoQuant.Host.Benchmarks;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.NanoClr;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Runtime;

namespace NanoQuant.Tests.NanoClr;

/// <summary>
/// `nanoquant run --runtime nanoclr` writes the same bytes as `--runtime dotnet`; every way nanoCLR can fail is
/// one `error:` line, exit code 1 and no output file; `bench --runtime nanoclr` takes any model file.
/// </summary>
public sealed class NanoClrCliTests() : CliTestFolder("nanoquant-cli-nanoclr-")
{
    /// <summary>A golden model (int8 input), the samples' sine model (float in and out, several samples), an extra model the tests never used and a 16x8 model (int16 in and out).</summary>
    public static TheoryData<string> Models() => new("kws_ref_model_int8", "sine", "resnet_eb78d0e_int8", "ad01_16x8");

    [Theory]
    [MemberData(nameof(Models))]
    public void Run_on_nanoCLR_writes_the_bytes_of_the_dotnet_runtime(string name)
    {
        string model = Path.Combine(_folder, name + ".nq");
        string input;
        if (name == "sine")
        {
            string sine = Path.Combine(SharedResources.ProjectRoot, "samples", "sine");
            Assert.Equal(0, Cli("convert", Path.Combine(sine, "sine_float.tflite"), "--calibration", Path.Combine(sine, "calibration.npy"), "--io", "float", "-o", model).Code);
            input = Path.Combine(sine, "input.npy");
        }
        else
        {
            Assert.Equal(0, Cli("convert", SharedResources.ModelPath(name), "-o", model).Code);
            input = Path.Combine(_folder, name + ".input.npy");
            var interpreter = new Interpreter(File.ReadAllBytes(model));
            var random = new Random(3);
            var tensor = interpreter.GetInput(0);
            var array = tensor.Type == Format.TensorType.Int16
                ? NpyArray.FromInt16s(Enumerable.Range(0, tensor.Length).Select(_ => (short)random.Next(short.MinValue, short.MaxValue + 1)).ToArray(), tensor.GetShape())
                : NpyArray.FromSBytes(Enumerable.Range(0, tensor.Length).Select(_ => (sbyte)random.Next(-128, 128)).ToArray(), tensor.GetShape());
            File.WriteAllBytes(input, array.ToBytes());
        }

        string dotnet = Path.Combine(_folder, name + ".dotnet.npy");
        string nanoclr = Path.Combine(_folder, name + ".nanoclr.npy");
        Assert.Equal(0, Cli("run", model, "--input", input, "--output", dotnet).Code);
        var run = Cli("run", model, "--input", input, "--output", nanoclr, "--runtime", "nanoclr");
        Assert.True(run.Code == 0, run.Err);
        Assert.Matches(@"nanoCLR: [0-9.]+ ms per Invoke \(average of [0-9]+, [0-9,]+ MACs\)", run.Out);
        Assert.Equal(File.ReadAllBytes(dotnet), File.ReadAllBytes(nanoclr));
    }

    [Fact]
    public void Eval_and_validate_on_nanoCLR_give_the_figures_of_the_dotnet_runtime()
    {
        string model = SharedResources.ModelPath("kws_ref_model_int8");
        string data = Path.Combine(SharedResources.Root, "data", "kws");
        string[] eval = ["eval", model, "--input", Path.Combine(data, "features_int8.npy"), "--labels", Path.Combine(data, "labels.npy"), "--skip", "20", "--count", "8", "--json"];
        var dotnet = Cli(eval);
        var nanoclr = Cli([.. eval, "--runtime", "nanoclr"]);
        Assert.True(dotnet.Code == 0, dotnet.Err);
        Assert.True(nanoclr.Code == 0, nanoclr.Err);
        using var expected = System.Text.Json.JsonDocument.Parse(dotnet.Out);
        using var actual = System.Text.Json.JsonDocument.Parse(nanoclr.Out);
        var expectedModel = expected.RootElement.GetProperty("models")[0];
        var actualModel = actual.RootElement.GetProperty("models")[0];
        Assert.Equal(8, actualModel.GetProperty("total").GetInt32());
        Assert.Equal(expectedModel.GetProperty("correct").GetInt32(), actualModel.GetProperty("correct").GetInt32());
        Assert.Equal(expectedModel.GetProperty("accuracy").GetDouble(), actualModel.GetProperty("accuracy").GetDouble());

        string floatModel = SharedResources.ModelPath("kws_ref_model_float32");
        var validate = Cli("validate", model, "--float", floatModel, "--input", Path.Combine(data, "features_int8.npy"), "--count", "3", "--runtime", "nanoclr");
        Assert.True(validate.Code == 0, validate.Err);
        Assert.Contains("outputs on nanoclr: identical to this process's on 3/3 samples", validate.Out);
    }

    [Fact]
    public void A_missing_kit_is_one_error_line_and_no_output()
    {
        var (model, input, output) = Kws();
        var run = Cli("run", model, "--input", input, "--output", output, "--runtime", "nanoclr", "--nanoclr-kit", Path.Combine(_folder, "no-kit"));
        AssertOneError(run, "nanoCLR kit not found", output);
    }

    [Fact]
    public void A_nanoCLR_crash_is_one_error_line_and_no_output()
    {
        var (model, input, output) = Kws();
        var run = Cli("run", model, "--input", input, "--output", output, "--runtime", "nanoclr", "--nanoclr", FakeNanoClr("crash", "kill -SEGV $$"));
        AssertOneError(run, "nanoCLR crashed (SIGSEGV", output);
    }

    [Fact]
    public void An_output_of_the_wrong_size_is_one_error_line_and_no_output()
    {
        var (model, input, output) = Kws();
        string lines = string.Join("\n", "nq:load 0 ticks=1 arena=16000 operators=13 macs=1 freeBefore=0 freeAfterLoad=0", "nq:out 0 0 0 0 0102",
            "nq:samples 0 samples=1 ticks=1 first=1 freeAfterSamples=0", "nq:end 0", "nq:baseline macsPerSecond=1", "nq:done");
        var run = Cli("run", model, "--input", input, "--output", output, "--runtime", "nanoclr", "--nanoclr", FakeNanoClr("short", $"printf '%s\\n' \"{lines.Replace("\n", "\" \"", StringComparison.Ordinal)}\""));
        AssertOneError(run, "nanoCLR returned 2 bytes for output 0 of sample 0; the model's output has 12", output);
    }

    [Fact]
    public void A_program_that_stops_early_is_one_error_line_and_no_output()
    {
        // nanoCLR's exit code is 0 even when the program dies silently (an unhandled exception prints nothing).
        var (model, input, output) = Kws();
        var run = Cli("run", model, "--input", input, "--output", output, "--runtime", "nanoclr", "--nanoclr", FakeNanoClr("silent", "echo Ready.; exit 0"));
        AssertOneError(run, "nanoCLR stopped before the program finished", output);
    }

    [Fact]
    public void A_hang_is_stopped_by_the_time_limit()
    {
        var golden = Golden.Load("hello_world_int8");
        byte[] model = Converter.ConvertFile(golden.ModelPath).Bytes;
        var host = new NanoClrHost(new NanoClrOptions { NanoClrPath = FakeNanoClr("hang", "sleep 60"), Timeout = TimeSpan.FromSeconds(2) });
        var started = DateTime.UtcNow;
        var e = Assert.Throws<NanoClrException>(() => new NanoClrModelRunner(host).Run(model, golden.Inputs(0)));
        Assert.Contains("did not finish within 2 s and was stopped", e.Message);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(40));
    }

    [Fact]
    public void A_model_held_in_RAM_over_nanoCLRs_array_limit_is_refused_before_running()
    {
        byte[] model = Converter.ConvertFile(SharedResources.ModelPath("mobilenet_v2_quantized_1x3x224x224")).Bytes;
        Assert.True(model.Length > NanoClrHost.MaxArrayBytes);
        var interpreter = new Interpreter(model);
        var job = new NanoClrJob(model, [new byte[NanoClrJob.TensorBytes(interpreter.GetInput(0))]], 1) { Mode = NanoClrLoadMode.Ram };
        var e = Assert.Throws<NanoClrException>(() => new NanoClrHost().Run([job]));
        Assert.Contains($"the model is {model.Length:N0} bytes; nanoCLR holds at most {NanoClrHost.MaxArrayBytes:N0} bytes in one array", e.Message);
    }

    [Fact]
    public void Bench_on_nanoCLR_takes_a_user_model_file_and_prints_the_ratio()
    {
        var (model, _, _) = Kws();
        var bench = Cli("bench", "--runtime", "nanoclr", "--model", model, "--format", "md");
        Assert.True(bench.Code == 0, bench.Err);
        Assert.Contains("| model | MACs | ms/invoke | MAC/s | ratio |", bench.Out);
        Assert.Matches(@"\| kws \| 2,656,768 \| [0-9.]+ \| [0-9.]+M \| [0-9]+\.[0-9]{2} \|", bench.Out);
        Assert.Matches(@"plain unrolled int8 dot loop in the same process: [0-9.]+M MAC/s", bench.Out);

        // Without --format md: an aligned terminal table; with --json: one document (docs/cli-json.md, bench).
        var table = Cli("bench", "--runtime", "nanoclr", "--model", model);
        Assert.True(table.Code == 0, table.Err);
        Assert.DoesNotContain("| ", table.Out);
        Assert.Matches(@"\n\s*kws\s+2,656,768\s+[0-9.]+\s+[0-9.]+M\s+[0-9]+\.[0-9]{2}\s+", table.Out);
        var json = Cli("bench", "--runtime", "nanoclr", "--model", model, "--json");
        Assert.True(json.Code == 0, json.Err);
        using var document = System.Text.Json.JsonDocument.Parse(json.Out);
        var row = document.RootElement.GetProperty("models")[0];
        Assert.Equal("kws", row.GetProperty("model").GetString());
        Assert.Equal(2_656_768, row.GetProperty("macs").GetInt64());
        Assert.True(row.GetProperty("millisecondsPerInvoke").GetDouble() > 0 && document.RootElement.GetProperty("dotLoopMacsPerSecond").GetDouble() > 0);
        Assert.Equal("ram", row.GetProperty("loaded").GetString());
    }

    [Fact]
    public void A_uint8_edged_model_loads_on_nanoCLR_and_gives_the_dotnet_bytes()
    {
        // Format version 3 (uint8 edge flags) on the real runtime: uint8 in, uint8 out, the bytes of --runtime dotnet.
        string model = Path.Combine(_folder, "kws_u8.nq");
        Assert.Equal(0, Cli("convert", SharedResources.ModelPath("kws_ref_model_int8"), "--io", "uint8", "-o", model).Code);
        Assert.Equal(3, BitConverter.ToUInt16(File.ReadAllBytes(model), 4));
        using var interpreter = new Interpreter(File.ReadAllBytes(model));
        var random = new Random(5);
        var data = new byte[interpreter.GetInput(0).Length * 3];
        random.NextBytes(data);
        string input = Path.Combine(_folder, "kws_u8.input.npy");
        File.WriteAllBytes(input, new NpyArray(NpyType.UInt8, [3, .. interpreter.GetInput(0).GetShape()[1..]], data).ToBytes());
        string dotnet = Path.Combine(_folder, "kws_u8.dotnet.npy");
        string nanoclr = Path.Combine(_folder, "kws_u8.nanoclr.npy");
        Assert.Equal(0, Cli("run", model, "--input", input, "--output", dotnet).Code);
        var run = Cli("run", model, "--input", input, "--output", nanoclr, "--runtime", "nanoclr");
        Assert.True(run.Code == 0, run.Err);
        Assert.Equal(NpyType.UInt8, NpyArray.Load(nanoclr).Type);
        Assert.Equal(File.ReadAllBytes(dotnet), File.ReadAllBytes(nanoclr));
    }

    [Fact]
    public void Bench_on_nanoCLR_honours_runs_and_run_reports_no_benchmark()
    {
        var bench = Cli("bench", "--runtime", "nanoclr", "--model", SharedResources.ModelPath("hello_world_int8"), "--runs", "3", "--format", "md");
        Assert.True(bench.Code == 0, bench.Err);
        Assert.Matches(@"\| hello_world_int8 \| 288 \| [0-9.]+ \| [0-9.]+M \| [0-9]+\.[0-9]{2} \| [^|]+ \| 3 \|", bench.Out);
        Assert.Contains("[1/1] hello_world_int8: ", bench.Err);

        // run runs the model and says what it ran: no dot loop (that is bench's).
        var golden = Golden.Load("hello_world_int8");
        string model = Path.Combine(_folder, "hw.nq");
        Assert.Equal(0, Cli("convert", golden.ModelPath, "-o", model).Code);
        var run = Cli("run", model, "--input", Path.Combine(SharedResources.Golden, "hello_world_int8", "input_0_0.npy"), "--runtime", "nanoclr");
        Assert.True(run.Code == 0, run.Err);
        Assert.Matches(@"nanoCLR: [0-9.]+ ms per Invoke \(average of 1, 288 MACs\), [0-9.]+M MAC/s; model loaded into RAM; managed kernels", run.Out);
        Assert.DoesNotContain("dot loop", run.Out);

        // The default set of bench --runtime nanoclr: the MLPerf Tiny models and TFLite Micro's examples, all present.
        Assert.All(BenchCommand.NanoClrDefaultModels, name => Assert.True(File.Exists(SharedResources.ModelPath(name)), name));
    }

    [Fact]
    public void Bench_on_nanoCLR_with_per_op_times_every_operator()
    {
        var bench = Cli("bench", "--runtime", "nanoclr", "--model", SharedResources.ModelPath("hello_world_int8"), "--per-op", "--format", "md");
        Assert.True(bench.Code == 0, bench.Err);
        Assert.Matches(@"\| hello_world_int8 \| 288 \| [0-9.]+ \| [0-9.]+M \| [0-9]+\.[0-9]{2} \| [0-9]+\.[0-9]{2}–[0-9]+\.[0-9]{2} \| [0-9]+ \|", bench.Out);
        Assert.Contains("| # | operator | kernel | MACs | ms/invoke | share of time | MAC/s | ratio |", bench.Out);

        // hello_world: FULLY_CONNECTED 1→16, 16→16, 16→1, all on the managed kernels of the kit's nanoCLR; the shares of the time add up to 100 %.
        var rows = System.Text.RegularExpressions.Regex.Matches(bench.Out, @"\| (\d) \| FullyConnected \| managed \| ([0-9,]+) \| [0-9.]+ \| ([0-9.]+) % \|");
        Assert.Equal(["0", "1", "2"], rows.Select(r => r.Groups[1].Value));
        Assert.Equal(["16", "256", "16"], rows.Select(r => r.Groups[2].Value));
        Assert.InRange(rows.Sum(r => double.Parse(r.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture)), 99.5, 100.5);
    }

    /// <summary>
    /// The benchmark method on nanoCLR: the row's MACs are the model's, the ratio to the dot loop lies in the rounds' range,
    /// and every operator (timed alone after the rounds, each with a clock read on either side, the cost of an empty pair
    /// taken off) has a time and its MACs. How the operators' sum compares with the whole Invoke is wall-clock on a shared
    /// machine (CI runs the 10,000-Invoke check beside this on the other core), so it is a benchmark figure, not asserted here;
    /// the emulated board's per-operator counts, which are exact, are asserted to add up (CortexMCliTests).
    /// </summary>
    [Fact]
    public void The_benchmark_method_on_nanoCLR_gives_the_models_MACs_the_dot_loop_ratio_and_a_time_per_operator()
    {
        var model = BenchmarkModel.Load("micro_speech_quantized", SharedResources.ModelPath("micro_speech_quantized"));
        var report = ModelBenchmark.Run(ModelRuntimes.Create(ModelRuntimes.NanoClr), [model], new BenchmarkSettings { PerOperator = true });

        Assert.Equal((ModelRuntimes.NanoClr, BenchmarkUnit.Milliseconds), (report.Runtime, report.Unit));
        Assert.True(report.DotLoopMacsPerUnit > 0);
        var row = Assert.Single(report.Rows);
        using var interpreter = new Interpreter(model.DeviceModel);
        Assert.Equal(336_000, row.Macs);
        Assert.Equal(interpreter.MacCount, row.Macs);
        Assert.Equal(NanoClrBenchmark.DefaultRounds, row.Timing.Rounds);
        Assert.Equal("ram", row.Timing.Loaded);
        Assert.Null(row.Timing.BytesAllocatedPerInvoke);
        Assert.InRange(row.Timing.Ratio!.Value, row.Timing.RatioMin!.Value, row.Timing.RatioMax!.Value);
        Assert.True(row.MillisecondsPerInvoke > 0);

        Assert.Equal(interpreter.OperatorCount, row.Operators.Count);
        Assert.Equal(row.Macs, row.Operators.Sum(o => o.Macs));
        Assert.All(row.Operators, o => Assert.True(o.PerInvoke >= 0, $"operator {o.Index}: {o.PerInvoke} ms"));
        Assert.True(row.Operators.Sum(o => o.PerInvoke) > 0);
        Assert.All(row.Operators, o => Assert.Equal(o.Macs > 0, o.Ratio is > 0));
    }

    [Fact]
    public void Bench_per_op_on_the_native_nanoCLR_names_the_native_kernels()
    {
        // kws on nanoCLR built with the C kernels (no vendor library on x64): every conv, depthwise and FC, the pooling
        // and the softmax run native, the reshape stays managed; text and JSON name the same kernels.
        var conversion = Converter.ConvertFile(SharedResources.ModelPath("kws_ref_model_int8"));
        string model = Path.Combine(_folder, "kws.nq");
        File.WriteAllBytes(model, conversion.Bytes);
        var expected = conversion.Model.Operators.Select(o => NanoClrNativeGoldenRun.NativeOperators.Contains(o.Type) ? "native" : "managed").ToList();
        Assert.Contains("managed", expected);
        var json = Cli("bench", "--runtime", "nanoclr-native", "--model", model, "--per-op", "--runs", "1", "--json");
        Assert.True(json.Code == 0, json.Err);
        using var document = System.Text.Json.JsonDocument.Parse(json.Out);
        var operators = document.RootElement.GetProperty("models")[0].GetProperty("operators").EnumerateArray();
        Assert.Equal(expected, operators.Select(o => o.GetProperty("kernel").GetString()));
        var text = Cli("bench", "--runtime", "nanoclr-native", "--model", model, "--per-op", "--runs", "1", "--format", "md");
        Assert.True(text.Code == 0, text.Err);
        Assert.Contains("| # | operator | kernel | MACs | ms/invoke | share of time | MAC/s | ratio |", text.Out);
        var rows = System.Text.RegularExpressions.Regex.Matches(text.Out, @"^\| (\d+) \| \w+ \| (native|managed) \|", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.Equal(expected, rows.Select(r => r.Groups[2].Value));
    }
}
