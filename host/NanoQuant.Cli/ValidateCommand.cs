using System.CommandLine;
using System.Globalization;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.Evaluation;
using NanoQuant.Host.FloatReference;
using NanoQuant.Host.Quantization;
using NanoQuant.Host.Runtime;

namespace NanoQuant.Cli;

/// <summary>
/// `nanoquant validate MODEL.nq --float MODEL.tflite --input X.npy [--labels Y.npy]`: the device
/// model against the float model on the user's data — per layer SQNR, cosine, max abs error and
/// saturation (worst first), and on the outputs SQNR, top-1 agreement and, with labels, accuracy.
/// </summary>
public static class ValidateCommand
{
    public static Command Create(CliConsole console)
    {
        var model = new Argument<FileInfo>("model") { Description = "device model (.nq), or an int8 .tflite (converted in memory)" };
        var floatModel = new Option<FileInfo>("--float", "-f") { Description = "the float .tflite the device model was made from", Required = true };
        var input = new Option<FileInfo>("--input", "-i") { Description = "samples .npy [N, ...input shape without its batch of 1]: float32, or int8 (uint8 for a --io uint8 model) already quantized with the device model's input scale and zero point, or other integers with --input-scale/--input-offset", Required = true };
        var labels = new Option<FileInfo?>("--labels", "-l") { Description = "labels .npy ([N] class indices or [N, C] one-hot): adds top-1 accuracy of both models" };
        var inputScale = new Option<double?>("--input-scale") { Description = "integer input data: real = (q − offset) × scale" };
        var inputOffset = new Option<double?>("--input-offset") { Description = "integer input data: real = (q − offset) × scale" };
        var quantizationFrom = CliData.InputQuantizationFromOption();
        var count = new Option<int?>("--count") { Description = "validate on the first N samples only" };
        var json = new Option<bool>("--json") { Description = "print one JSON document (docs/cli-json.md) instead of tables" };
        var format = CliOptions.Format();
        var report = new Option<FileInfo?>("--report") { Description = "also write an HTML report: per-layer SQNR chart, memory plan, layer table" };
        var runtime = new RuntimeOptions();
        var command = new Command("validate", "Compare a device model with its float model on your data: per-layer SQNR, cosine, max error, saturation; output SQNR, top-1 agreement, accuracy")
        {
            model, floatModel, input, labels, inputScale, inputOffset, quantizationFrom, count, json, format, report,
        };
        runtime.Runtime.Description = "where the device model's outputs are also checked: dotnet (in this process only), or nanoclr, nanoclr-native, cortex-m7, cortex-m4 (the outputs there compared sample by sample with this process's; the per-layer figures always come from this process, which alone exposes every layer)";
        foreach (var option in runtime.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => console.Guard(() =>
        {
            var modelFile = parse.GetValue(model)!;
            var floatFile = parse.GetValue(floatModel)!;
            var (kind, bytes) = CliFiles.ReadAnyModel(modelFile.FullName);
            string inputPath = parse.GetValue(input)!.FullName;
            CliFiles.CheckDataFile(inputPath, "--input");
            string? labelsPath = parse.GetValue(labels)?.FullName;
            if (labelsPath is not null)
            {
                CliFiles.CheckDataFile(labelsPath, "--labels");
            }

            var encoding = CliData.Encoding(parse.GetValue(inputScale), parse.GetValue(inputOffset), parse.GetValue(quantizationFrom));

            var reportFile = parse.GetValue(report);
            if (reportFile is not null)
            {
                CliFiles.CheckOutputFile(reportFile.FullName, "--report", ".html", "an HTML report");
                if (!reportFile.Extension.Equals(".html", StringComparison.OrdinalIgnoreCase))
                {
                    throw new CliUsageException($"--report '{reportFile.FullName}' would hold an HTML report: name it {Path.GetFileNameWithoutExtension(reportFile.Name)}.html");
                }
            }

            byte[] device = kind == FileKind.TfLite ? Converter.Convert(CliFiles.ParseTfLite(modelFile.FullName, bytes)).Bytes : CliFiles.ReadDeviceModel(modelFile.FullName);
            var floatSource = CliFiles.ReadTfLite(floatFile.FullName, "--float model");
            if (!floatSource.InputTensors.All(t => t.Type == NanoQuant.Host.TfLite.TfLiteType.Float32))
            {
                throw new CliUsageException($"--float model '{floatFile.FullName}' is not a float model: give the float .tflite the device model was made from");
            }

            var reference = FloatModel.Create(floatSource);
            EvalCommand.CheckSameShapes(device, modelFile, reference, floatFile);
            var samples = CliData.LoadSamples(device, reference, inputPath, encoding);
            int classes = CliData.OutputLength(device);
            int[]? truth = labelsPath is null ? null : CliData.LoadLabels(labelsPath, inputPath, samples.SampleCount, classes);
            if (parse.GetValue(count) is { } n)
            {
                if (n < 1 || n > samples.SampleCount)
                {
                    throw new CliUsageException($"--count {n}, but the data holds {samples.SampleCount} samples: give 1..{samples.SampleCount}, or leave --count out to use them all");
                }

                samples = samples.Slice(0, n);
                truth = truth?[..n];
            }
            ValidationResult result;
            using (var bar = new CliProgress(console, "validating", samples.SampleCount))
            {
                result = ModelValidator.Validate(device, reference, samples, bar);
            }

            // Only this process exposes every layer; another runtime's outputs are checked against this process's.
            RuntimeCheck? runtimeCheck = null;
            if (runtime.Name(parse) != ModelRuntimes.DotNet)
            {
                var chosen = runtime.Create(parse, console);
                float[][] there;
                using (CliProgress.Busy(console, $"running on {chosen.Name}"))
                {
                    there = BatchRunner.RunDevice(device, samples, chosen);
                }

                // This process's outputs came with the layer comparison: the model ran here once.
                int same = Enumerable.Range(0, samples.SampleCount).Count(s => SameSample(result.DeviceOutputs, there, s, samples.SampleCount));
                runtimeCheck = new RuntimeCheck(chosen.Name, same, samples.SampleCount);
            }

            Accuracy? accuracy = truth is null ? null : new Accuracy(
                Path.GetFileName(labelsPath!),
                result.DevicePredictions.Where((p, i) => p == truth[i]).Count(),
                result.FloatPredictions.Where((p, i) => p == truth[i]).Count(),
                truth.Length);
            if (reportFile is not null)
            {
                var layers = result.Layers.OrderBy(l => l.Operator).ToList();
                var summary = result.Outputs.Select(o => $"output {o.Output}: SQNR {Metrics.FormatDb(o.Sqnr)} dB, cosine {F(o.Cosine, "F4")}, max abs error {F(o.MaxAbsError, "G4")}")
                    .Append($"top-1 agreement (output 0): {F(100 * result.Top1Agreement, "F2")}% of {result.Samples} samples ({Path.GetFileName(inputPath)})")
                    .Concat(accuracy is null ? [] : [$"accuracy ({accuracy.LabelsFile}): int8 {F(100 * accuracy.Int8Rate, "F2")}%, float {F(100 * accuracy.FloatRate, "F2")}%"])
                    .ToList();
                string html = HtmlReport.Build($"{modelFile.Name} against {floatFile.Name}", summary,
                    layers.Select(l => new HtmlReport.Bar($"{l.Operator} {l.OperatorName} {Short(l.FloatTensor)}", l.Sqnr)).ToList(),
                    NanoQuant.Host.DeviceModels.DeviceModelReader.Read(device),
                    layers.Select(l => new[] { $"{l.Operator} {l.OperatorName}", "(" + string.Join(", ", l.Shape) + ")", Metrics.FormatDb(l.Sqnr), F(l.Cosine, "F4"), F(l.MaxAbsError, "G4"), F(l.SaturatedPercent, "F2"), Short(l.FloatTensor) }).ToList(),
                    ["operator", "output shape", "SQNR dB", "cosine", "max abs error", "saturated %", "float tensor"]);
                NanoQuant.Host.IO.AtomicFile.WriteAllBytes(reportFile.FullName, System.Text.Encoding.UTF8.GetBytes(html));
            }

            if (parse.GetValue(json))
            {
                CliJson.Write(console.Out, new
                {
                    Model = modelFile.Name,
                    FloatModel = floatFile.Name,
                    Input = Path.GetFileName(inputPath),
                    result.Samples,
                    Outputs = result.Outputs.Select(o => new { o.Output, Sqnr = Db(o.Sqnr), o.Cosine, o.MaxAbsError }),
                    result.Top1Agreement,
                    Accuracy = accuracy is null ? null : new { Labels = accuracy.LabelsFile, Int8 = accuracy.Int8Rate, Float = accuracy.FloatRate, Int8Correct = accuracy.Int8Correct, FloatCorrect = accuracy.FloatCorrect, accuracy.Total },
                    Layers = result.WorstFirst.Select(l => new { l.Operator, Name = l.OperatorName, l.Shape, l.FloatOperator, l.FloatTensor, Sqnr = Db(l.Sqnr), l.Cosine, l.MaxAbsError, l.SaturatedPercent }),
                    UnmatchedOperators = result.Unmatched,
                    Runtime = runtimeCheck is null ? null : new { runtimeCheck.Name, runtimeCheck.IdenticalSamples, runtimeCheck.Samples },
                });
                return RuntimeVerdict(console, runtimeCheck);
            }

            Print(console.Out, modelFile, floatFile, inputPath, result, accuracy, CliOptions.ToTableFormat(parse.GetValue(format)));
            if (runtimeCheck is not null)
            {
                console.Out.WriteLine($"outputs on {runtimeCheck.Name}: identical to this process's on {runtimeCheck.IdenticalSamples}/{runtimeCheck.Samples} samples");
            }

            if (reportFile is not null)
            {
                console.Out.WriteLine($"wrote {reportFile.FullName}");
            }

            return RuntimeVerdict(console, runtimeCheck);
        }));
        return command;
    }

    /// <summary>Whether every output of sample <paramref name="sample"/> is the same in both runs (outputs hold the samples one after another).</summary>
    private static bool SameSample(float[][] here, float[][] there, int sample, int samples)
    {
        for (int o = 0; o < here.Length; o++)
        {
            int length = here[o].Length / samples;
            if (!here[o].AsSpan(sample * length, length).SequenceEqual(there[o].AsSpan(sample * length, length)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Another runtime's outputs against this process's: samples whose every output is the same.</summary>
    private sealed record RuntimeCheck(string Name, int IdenticalSamples, int Samples);

    /// <summary>0, or one error line and exit 1 when the other runtime's outputs differ from this process's (a runtime that is not bit-exact).</summary>
    private static int RuntimeVerdict(CliConsole console, RuntimeCheck? check)
    {
        if (check is null || check.IdenticalSamples == check.Samples)
        {
            return 0;
        }

        console.Error.WriteLine($"error: the outputs on {check.Name} differ from this process's on {check.Samples - check.IdenticalSamples} of {check.Samples} samples: the runtimes should be bit-exact");
        return CliApp.ErrorExitCode;
    }

    /// <summary>Top-1 of both models against the labels.</summary>
    private sealed record Accuracy(string LabelsFile, int Int8Correct, int FloatCorrect, int Total)
    {
        public double Int8Rate => (double)Int8Correct / Total;

        public double FloatRate => (double)FloatCorrect / Total;
    }

    /// <summary>dB for JSON: a number, or null for +∞ (identical values).</summary>
    private static double? Db(double value) => double.IsFinite(value) ? Math.Round(value, 3) : null;

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static void Print(TextWriter w, FileInfo model, FileInfo floatFile, string inputPath, ValidationResult r, Accuracy? accuracy, TableFormat format)
    {
        w.WriteLine($"{model.Name} against {floatFile.Name} on {r.Samples} samples ({Path.GetFileName(inputPath)})");
        foreach (var o in r.Outputs)
        {
            w.WriteLine($"output {o.Output}: SQNR {Metrics.FormatDb(o.Sqnr)} dB, cosine {F(o.Cosine, "F4")}, max abs error {F(o.MaxAbsError, "G4")}");
        }

        int agree = (int)Math.Round(r.Top1Agreement * r.Samples);
        w.WriteLine($"top-1 agreement (output 0): {F(100 * r.Top1Agreement, "F2")}% ({agree}/{r.Samples})");
        if (accuracy is not null)
        {
            w.WriteLine($"accuracy ({accuracy.LabelsFile}): int8 {F(100 * accuracy.Int8Rate, "F2")}% ({accuracy.Int8Correct}/{accuracy.Total}), float {F(100 * accuracy.FloatRate, "F2")}% ({accuracy.FloatCorrect}/{accuracy.Total})");
        }

        w.WriteLine("layers, worst first:");
        var table = new CliTable(">#", "operator", "output shape", ">SQNR dB", ">cosine", ">max abs error", ">saturated %", "float tensor");
        foreach (var l in r.WorstFirst)
        {
            table.Add(l.Operator.ToString(CultureInfo.InvariantCulture), l.OperatorName, "(" + string.Join(", ", l.Shape) + ")", Metrics.FormatDb(l.Sqnr),
                F(l.Cosine, "F4"), F(l.MaxAbsError, "G4"), F(l.SaturatedPercent, "F2"), Short(l.FloatTensor));
        }

        table.Write(w, format);
        if (r.Unmatched.Count > 0)
        {
            w.WriteLine($"operators {string.Join(", ", r.Unmatched)} match no float tensor by size and are checked only through the layers after them");
        }
    }

    private static string Short(string name)
    {
        string first = name.Split(';')[0];
        return first.Length <= 48 ? first : first[..47] + "…";
    }
}
