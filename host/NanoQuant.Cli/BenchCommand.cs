using System.CommandLine;
using NanoQuant.Host.Benchmarks;
using NanoQuant.Host.Conversion;

namespace NanoQuant.Cli;

/// <summary>`nanoquant bench`: speed, arena and size figures for every int8 golden model (prints a Markdown table).</summary>
public static class BenchCommand
{
    private static readonly string[] NotInt8 =
        ["trained_lstm", "hello_world_float", "vww_96_float", "pretrainedResnet_float", "ad01_fp32"];

    public static Command Create(CliConsole console)
    {
        var shared = new Option<DirectoryInfo>("--shared") { Description = "the shared resources folder (models/, golden/)", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("..", "shared")) };
        var models = new Option<string[]>("--model", "-m") { Description = "only these golden models (default: all int8 goldens)" };
        var ops = new Option<bool>("--include-ops") { Description = "also the single-operator models op_*" };
        var seconds = new Option<double>("--seconds") { Description = "minimum timing per model", DefaultValueFactory = _ => 1.0 };
        var runtime = new Option<string>("--runtime") { Description = "dotnet (this process), or nanoclr-native: on nanoCLR with the native kernels (built on first use, then cached) next to the managed kernels on the kit's nanoCLR and the plain int8 dot loop", DefaultValueFactory = _ => "dotnet" };
        runtime.AcceptOnlyFromAmong("dotnet", "nanoclr-native");
        var runs = new Option<int>("--runs") { Description = "timed Invoke calls per model on nanoCLR", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "print one JSON document (docs/cli-json.md) instead of a table" };
        var format = CliOptions.Format();
        var command = new Command("bench", "Benchmark the device runtime on the golden models: time, MAC/s, arena vs TFLite Micro, sizes, allocations") { shared, models, ops, seconds, runtime, runs, json, format };
        command.SetAction(parse => console.Guard(() =>
        {
            var root = parse.GetValue(shared)!;
            string golden = Path.Combine(root.FullName, "golden");
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
            if (parse.GetValue(runtime) == "nanoclr-native")
            {
                NativeBench.Run(console, root.FullName, selected, Math.Max(1, parse.GetValue(runs)), name => FindModel(root.FullName, name));
                return 0;
            }

            var table = new CliTable("model", ">MACs", ">ms/invoke", ">MAC/s", ">arena B", ">TFLM arena B", ">lower bound B", ">arena/bound", ">.nq B", ">.tflite B", ">alloc/invoke B");
            var measured = new List<BenchmarkResult>();
            var failed = new List<(string Model, string Error)>();
            var failures = new List<string>();
            foreach (string name in selected)
            {
                string tflite = FindModel(root.FullName, name);
                try
                {
                    var r = ModelBenchmark.Measure(name, tflite, Path.Combine(golden, name, "manifest.json"), TimeSpan.FromSeconds(parse.GetValue(seconds)));
                    measured.Add(r);
                    table.Add(r.Model, $"{r.Macs:N0}", $"{r.MillisecondsPerInvoke:F3}", $"{r.MacsPerSecond / 1e6:F1}M", $"{r.ArenaBytes:N0}", $"{r.TfliteMicroArenaBytes:N0}", $"{r.LowerBoundBytes:N0}",
                        $"{(double)r.ArenaBytes / Math.Max(1, r.LowerBoundBytes):F3}", $"{r.DeviceModelBytes:N0}", $"{r.TfliteBytes:N0}", $"{r.BytesAllocatedPerInvoke}");
                }
                catch (Exception e) when (e is UnsupportedModelException or NanoQuant.Host.TfLite.TfLiteFormatException or InvalidModelException)
                {
                    // The other models are still measured; the run as a whole fails.
                    table.Add(name, "not converted", "", "", "", "", "", "", "", "", "");
                    failed.Add((name, e.Message));
                    failures.Add($"{name} ({e.Message})");
                }
            }

            if (parse.GetValue(json))
            {
                CliJson.Write(w, new
                {
                    Models = measured.Select(r => new
                    {
                        r.Model, r.Macs, r.MillisecondsPerInvoke, r.MacsPerSecond, r.ArenaBytes, r.TfliteMicroArenaBytes, r.LowerBoundBytes,
                        r.DeviceModelBytes, r.TfliteBytes, r.BytesAllocatedPerInvoke,
                    }),
                    Failures = failed.Select(f => new { f.Model, f.Error }),
                });
            }
            else
            {
                table.Write(w, CliOptions.ToTableFormat(parse.GetValue(format)));
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

        throw new CliUsageException($"no model file for golden '{name}' under {shared}/models");
    }
}
