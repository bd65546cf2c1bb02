using NanoQuant.Cli;
using NanoQuant.Host.Benchmarks;
using NanoQuant.Host.NanoClr;
using NanoQuant.Host.Runtime;

namespace NanoQuant.Tests.NanoClr;

/// <summary>
/// `nanoquant run --runtime cortex-m7|cortex-m4` writes the bytes of `--runtime dotnet`; `bench --runtime cortex-m7`
/// prints instructions per Invoke, the same on every run; a guest fault and a hang are one `error:` line, exit 1,
/// no output file.
/// </summary>
public sealed class CortexMCliTests() : CliTestFolder("nanoquant-cli-cortex-m-")
{
    [Theory]
    [InlineData("cortex-m7")]
    [InlineData("cortex-m4")]
    public void Run_on_the_emulated_board_writes_the_bytes_of_the_dotnet_runtime(string board)
    {
        var (model, input, _) = Kws();
        string dotnet = Path.Combine(_folder, "dotnet.npy");
        string emulated = Path.Combine(_folder, board + ".npy");
        Assert.Equal(0, Cli("run", model, "--input", input, "--output", dotnet).Code);
        var run = Cli("run", model, "--input", input, "--output", emulated, "--runtime", board);
        Assert.True(run.Code == 0, run.Err);
        Assert.Matches($@"{board} \(nanoCLR firmware in QEMU mps2-an[0-9]+\): [0-9,]+ instructions per Invoke \(average of 1, 2,656,768 MACs\), 0\.[0-9]{{6}} MACs per instruction", run.Out);
        Assert.Equal(File.ReadAllBytes(dotnet), File.ReadAllBytes(emulated));
    }

    [Theory]
    [InlineData("cortex-m7", "native")]
    [InlineData("cortex-m4", "cmsis-nn")]
    public void Run_through_a_native_firmware_writes_the_bytes_of_the_dotnet_runtime(string board, string kernels)
    {
        var (model, input, _) = Kws();
        string dotnet = Path.Combine(_folder, "dotnet.npy");
        string emulated = Path.Combine(_folder, board + kernels + ".npy");
        Assert.Equal(0, Cli("run", model, "--input", input, "--output", dotnet).Code);
        var run = Cli("run", model, "--input", input, "--output", emulated, "--runtime", board, "--kernels", kernels);
        Assert.True(run.Code == 0, run.Err);
        string what = kernels == "cmsis-nn" ? @"native kernels \(with CMSIS-NN where faster\)" : "native kernels";
        var line = System.Text.RegularExpressions.Regex.Match(run.Out, $@"{board} \(nanoCLR firmware in QEMU mps2-an[0-9]+\): ([0-9,]+) instructions per Invoke .*; {what} for [0-9]+ operators");
        Assert.True(line.Success, run.Out);
        Assert.Equal(File.ReadAllBytes(dotnet), File.ReadAllBytes(emulated));
        // kws on the managed kernels takes about 1.6 G instructions per Invoke; the C kernels well under a tenth of it.
        long instructions = long.Parse(line.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(instructions, 2_656_768L, 160_000_000L);
    }

    [Fact]
    public void Kernels_without_an_emulated_board_is_a_usage_error()
    {
        var (model, input, output) = Kws();
        AssertOneError(Cli("run", model, "--input", input, "--output", output, "--runtime", "nanoclr", "--kernels", "native"),
            "--kernels applies to --runtime cortex-m7 and cortex-m4 (for the Linux nanoCLR: --runtime nanoclr or nanoclr-native)", output);
    }

    [Fact]
    public void A_board_of_the_other_core_is_a_usage_error()
    {
        var (model, _, output) = Kws();
        AssertOneError(Cli("bench", "--runtime", "cortex-m4", "--board", "stm32f769i-disco", "--model", model),
            "--board stm32f769i-disco is a cortex-m7 board: use it with --runtime cortex-m7", output);
        AssertOneError(Cli("bench", "--runtime", "cortex-m7", "--board", "esp32", "--model", model),
            "no board 'esp32'; the boards are: stm32f769i-disco, nucleo-f411re", output);
    }

    [Fact]
    public void The_board_estimate_reproduces_the_MLPerf_Tiny_calibration()
    {
        // MLPerf Tiny v1.0, TFLM + CMSIS-NN on a 120 MHz Cortex-M4 (ms), and the instructions that build counts on the emulated M4.
        (double Milliseconds, double Instructions)[] published = [(181.9, 7.58e6), (600.5, 23.78e6), (704.3, 29.78e6), (10.05, 0.58e6)];
        var cyclesPerInstruction = published.Select(p => p.Milliseconds / 1000 * 120e6 / p.Instructions).ToArray();
        Assert.Equal(BoardClock.CyclesPerInstruction, cyclesPerInstruction.Average(), 1);
        Assert.Equal(BoardClock.CyclesPerInstructionLow, cyclesPerInstruction.Min(), 2);
        Assert.Equal(BoardClock.CyclesPerInstructionHigh, cyclesPerInstruction.Max(), 2);
        var f411 = BoardClock.Find("NUCLEO-F411RE");
        Assert.Equal("cortex-m4", f411.Runtime);
        Assert.Equal(7.58e6 * 2.7 / 100e6 * 1000, f411.EstimatedMilliseconds(7.58e6), 6);
    }

    [Fact]
    public void Bench_on_the_emulated_M7_prints_the_same_instruction_count_every_time()
    {
        string model = Path.Combine(_folder, "micro_speech.nq");
        Assert.Equal(0, Cli("convert", SharedResources.ModelPath("micro_speech_quantized"), "-o", model).Code);
        long macs = new Interpreter(File.ReadAllBytes(model)).MacCount;
        var first = Cli("bench", "--runtime", "cortex-m7", "--model", model, "--format", "md");
        Assert.True(first.Code == 0, first.Err);
        Assert.Contains("| model | MACs | instructions/invoke | MACs/instruction | ratio |", first.Out);
        var row = System.Text.RegularExpressions.Regex.Match(first.Out, $@"\| micro_speech \| {macs:N0} \| ([0-9,]+) \| ([0-9]\.[0-9]{{6}}) \| [0-9]+\.[0-9]{{2}} \|");
        Assert.True(row.Success, first.Out);
        long instructions = long.Parse(row.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(instructions, macs, 5_000L * macs);
        Assert.Matches(@"plain unrolled int8 dot loop: [0-9]\.[0-9]{6} MACs per instruction", first.Out);
        var second = Cli("bench", "--runtime", "cortex-m7", "--model", model, "--format", "md");
        Assert.True(second.Code == 0, second.Err);
        Assert.Contains(row.Value, second.Out);
    }

    [Fact]
    public void Bench_per_op_names_the_kernel_dispatch_picked_for_each_operator()
    {
        // vww on the M4's --kernels cmsis-nn firmware: since the planar depthwise kernel, dispatch.c's rule table gives
        // CMSIS-NN none of vww's calls (nq_cmsis_nn_faster: ours is cheaper on every conv, depthwise and FC layer of the
        // five MLPerf Tiny models), so every conv, depthwise and FC call names nanoQuant's kernels, whatever the image
        // links; the operators without a native kernel stay managed.
        string model = Path.Combine(_folder, "vww.nq");
        var conversion = Host.Conversion.Converter.ConvertFile(SharedResources.ModelPath("vww_96_int8"));
        File.WriteAllBytes(model, conversion.Bytes);
        var bench = Cli("bench", "--runtime", "cortex-m4", "--kernels", "cmsis-nn", "--model", model, "--per-op", "--json");
        Assert.True(bench.Code == 0, bench.Err);
        using var json = System.Text.Json.JsonDocument.Parse(bench.Out);
        var operators = json.RootElement.GetProperty("models")[0].GetProperty("operators").EnumerateArray().ToList();
        Assert.Equal(conversion.Model.Operators.Count, operators.Count);
        var expected = conversion.Model.Operators.Select(o => NanoClrNativeGoldenRun.NativeOperators.Contains(o.Type) ? "native" : "managed").ToList();
        Assert.Equal(expected, operators.Select(o => o.GetProperty("kernel").GetString()));
        Assert.Equal(27, conversion.Model.Operators.Count(o => o.Type is Format.OperatorType.Conv2D or Format.OperatorType.DepthwiseConv2D));
        Assert.Contains("native", expected);
        Assert.Contains("managed", expected);
    }

    [Fact]
    public void A_guest_fault_is_one_error_line_and_no_output()
    {
        new NanoClrHost(new NanoClrOptions { Board = "cortex-m7" }).Build();
        var (model, input, output) = Kws();
        var run = Cli("run", model, "--input", input, "--output", output, "--runtime", "cortex-m7", "--nanoclr", FakeNanoClr("fault", "echo 'nanoclr-cortex-m: processor fault'; exit 3"));
        AssertOneError(run, "faulted on the emulated cortex-m7 (a processor fault: HardFault, QEMU exit code 3)", output);
    }

    [Fact]
    public void A_hang_on_the_emulated_board_is_stopped_by_the_time_limit()
    {
        var golden = Golden.Load("hello_world_int8");
        byte[] model = Host.Conversion.Converter.ConvertFile(golden.ModelPath).Bytes;
        var host = new NanoClrHost(new NanoClrOptions { Board = "cortex-m7", NanoClrPath = FakeNanoClr("hang", "sleep 60"), Timeout = TimeSpan.FromSeconds(2) });
        var e = Assert.Throws<NanoClrException>(() => new NanoClrModelRunner(host).Run(model, golden.Inputs(0)));
        Assert.Contains("did not finish within 2 s and was stopped", e.Message);
    }

    [Fact]
    public void An_unknown_board_is_refused()
    {
        var e = Assert.Throws<NanoClrException>(() => new NanoClrHost(new NanoClrOptions { Board = "cortex-m0" }));
        Assert.Equal("unknown board 'cortex-m0' (known: cortex-m7, cortex-m4)", e.Message);
    }

    /// <summary>
    /// The benchmark method on the emulated M7: instructions per Invoke and per operator, the same in two boots; the
    /// operators' instructions (each timed alone through InvokeOperator, the clock reads' cost taken off) add up to the whole within 2 % (hello_world: 52,400 + 162,400 + 29,500 =
    /// 244,300 against 243,200 for the whole Invoke, 0.45 % more: InvokeOperator's own checks).
    /// </summary>
    [Fact]
    public void The_benchmark_method_on_the_emulated_M7_counts_the_same_instructions_in_two_runs()
    {
        var model = BenchmarkModel.Load("hello_world_int8", SharedResources.ModelPath("hello_world_int8"));
        var settings = new BenchmarkSettings { PerOperator = true };
        var first = ModelBenchmark.Run(ModelRuntimes.Create("cortex-m7"), [model], settings);
        var second = ModelBenchmark.Run(ModelRuntimes.Create("cortex-m7"), [model], settings);

        Assert.Equal(BenchmarkUnit.Instructions, first.Unit);
        var row = Assert.Single(first.Rows);
        Assert.Equal(288, row.Macs);
        Assert.Null(row.MillisecondsPerInvoke);
        Assert.True(row.InstructionsPerInvoke > row.Macs);
        Assert.Equal(row.InstructionsPerInvoke, second.Rows[0].InstructionsPerInvoke);
        Assert.Equal(row.Operators.Select(o => o.PerInvoke), second.Rows[0].Operators.Select(o => o.PerInvoke));
        Assert.Equal(row.Macs, row.Operators.Sum(o => o.Macs));
        Assert.InRange(row.Operators.Sum(o => o.PerInvoke) / row.InstructionsPerInvoke!.Value, 0.98, 1.02);
    }
}
