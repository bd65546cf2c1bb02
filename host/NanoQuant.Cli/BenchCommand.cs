using System.CommandLine;
using NanoQuant.Host.Benchmarks;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.NanoClr;
using NanoQuant.Host.Runtime;

namespace NanoQuant.Cli;

/// <summary>`nanoquant bench`: speed, arena and size figures for every int8 golden model (prints a Markdown table).</summary>
public static class BenchCommand
{
    /// <summary>`bench --runtime nanoclr` without --model: the MLPerf Tiny models and TFLite Micro's examples (a few minutes; --all for every golden).</summary>
    public static readonly string[] NanoClrDefaultModels =
        ["ad01_int8", "kws_ref_model_int8", "vww_96_int8", "pretrainedResnet_quant", "hello_world_int8", "micro_speech_quantized", "person_detect"];

    private static readonly string[] NotInt8 =
        ["trained_lstm", "hello_world_float", "vww_96_float", "pretrainedResnet_float", "ad01_fp32"];

    public static Command Create(CliConsole console)
    {
        var shared = new Option<DirectoryInfo>("--shared") { Description = "the shared resources folder (models/, golden/)", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("..", "shared")) };
        var models = new Option<string[]>("--model", "-m") { Description = "golden model names or model files (.tflite or .nq; default: all int8 goldens)" };
        var runtime = new Option<string>("--runtime") { Description = "dotnet (in this process), nanoclr (nanoFramework's real interpreter: ms per Invoke, MAC/s and the ratio to a plain int8 dot loop in the same process) nanoclr-native (the native kernels on a nanoCLR built with them, beside the managed kernels and the dot loop; built on first use, then cached), or cortex-m7 / cortex-m4 (nanoCLR firmware on an emulated board in QEMU: instructions per Invoke, exact, and MACs per instruction)", DefaultValueFactory = _ => ModelRuntimes.DotNet };
        runtime.AcceptOnlyFromAmong([.. ModelRuntimes.Names]);
        var nanoclr = new Option<FileInfo>("--nanoclr") { Description = $"nanoCLR executable for --runtime nanoclr, e.g. your own build (default: ${NanoClrOptions.NanoClrVariable}, else the kit's bin/nanoclr)" };
        var kit = new Option<DirectoryInfo>("--nanoclr-kit") { Description = $"nanoCLR kit folder for --runtime nanoclr (default: ${NanoClrOptions.KitVariable}, else ../shared/nanoclr beside the repository)" };
        var ops = new Option<bool>("--include-ops") { Description = "also the single-operator models op_*" };
        var all = new Option<bool>("--all") { Description = "with --runtime nanoclr: every int8 golden instead of the default set (the MLPerf Tiny models and TFLite Micro's examples); takes long, see docs/benchmarks.md" };
        var seconds = new Option<double>("--seconds") { Description = "minimum timing per model", DefaultValueFactory = _ => 1.0 };
        var runs = new Option<int>("--runs") { Description = "timed Invoke calls per model on nanoCLR (nanoclr-native)", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "print one JSON document (docs/cli-json.md) instead of a table" };
        var kernels = BoardKernelsOption.Create();
        var boardClock = new Option<string>("--board") { Description = $"with --runtime cortex-m7|cortex-m4: also an estimated time per Invoke on this board ({string.Join(", ", BoardClock.All.Select(b => b.Name))}): the exact instruction count times {BoardClock.CyclesPerInstruction} cycles per instruction (calibrated against MLPerf Tiny v1.0 on a Cortex-M4) at the board's clock — an estimate, not a measurement" };
        var perOp = new Option<bool>("--per-op") { Description = "with --runtime nanoclr, nanoclr-native, cortex-m7 or cortex-m4: also time each operator alone on nanoCLR (a table per model: ms per Invoke or instructions, share of the time, ratio to the dot loop, and the kernel that ran it: managed, native, or the vendor library the native build's rule table picked, cmsis-nn)" };
        var versus = new Option<string[]>("--versus") { Description = "with --runtime dotnet: time each --model against this model (a golden name or a .tflite/.nq file; once for all models, or once per --model in the same order), the two in alternation within the run so load cancels, and print time ÷ versus, e.g. a 16x8 model against its int8 twin" };
        var format = CliOptions.Format();
        var command = new Command("bench", "Benchmark the device runtime on the golden models: time, MAC/s, arena vs TFLite Micro, sizes, allocations") { shared, models, ops, all, seconds, runtime, kernels, boardClock, kit, nanoclr, runs, json, format, perOp, versus };
        command.SetAction(parse => console.Guard(() =>
        {
            var root = parse.GetValue(shared)!;
            string golden = Path.Combine(root.FullName, "golden");
            var chosenModels = parse.GetValue(models) ?? [];
            if (parse.GetResult(seconds) is { Implicit: false } && !(parse.GetValue(seconds) > 0 && parse.GetValue(seconds) <= 3600))
            {
                throw new CliUsageException($"--seconds must be more than 0 and at most 3600 (the minimum timing per model), not {parse.GetValue(seconds).ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            }

            if (parse.GetResult(runs) is { Implicit: false } && parse.GetValue(runs) is < 1 or > 100_000)
            {
                throw new CliUsageException($"--runs must lie in [1, 100000] (timed Invoke calls per model on nanoCLR), not {parse.GetValue(runs)}");
            }

            if (parse.GetResult(runs) is { Implicit: false } && ModelRuntimes.RunsInProcess(parse.GetValue(runtime)!))
            {
                throw new CliUsageException("--runs applies to --runtime nanoclr and nanoclr-native; with --runtime dotnet, --seconds sets the timing");
            }

            if (parse.GetResult(seconds) is { Implicit: false } && !ModelRuntimes.RunsInProcess(parse.GetValue(runtime)!))
            {
                throw new CliUsageException("--seconds applies to --runtime dotnet; on nanoCLR, --runs sets the timed Invoke calls per round");
            }

            var versusModels = parse.GetValue(versus) ?? [];
            if (versusModels.Length > 0 && !ModelRuntimes.RunsInProcess(parse.GetValue(runtime)!))
            {
                throw new CliUsageException("--versus applies to --runtime dotnet; on nanoCLR the ratio column compares each model with a plain int8 dot loop in the same process");
            }

            if (versusModels.Length > 0 && (chosenModels.Length == 0 || (versusModels.Length != 1 && versusModels.Length != chosenModels.Length)))
            {
                throw new CliUsageException($"--versus needs --model, and is given once for all models or once per --model in the same order ({chosenModels.Length} --model, {versusModels.Length} --versus)");
            }

            if (parse.GetValue(runtime) != ModelRuntimes.NanoClr && parse.GetValue(all))
            {
                throw new CliUsageException("--all applies to --runtime nanoclr (with --runtime dotnet every int8 golden is the default)");
            }

            if (parse.GetValue(all) && chosenModels.Length > 0)
            {
                throw new CliUsageException("--all and --model choose the models both: give one of them");
            }

            if (parse.GetResult(runs) is { Implicit: false } && ModelRuntimes.IsBoard(parse.GetValue(runtime)!))
            {
                throw new CliUsageException("--runs applies to --runtime nanoclr and nanoclr-native; on an emulated board one timed Invoke gives the exact instruction count");
            }

            var (native, cmsisNn) = BoardKernelsOption.Resolve(parse, kernels, parse.GetValue(runtime));
            BoardClock? estimateFor = null;
            if (parse.GetValue(boardClock) is { } boardName)
            {
                estimateFor = BoardClock.Find(boardName);
                if (estimateFor.Runtime != parse.GetValue(runtime))
                {
                    throw new CliUsageException($"--board {estimateFor.Name} is a {estimateFor.Runtime} board: use it with --runtime {estimateFor.Runtime}");
                }
            }

            // nanoclr-native with --per-op: the nanoclr tables on the native nanoCLR (NativeBench compares whole models only).
            if (parse.GetValue(runtime) is { } runtimeName
                && (runtimeName == ModelRuntimes.NanoClr || ModelRuntimes.IsBoard(runtimeName) || (runtimeName == ModelRuntimes.NanoClrNative && parse.GetValue(perOp))))
            {
                bool board = ModelRuntimes.IsBoard(runtimeName);
                if (chosenModels.Length == 0 && !parse.GetValue(all) && !parse.GetValue(ops))
                {
                    chosenModels = NanoClrDefaultModels;
                }

                return BenchNanoClr(console, root.FullName, golden, chosenModels, parse.GetValue(ops), ModelRuntimes.NanoClrOptions(runtimeName, new NanoClrOptions
                {
                    KitDirectory = parse.GetValue(kit)?.FullName,
                    NanoClrPath = parse.GetValue(nanoclr)?.FullName,
                    NativeKernels = native,
                    CmsisNn = cmsisNn,
                    Progress = console.Interactive || board ? message => console.Error.WriteLine(message) : null,
                }), parse.GetValue(perOp), parse.GetValue(json), CliOptions.ToTableFormat(parse.GetValue(format)), parse.GetResult(runs) is { Implicit: false } ? parse.GetValue(runs) : null, estimateFor);
            }

            if (parse.GetValue(perOp))
            {
                throw new CliUsageException("--per-op needs --runtime nanoclr, nanoclr-native, cortex-m7 or cortex-m4");
            }

            if (!Directory.Exists(golden))
            {
                throw new CliUsageException($"no golden folder at {golden} (pass --shared)");
            }

            var selected = parse.GetValue(models) is { Length: > 0 } chosen
                ? chosen
                : Directory.GetDirectories(golden).Select(Path.GetFileName).Select(n => n!)
                    .Where(n => !NotInt8.Contains(n) && !n.EndsWith("_stream", StringComparison.Ordinal) && (parse.GetValue(ops) || !n.StartsWith("op_", StringComparison.Ordinal)))
                    .Order(StringComparer.Ordinal).ToArray();
            var w = console.Out;
            if (parse.GetValue(runtime) == ModelRuntimes.NanoClrNative)
            {
                NativeBench.Run(console, root.FullName, selected, Math.Max(1, parse.GetValue(runs)), name => FindModel(root.FullName, name));
                return 0;
            }

            string[] columns = ["model", ">MACs", ">ms/invoke", ">MAC/s", ">arena B", ">TFLM arena B", ">lower bound B", ">arena/bound", ">.nq B", ">.tflite B", ">alloc/invoke B"];
            string[] headers = versusModels.Length == 0 ? columns : [.. columns, "versus", ">versus ms/invoke", ">time ÷ versus", ">range"];
            var table = new CliTable(headers);
            var inv = System.Globalization.CultureInfo.InvariantCulture;
            var measured = new List<BenchmarkResult>();
            var failed = new List<(string Model, string Error)>();
            var failures = new List<string>();
            using var bar = new CliProgress(console, "benchmarking", selected.Length, minimumTotal: 1);
            int done = 0;
            for (int m = 0; m < selected.Length; m++)
            {
                string name = selected[m];
                bar.Note = Path.GetFileNameWithoutExtension(name);
                bar.Report(done);
                try
                {
                    var minimumTime = TimeSpan.FromSeconds(parse.GetValue(seconds));
                    var subject = Subject(root.FullName, golden, name);
                    var r = versusModels.Length == 0
                        ? ModelBenchmark.Measure(subject.Name, subject.Path, subject.Manifest, minimumTime)
                        : ModelBenchmark.Compare(subject, Subject(root.FullName, golden, versusModels[versusModels.Length == 1 ? 0 : m]), minimumTime);
                    measured.Add(r);
                    string[] cells = [r.Model, $"{r.Macs:N0}", $"{r.MillisecondsPerInvoke:F3}", $"{r.MacsPerSecond / 1e6:F1}M", $"{r.ArenaBytes:N0}", r.TfliteMicroArenaBytes is { } tflm ? $"{tflm:N0}" : "-", $"{r.LowerBoundBytes:N0}",
                        $"{(double)r.ArenaBytes / Math.Max(1, r.LowerBoundBytes):F3}", $"{r.DeviceModelBytes:N0}", r.TfliteBytes > 0 ? $"{r.TfliteBytes:N0}" : "-", $"{r.BytesAllocatedPerInvoke}"];
                    table.Add(r.Versus is not { } v ? cells
                        : [.. cells, v.Model, $"{v.MillisecondsPerInvoke:F3}", v.Ratio.ToString("F2", inv), $"{v.RatioMin.ToString("F2", inv)}–{v.RatioMax.ToString("F2", inv)}"]);
                }
                catch (Exception e) when (e is UnsupportedModelException or NanoQuant.Host.TfLite.TfLiteFormatException or InvalidModelException)
                {
                    // The other models are still measured; the run as a whole fails.
                    table.Add([name, "not converted", .. Enumerable.Repeat("", headers.Length - 2)]);
                    failed.Add((name, e.Message));
                    failures.Add($"{name} ({e.Message})");
                }

                bar.Report(++done);
            }

            bar.Note = "";
            bar.Dispose();

            if (parse.GetValue(json))
            {
                CliJson.Write(w, new
                {
                    Models = measured.Select(r => new
                    {
                        r.Model, r.Macs, r.MillisecondsPerInvoke, r.MacsPerSecond, r.ArenaBytes, r.TfliteMicroArenaBytes, r.LowerBoundBytes,
                        r.DeviceModelBytes, r.TfliteBytes, r.BytesAllocatedPerInvoke,
                        Versus = r.Versus is not { } v ? null : new { v.Model, v.MillisecondsPerInvoke, v.Ratio, v.RatioMin, v.RatioMax, v.Rounds },
                    }),
                    Failures = failed.Select(f => new { f.Model, f.Error }),
                });
            }
            else
            {
                table.Write(w, CliOptions.ToTableFormat(parse.GetValue(format)));
            }

            if (versusModels.Length > 0 && !parse.GetValue(json))
            {
                w.WriteLine($"time ÷ versus: each model and its versus timed in alternation ({ModelBenchmark.ComparisonRounds} rounds, each model then versus then versus then model); the median round's ratio and the range of the rounds'.");
            }

            if (failures.Count > 0)
            {
                console.Error.WriteLine($"error: {failures.Count} of {selected.Length} model(s) could not be benchmarked: {string.Join("; ", failures)}");
                return CliApp.ErrorExitCode;
            }

            return 0;
        }));
        return command;
    }

    /// <summary>`bench --runtime nanoclr`: each model in its own nanoCLR process, paired with the dot loop of that process (progress per model on stderr).</summary>
    private static int BenchNanoClr(CliConsole console, string shared, string golden, string[] chosen, bool includeOps, NanoClrOptions options, bool perOperator, bool json, TableFormat format, int? runsPerRound, BoardClock? estimateFor)
    {
        string[] names = chosen.Length > 0
            ? chosen
            : Directory.Exists(golden)
                ? Directory.GetDirectories(golden).Select(Path.GetFileName).Select(n => n!)
                    .Where(n => !NotInt8.Contains(n) && !n.StartsWith("op16_", StringComparison.Ordinal) && !n.EndsWith("_16x8", StringComparison.Ordinal)
                        && !n.EndsWith("_stream", StringComparison.Ordinal) && (includeOps || !n.StartsWith("op_", StringComparison.Ordinal)))
                    .Order(StringComparer.Ordinal).ToArray()
                : throw new CliUsageException($"no golden folder at {golden} (pass --shared or --model)");
        var models = new List<(string Name, byte[] Model)>();
        foreach (string name in names)
        {
            string path = File.Exists(name) ? name : FindModel(shared, name);
            byte[] bytes = path.EndsWith(".nq", StringComparison.OrdinalIgnoreCase) ? File.ReadAllBytes(path) : Converter.ConvertFile(path).Bytes;
            models.Add((File.Exists(name) ? Path.GetFileNameWithoutExtension(name) : name, bytes));
        }

        // One nanoCLR process per model, so that each model's figures come as it finishes (progress on stderr).
        var host = new NanoClrHost(options);
        if (host.Board is not null)
        {
            return BenchBoard(console, host, models, perOperator, json, format, estimateFor);
        }

        var rows = new List<NanoClrBenchmarkRow>();
        var baselines = new List<long>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var model in models)
        {
            var (modelRows, modelBaseline) = NanoClrBenchmark.Measure(host, [model], perOperator: perOperator, runsPerRound: runsPerRound);
            rows.AddRange(modelRows);
            baselines.Add(modelBaseline);
            console.Error.WriteLine($"[{rows.Count}/{models.Count}] {model.Name}: {modelRows[0].MillisecondsPerInvoke:F3} ms per Invoke ({clock.Elapsed.TotalSeconds:F0} s so far)");
        }

        long baseline = baselines.Count == 0 ? 0 : baselines.Order().ElementAt(baselines.Count / 2);
        var w = console.Out;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        if (json)
        {
            CliJson.Write(w, new
            {
                NanoClr = host.NanoClrPath,
                DotLoopMacsPerSecond = baseline,
                Rounds = NanoClrBenchmark.DefaultRounds,
                Models = rows.Select(r => new
                {
                    r.Model, r.Macs, r.MillisecondsPerInvoke, r.MacsPerSecond,
                    Ratio = double.IsNaN(r.Ratio) ? (double?)null : r.Ratio,
                    RatioMin = double.IsNaN(r.RatioMin) ? (double?)null : r.RatioMin,
                    RatioMax = double.IsNaN(r.RatioMax) ? (double?)null : r.RatioMax,
                    r.TimedRuns, r.ArenaBytes, r.ModelBytes,
                    Loaded = r.Mode == NanoClrLoadMode.Ram ? "ram" : "streamed",
                    Operators = r.Operators.Select(o => new
                    {
                        o.Index, o.Operator, o.Kernel, o.Macs, o.MillisecondsPerInvoke, o.Share,
                        MacsPerSecond = double.IsNaN(o.MacsPerSecond) ? (double?)null : o.MacsPerSecond,
                        Ratio = double.IsNaN(o.Ratio) ? (double?)null : o.Ratio,
                    }),
                }),
            });
            return 0;
        }

        w.WriteLine($"nanoCLR ({host.NanoClrPath}); plain unrolled int8 dot loop in the same process: {baseline / 1e6:F2}M MAC/s (median of its rounds)");
        w.WriteLine($"{NanoClrBenchmark.DefaultRounds} rounds per model, each its Invoke calls then the dot loop over as many MACs; ms/invoke, MAC/s and ratio are the median round's, 'ratio range' the lowest and highest round's.");
        w.WriteLine();
        var table = new CliTable("model", ">MACs", ">ms/invoke", ">MAC/s", ">ratio", ">ratio range", ">runs/round", ">arena B", ">.nq B", "loaded");
        foreach (var r in rows)
        {
            string rate = r.Macs > 0 ? $"{r.MacsPerSecond / 1e6:F2}M" : "-";
            string ratio = double.IsNaN(r.Ratio) ? "-" : r.Ratio.ToString("F2", inv);
            string range = double.IsNaN(r.RatioMin) ? "-" : $"{r.RatioMin.ToString("F2", inv)}–{r.RatioMax.ToString("F2", inv)}";
            table.Add(r.Model, $"{r.Macs:N0}", $"{r.MillisecondsPerInvoke:F3}", rate, ratio, range, $"{r.TimedRuns}", $"{r.ArenaBytes:N0}", $"{r.ModelBytes:N0}", r.Mode == NanoClrLoadMode.Ram ? "RAM" : "streamed");
        }

        table.Write(w, format);
        foreach (var r in rows.Where(r => r.Operators.Count > 0))
        {
            w.WriteLine();
            w.WriteLine($"{r.Model}, each operator timed alone ({r.TimedRuns} runs; ratio against the dot loop run right after):");
            w.WriteLine();
            var operators = new CliTable(">#", "operator", "kernel", ">MACs", ">ms/invoke", ">share of time", ">MAC/s", ">ratio");
            foreach (var o in r.Operators)
            {
                string rate = o.Macs > 0 && !double.IsNaN(o.MacsPerSecond) ? $"{o.MacsPerSecond / 1e6:F2}M" : "-";
                string ratio = double.IsNaN(o.Ratio) ? "-" : o.Ratio.ToString("F2", inv);
                operators.Add($"{o.Index}", o.Operator, o.Kernel, $"{o.Macs:N0}", $"{o.MillisecondsPerInvoke:F4}", $"{o.Share * 100:F1} %", rate, ratio);
            }

            operators.Write(w, format);
        }

        return 0;
    }

    /// <summary>
    /// `bench --runtime cortex-m7|cortex-m4`: every model in one boot of the emulated board, one warm-up and one
    /// timed Invoke each (QEMU's -icount: the virtual clock counts guest instructions, so one run is exact and
    /// every run gives the same count), then the plain int8 dot loop over as many MACs.
    /// </summary>
    private static int BenchBoard(CliConsole console, NanoClrHost host, List<(string Name, byte[] Model)> models, bool perOperator, bool json, TableFormat format, BoardClock? estimateFor)
    {
        var (rows, baseline) = NanoClrBenchmark.Measure(host, models, macsPerModel: 1, perOperator: perOperator, rounds: 1);
        const double perMs = NanoClrHost.InstructionsPerMillisecond;
        double loopMacsPerInstruction = baseline / (perMs * 1000);
        var w = console.Out;
        if (json)
        {
            CliJson.Write(w, new
            {
                Board = host.Board,
                Machine = NanoClrHost.Boards[host.Board!],
                Kernels = host.FirmwareKernels,
                Estimate = estimateFor is null ? null : new
                {
                    estimateFor.Name, estimateFor.Hertz, BoardClock.CyclesPerInstruction, BoardClock.CyclesPerInstructionLow, BoardClock.CyclesPerInstructionHigh,
                    Source = BoardClock.CalibrationSource,
                },
                DotLoopMacsPerInstruction = loopMacsPerInstruction,
                Models = rows.Select(r => new
                {
                    r.Model, r.Macs,
                    InstructionsPerInvoke = (long)Math.Round(r.MillisecondsPerInvoke * perMs),
                    MacsPerInstruction = r.Macs / (r.MillisecondsPerInvoke * perMs),
                    EstimatedMilliseconds = estimateFor?.EstimatedMilliseconds(r.MillisecondsPerInvoke * perMs),
                    Ratio = double.IsNaN(r.Ratio) ? (double?)null : r.Ratio,
                    r.ArenaBytes, r.ModelBytes,
                    Loaded = r.Mode == NanoClrLoadMode.Ram ? "ram" : "streamed",
                    Operators = r.Operators.Select(o => new { o.Index, o.Operator, o.Kernel, o.Macs, Instructions = (long)Math.Round(o.MillisecondsPerInvoke * perMs), o.Share }),
                }),
            });
            return 0;
        }

        w.WriteLine($"{host.Board}: nanoCLR firmware with {host.FirmwareKernels} kernels in QEMU {NanoClrHost.Boards[host.Board!]} ({host.NanoClrPath}), one virtual ns per guest instruction:");
        w.WriteLine($"instruction counts are exact to 100 (nanoCLR's 100 ns tick) and identical run to run; plain unrolled int8 dot loop: {loopMacsPerInstruction:F6} MACs per instruction.");
        if (estimateFor is not null)
        {
            w.WriteLine($"estimated ms on {estimateFor.Description}: an ESTIMATE, instructions × {BoardClock.CyclesPerInstruction} cycles per instruction "
                + $"(range {BoardClock.CyclesPerInstructionLow}–{BoardClock.CyclesPerInstructionHigh}; from {BoardClock.CalibrationSource}) ÷ {estimateFor.Hertz / 1e6:F0} MHz; measure on the board for a real time.");
        }

        w.WriteLine();
        string[] columns = ["model", ">MACs", ">instructions/invoke", ">MACs/instruction", ">ratio to dot loop", ">arena B", ">.nq B", "loaded"];
        var table = new CliTable(estimateFor is null ? columns : [.. columns, $">est. ms @ {estimateFor.Hertz / 1e6:F0} MHz"]);
        foreach (var r in rows)
        {
            double instructions = r.MillisecondsPerInvoke * perMs;
            string[] cells = [r.Model, $"{r.Macs:N0}", $"{instructions:N0}", r.Macs > 0 ? $"{r.Macs / instructions:F6}" : "-",
                double.IsNaN(r.Ratio) ? "-" : r.Ratio.ToString("F2", System.Globalization.CultureInfo.InvariantCulture), $"{r.ArenaBytes:N0}", $"{r.ModelBytes:N0}", r.Mode == NanoClrLoadMode.Ram ? "RAM" : "streamed"];
            table.Add(estimateFor is null ? cells : [.. cells, $"~{estimateFor.EstimatedMilliseconds(instructions):F1}"]);
        }

        table.Write(w, format);
        foreach (var r in rows.Where(r => r.Operators.Count > 0))
        {
            w.WriteLine();
            w.WriteLine($"{r.Model}, each operator alone:");
            w.WriteLine();
            var operators = new CliTable(">#", "operator", "kernel", ">MACs", ">instructions", ">share");
            foreach (var o in r.Operators)
            {
                operators.Add($"{o.Index}", o.Operator, o.Kernel, $"{o.Macs:N0}", $"{o.MillisecondsPerInvoke * perMs:N0}", $"{o.Share * 100:F1} %");
            }

            operators.Write(w, format);
        }

        return 0;
    }

    /// <summary>A --model or --versus: a file as given (named by its file name), or a golden name with its manifest.</summary>
    private static (string Name, string Path, string? Manifest) Subject(string shared, string golden, string name) =>
        File.Exists(name) ? (Path.GetFileNameWithoutExtension(name), name, null) : (name, FindModel(shared, name), Path.Combine(golden, name, "manifest.json"));

    private static string FindModel(string shared, string name)
    {
        foreach (string folder in new[] { "", "ops", "extra" })
        {
            string path = Path.Combine(shared, "models", folder, name + ".tflite");
            if (File.Exists(path))
            {
                return path;
            }
        }

        if (name.Contains('/') || name.Contains('\\') || Path.HasExtension(name))
        {
            throw new CliUsageException($"--model '{Path.GetFullPath(name)}' does not exist");
        }

        var known = new[] { "", "extra" }.Select(f => Path.Combine(shared, "models", f)).Where(Directory.Exists)
            .SelectMany(f => Directory.GetFiles(f, "*.tflite")).Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToList();
        string ops = Directory.Exists(Path.Combine(shared, "models", "ops")) ? $", and the single-operator models op_* of {Path.Combine(shared, "models", "ops")}" : "";
        throw new CliUsageException(known.Count == 0
            ? $"--model '{name}': no models under {Path.Combine(shared, "models")} (pass --shared, or give a .tflite or .nq file)"
            : $"--model '{name}' is not a model under {Path.Combine(shared, "models")}: known names are {string.Join(", ", known)}{ops}; or give a .tflite or .nq file");
    }
}
