using System.CommandLine;
using NanoQuant.Host.Benchmarks;
using NanoQuant.Host.Quantization;

namespace NanoQuant.Cli;

/// <summary>`nanoquant bench-quantize`: time to calibrate and convert each MLPerf Tiny float model (prints a Markdown table).</summary>
public static class BenchQuantizeCommand
{
    public static Command Create(CliConsole console)
    {
        var shared = new Option<DirectoryInfo>("--shared") { Description = "the shared resources folder (models/, data/)", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("..", "shared")) };
        var models = new Option<string[]>("--model", "-m") { Description = "only these float models (default: the MLPerf Tiny float models)" };
        var samples = new Option<int>("--samples") { Description = "calibration samples per model", DefaultValueFactory = _ => 200 };
        var method = new Option<string>("--method") { Description = "range method: auto (default), minmax, percentile, mse", DefaultValueFactory = _ => "auto" };
        method.AcceptOnlyFromAmong("auto", "minmax", "percentile", "mse");
        var format = CliOptions.Format();
        var command = new Command("bench-quantize", "Time full-integer post-training quantization (load, calibrate, quantize, convert) of each MLPerf Tiny float model")
        {
            shared, models, samples, method, format,
        };
        command.SetAction(parse => console.Guard(() =>
        {
            var root = parse.GetValue(shared)!;
            if (!Directory.Exists(Path.Combine(root.FullName, "models")))
            {
                throw new CliUsageException($"no models folder under {root.FullName} (pass --shared)");
            }

            int count = parse.GetValue(samples);
            if (count < 1)
            {
                throw new CliUsageException("--samples must be at least 1");
            }

            var options = new CalibrationOptions(parse.GetValue(method) switch { "percentile" => CalibrationMethod.Percentile, "mse" => CalibrationMethod.Mse, "minmax" => CalibrationMethod.MinMax, _ => CalibrationMethod.Auto });
            var selected = parse.GetValue(models) is { Length: > 0 } chosen ? chosen : ReferenceDatasets.MlperfFloatModels;
            var w = console.Out;
            w.WriteLine($"{Environment.ProcessorCount} cores, {options.Describe()}");
            var table = new CliTable("model", ">samples", "calibration data", ">load ms", ">calibrate ms", ">quantize ms", ">convert ms", ">total s");
            var failures = new List<string>();
            foreach (string name in selected)
            {
                var r = QuantizationBenchmark.Measure(name, root.FullName, count, options);
                string convert = r.Conversion is { } c ? $"{c.TotalMilliseconds:F0}" : "n/a";
                table.Add(r.Model, $"{r.Samples}", ReferenceDatasets.Describe(name), $"{r.Load.TotalMilliseconds:F0}", $"{r.Calibration.TotalMilliseconds:F0}", $"{r.Quantization.TotalMilliseconds:F0}", convert, $"{r.Total.TotalSeconds:F2}");
                if (r.Failure is not null)
                {
                    failures.Add($"{name} ({r.Failure})");
                }
            }

            table.Write(w, CliOptions.ToTableFormat(parse.GetValue(format)));
            if (failures.Count > 0)
            {
                console.Error.WriteLine($"error: {failures.Count} of {selected.Length} model(s) failed to convert: {string.Join("; ", failures)}");
                return CliApp.ErrorExitCode;
            }

            return 0;
        }));
        return command;
    }
}
