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
        var runtime = new Option<string>("--runtime") { Description = "one method and one table for all: dotnet (in this process: wall clock for --seconds), nanoclr (nanoFramework's real interpreter: ms per Invoke, MAC/s and the ratio to a plain int8 dot loop in the same process) nanoclr-native (the same measurement on a nanoCLR built with the native kernels: its ratio ÷ nanoclr's is the native speed-up; built on first use, then cached), or cortex-m7 / cortex-m4 (nanoCLR firmware on an emulated board in QEMU: instructions per Invoke, exact, and MACs per instruction)", DefaultValueFactory = _ => ModelRuntimes.DotNet };
        runtime.AcceptOnlyFromAmong([.. ModelRuntimes.Names]);
        var nanoclr = new Option<FileInfo>("--nanoclr") { Description = $"nanoCLR executable for --runtime nanoclr, e.g. your own build (default: ${NanoClrOptions.NanoClrVariable}, else the kit's bin/nanoclr)" };
        var kit = new Option<DirectoryInfo>("--nanoclr-kit") { Description = $"nanoCLR kit folder for --runtime nanoclr (default: ${NanoClrOptions.KitVariable}, else ../shared/nanoclr beside the repository)" };
        var ops = new Option<bool>("--include-ops") { Description = "also the single-operator models op_*" };
        var all = new Option<bool>("--all") { Description = "on nanoCLR and the emulated boards: every int8 golden instead of the default set (the MLPerf Tiny models and TFLite Micro's examples); takes long, see docs/benchmarks.md" };
        var seconds = new Option<double>("--seconds") { Description = "minimum timing per model", DefaultValueFactory = _ => 1.0 };
        var runs = new Option<int>("--runs") { Description = $"timed Invoke calls per round on the Linux nanoCLR (nanoclr, nanoclr-native; default: enough for about {NanoClrBenchmark.MacsPerRound / 1_000_000} M MACs)", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "print one JSON document (docs/cli-json.md) instead of a table" };
        var kernels = BoardKernelsOption.Create();
        var boardClock = new Option<string>("--board") { Description = $"with --runtime cortex-m7|cortex-m4: also an estimated time per Invoke on this board ({string.Join(", ", BoardClock.All.Select(b => b.Name))}): the exact instruction count times {BoardClock.CyclesPerInstruction} cycles per instruction (calibrated against MLPerf Tiny v1.0 on a Cortex-M4) at the board's clock — an estimate, not a measurement" };
        var perOp = new Option<bool>("--per-op") { Description = "also time each operator alone (a table per model: ms or instructions per Invoke, share of the time, on nanoCLR the ratio to the dot loop, and the kernel that ran it: managed, native, or the vendor library the native build's rule table picked, cmsis-nn)" };
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

            if (ModelRuntimes.RunsInProcess(parse.GetValue(runtime)!) && parse.GetValue(all))
            {
                throw new CliUsageException($"--all applies to --runtime {string.Join(", ", ModelRuntimes.Names.Where(n => !ModelRuntimes.RunsInProcess(n)))} (with --runtime dotnet every int8 golden is the default)");
            }

            if (parse.GetValue(all) && chosenModels.Length > 0)
            {
                throw new CliUsageException("--all and --model choose the models both: give one of them");
            }

            if (parse.GetResult(runs) is { Implicit: false } && ModelRuntimes.IsBoard(parse.GetValue(runtime)!))
            {
                throw new CliUsageException("--runs applies to --runtime nanoclr and nanoclr-native; on an emulated board one timed Invoke gives the exact instruction count");
            }

            string runtimeName = parse.GetValue(runtime)!;
            var (native, cmsisNn) = BoardKernelsOption.Resolve(parse, kernels, runtimeName);
            BoardClock? estimateFor = null;
            if (parse.GetValue(boardClock) is { } boardName)
            {
                estimateFor = BoardClock.Find(boardName);
                if (estimateFor.Runtime != runtimeName)
                {
                    throw new CliUsageException($"--board {estimateFor.Name} is a {estimateFor.Runtime} board: use it with --runtime {estimateFor.Runtime}");
                }
            }

            bool inProcess = ModelRuntimes.RunsInProcess(runtimeName);
            string[] selected = chosenModels.Length > 0 ? chosenModels
                : !inProcess && !parse.GetValue(all) && !parse.GetValue(ops) ? NanoClrDefaultModels
                : DefaultModels(golden, parse.GetValue(ops), nanoClr: !inProcess);

            // Each model loaded (converted) here: one that fails is a row 'not converted', the others are still measured.
            var loaded = new List<BenchmarkModel>();
            var failed = new List<(string Model, string Error)>();
            for (int m = 0; m < selected.Length; m++)
            {
                try
                {
                    loaded.Add(Load(root.FullName, golden, selected[m]) with
                    {
                        Versus = versusModels.Length == 0 ? null : Load(root.FullName, golden, versusModels[versusModels.Length == 1 ? 0 : m]),
                    });
                }
                catch (Exception e) when (e is UnsupportedModelException or NanoQuant.Host.TfLite.TfLiteFormatException or InvalidModelException)
                {
                    failed.Add((selected[m], e.Message));
                }
            }

            bool board = ModelRuntimes.IsBoard(runtimeName);
            var chosenRuntime = ModelRuntimes.Create(runtimeName, new NanoClrOptions
            {
                KitDirectory = parse.GetValue(kit)?.FullName,
                NanoClrPath = parse.GetValue(nanoclr)?.FullName,
                NativeKernels = native,
                CmsisNn = cmsisNn,
                Progress = console.Interactive || board ? message => console.Error.WriteLine(message) : null,
            });
            var settings = new BenchmarkSettings
            {
                MinimumTime = TimeSpan.FromSeconds(parse.GetValue(seconds)),
                RunsPerRound = parse.GetResult(runs) is { Implicit: false } ? parse.GetValue(runs) : null,
                PerOperator = parse.GetValue(perOp),
            };

            BenchmarkReport report;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            using (var bar = new CliProgress(console, "benchmarking", loaded.Count, minimumTotal: 1))
            {
                bar.Report(0);
                report = ModelBenchmark.Run(chosenRuntime, loaded, settings, (m, row) =>
                {
                    bar.Report(m + 1);
                    if (!inProcess)
                    {
                        // nanoCLR takes minutes: a line per model on stderr as it finishes.
                        string cost = row.InstructionsPerInvoke is { } count ? $"{count:N0} instructions" : $"{row.MillisecondsPerInvoke:F3} ms";
                        console.Error.WriteLine($"[{m + 1}/{loaded.Count}] {row.Model}: {cost} per Invoke ({clock.Elapsed.TotalSeconds:F0} s so far)");
                    }
                });
            }

            var host = (chosenRuntime as NanoClrRuntime)?.Host;
            var where = new BenchReportWriter.Where(host?.NanoClrPath, host?.Board, host?.Board is { } b ? NanoClrHost.Boards[b] : null, host?.Board is null ? null : host.FirmwareKernels, estimateFor);
            if (parse.GetValue(json))
            {
                BenchReportWriter.WriteJson(console.Out, report, where, failed);
            }
            else
            {
                BenchReportWriter.WriteTable(console.Out, report, where, failed.Select(f => f.Model), CliOptions.ToTableFormat(parse.GetValue(format)));
            }

            if (failed.Count > 0)
            {
                console.Error.WriteLine($"error: {failed.Count} of {selected.Length} model(s) could not be benchmarked: {string.Join("; ", failed.Select(f => $"{f.Model} ({f.Error})"))}");
                return CliApp.ErrorExitCode;
            }

            return 0;
        }));
        return command;
    }

    /// <summary>
    /// Every int8 golden (with --include-ops also op_*); on nanoCLR (--all) without the 16x8 ones, which the default set
    /// leaves out too.
    /// </summary>
    private static string[] DefaultModels(string golden, bool includeOps, bool nanoClr) =>
        !Directory.Exists(golden) ? throw new CliUsageException($"no golden folder at {golden} (pass --shared{(nanoClr ? " or --model" : "")})")
        : Directory.GetDirectories(golden).Select(Path.GetFileName).Select(n => n!)
            .Where(n => !NotInt8.Contains(n) && !n.EndsWith("_stream", StringComparison.Ordinal) && (includeOps || !n.StartsWith("op_", StringComparison.Ordinal))
                && (!nanoClr || (!n.StartsWith("op16_", StringComparison.Ordinal) && !n.EndsWith("_16x8", StringComparison.Ordinal))))
            .Order(StringComparer.Ordinal).ToArray();

    /// <summary>A --model or --versus: a file as given (named by its file name), or a golden name with its manifest.</summary>
    private static BenchmarkModel Load(string shared, string golden, string name) =>
        File.Exists(name) ? BenchmarkModel.Load(Path.GetFileNameWithoutExtension(name), name)
        : BenchmarkModel.Load(name, FindModel(shared, name), Path.Combine(golden, name, "manifest.json"));

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
