using System.CommandLine;
using System.Globalization;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.Evaluation;
using NanoQuant.Host.FloatReference;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Quantization;
using NanoQuant.Host.Runtime;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Cli;

/// <summary>
/// `nanoquant eval MODEL.nq --input X.npy --labels Y.npy [--float MODEL_float.tflite]`: top-1
/// accuracy of a device model through the device runtime, and side by side of the float model
/// through the float reference.
/// </summary>
public static class EvalCommand
{
    public static Command Create(CliConsole console)
    {
        var model = new Argument<FileInfo>("model") { Description = "device model (.nq), or an int8 .tflite (converted in memory), or a float .tflite (float reference only)" };
        var input = new Option<FileInfo>("--input", "-i") { Description = "samples .npy [N, ...input shape without its batch of 1]: float32, or int8 (uint8 for a --io uint8 model) already quantized with the device model's input scale and zero point, or other integers with --input-scale/--input-offset", Required = true };
        var labels = new Option<FileInfo>("--labels", "-l") { Description = "labels .npy: [N] class indices or [N, C] one-hot", Required = true };
        var floatModel = new Option<FileInfo?>("--float", "-f") { Description = "the float .tflite the device model was made from, evaluated side by side" };
        var inputScale = new Option<double?>("--input-scale") { Description = "integer input data: real = (q − offset) × scale" };
        var inputOffset = new Option<double?>("--input-offset") { Description = "integer input data: real = (q − offset) × scale" };
        var quantizationFrom = CliData.InputQuantizationFromOption();
        var skip = new Option<int>("--skip") { Description = "skip the first N samples (e.g. those used for calibration)", DefaultValueFactory = _ => 0 };
        var count = new Option<int?>("--count") { Description = "evaluate at most N samples" };
        var json = new Option<bool>("--json") { Description = "print one JSON document (docs/cli-json.md) instead of a table" };
        var format = CliOptions.Format();
        var runtime = new RuntimeOptions();
        var command = new Command("eval", "Top-1 accuracy of a model on labelled data, int8 and float side by side")
        {
            model, input, labels, floatModel, inputScale, inputOffset, quantizationFrom, skip, count, json, format,
        };
        foreach (var option in runtime.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => console.Guard(() =>
        {
            var modelFile = parse.GetValue(model)!;
            var floatFile = parse.GetValue(floatModel);
            var (kind, bytes) = CliFiles.ReadAnyModel(modelFile.FullName);
            CliFiles.CheckDataFile(parse.GetValue(input)!.FullName, "--input");
            CliFiles.CheckDataFile(parse.GetValue(labels)!.FullName, "--labels");

            var encoding = CliData.Encoding(parse.GetValue(inputScale), parse.GetValue(inputOffset), parse.GetValue(quantizationFrom));

            // What to evaluate: a device model, and/or a float model.
            byte[]? device = null;
            FloatModel? reference = null;
            if (kind == FileKind.TfLite)
            {
                var tflite = CliFiles.ParseTfLite(modelFile.FullName, bytes);
                if (tflite.InputTensors.All(t => t.Type == TfLiteType.Float32) && tflite.Operators.All(o => o.Code != BuiltinOperator.Quantize))
                {
                    reference = FloatModel.Create(tflite);
                }
                else
                {
                    device = Converter.Convert(tflite).Bytes;
                }
            }
            else
            {
                device = CliFiles.ReadDeviceModel(modelFile.FullName);
            }

            if (device is null && runtime.Name(parse) != ModelRuntimes.DotNet)
            {
                throw new CliUsageException($"--runtime {runtime.Name(parse)} runs a device model, and '{modelFile.Name}' is a float model (evaluated by the float reference in this process): give its .nq, or leave --runtime out");
            }

            if (floatFile is not null)
            {
                var floatSource = CliFiles.ReadTfLite(floatFile.FullName, "--float model");
                if (!floatSource.InputTensors.All(t => t.Type == TfLiteType.Float32))
                {
                    throw new CliUsageException($"--float model '{floatFile.FullName}' is not a float model (its inputs are {string.Join(", ", floatSource.InputTensors.Select(t => t.Type.ToString().ToLowerInvariant()))}): give the float .tflite the device model was made from");
                }

                reference = FloatModel.Create(floatSource);
                if (device is not null)
                {
                    CheckSameShapes(device, modelFile, reference, floatFile);
                }
            }

            var inputPath = parse.GetValue(input)!.FullName;
            var samples = CliData.LoadSamples(device, reference, inputPath, encoding);
            int classes = device is not null ? CliData.OutputLength(device) : reference!.Model.Tensors[reference.Model.Outputs[0]].ElementCount;
            var allLabels = CliData.LoadLabels(parse.GetValue(labels)!.FullName, inputPath, samples.SampleCount, classes);

            int first = parse.GetValue(skip);
            int available = samples.SampleCount - first;
            int? wanted = parse.GetValue(count);
            if (first < 0)
            {
                throw new CliUsageException($"--skip must be 0 or more (the samples to leave out at the start), not {first}");
            }

            if (available < 1)
            {
                throw new CliUsageException($"--skip {first} leaves no samples: the data holds {samples.SampleCount}; give 0..{samples.SampleCount - 1}");
            }

            if (wanted is < 1 || wanted > available)
            {
                throw new CliUsageException($"--count {wanted}, but {(first > 0 ? $"after --skip {first} " : "")}the data holds {available} samples: give 1..{available}, or leave --count out to use them all");
            }

            int take = wanted ?? available;

            samples = samples.Slice(first, take);
            var selectedLabels = allLabels.AsSpan(first, take).ToArray();
            var results = new List<Top1Result>();
            string precision = "int8";
            if (device is not null)
            {
                var probe = new Interpreter(device);
                precision = probe.GetInput(0).Type == Format.TensorType.Int16 || probe.GetOutput(0).Type == Format.TensorType.Int16 ? "16x8" : "int8";
                var chosen = runtime.Create(parse, console);
                using var bar = chosen.InProcess ? new CliProgress(console, precision == "int8" ? "int8 " : "16x8 ", take) : CliProgress.Busy(console, $"{precision} on {chosen.Name}");
                results.Add(Top1Evaluator.Device(modelFile.Name + $" ({precision})", device, samples, selectedLabels, chosen, bar));
            }

            if (reference is not null)
            {
                using var bar = new CliProgress(console, "float", take);
                results.Add(Top1Evaluator.Float((floatFile ?? modelFile).Name + " (float)", reference, samples, selectedLabels, bar));
            }

            int? agree = results.Count == 2 ? results[0].Predictions.Where((p, i) => p == results[1].Predictions[i]).Count() : null;
            double? sqnr = results.Count == 2 ? Metrics.Sqnr(results[1].Outputs, results[0].Outputs) : null;
            if (parse.GetValue(json))
            {
                CliJson.Write(console.Out, new
                {
                    Input = Path.GetFileName(inputPath),
                    First = first,
                    Samples = take,
                    Models = results.Select(r => new { Name = r.Model, Kind = ReferenceEquals(r, results[0]) && device is not null ? precision : "float", r.Accuracy, r.Correct, r.Total }),
                    Agreement = agree,
                    OutputSqnr = sqnr is { } db && double.IsFinite(db) ? Math.Round(db, 3) : (double?)null,
                });
                return 0;
            }

            var w = console.Out;
            w.WriteLine($"{take} samples ({Path.GetFileName(inputPath)} {first}..{first + take - 1})");
            var table = new CliTable("model", ">top-1", ">correct");
            foreach (var r in results)
            {
                table.Add(r.Model, $"{(100 * r.Accuracy).ToString("F2", CultureInfo.InvariantCulture)}%", $"{r.Correct}/{r.Total}");
            }

            table.Write(w, CliOptions.ToTableFormat(parse.GetValue(format)));
            if (agree is not null)
            {
                w.WriteLine($"{precision} and float agree on {agree}/{take} samples; output SQNR {precision} vs float {Metrics.FormatDb(sqnr!.Value)} dB");
            }

            return 0;
        }));
        return command;
    }

    /// <summary>The float model must take and give what the device model does; checked before any sample runs.</summary>
    internal static void CheckSameShapes(byte[] device, FileInfo deviceFile, FloatModel reference, FileInfo floatFile)
    {
        using var interpreter = new Interpreter(device);
        var floatInputs = reference.Model.InputTensors.ToList();
        string Shape(int[] shape) => "(" + string.Join(", ", shape) + ")";
        string mismatch = $"--float model '{floatFile.Name}' does not fit device model '{deviceFile.Name}'";
        if (floatInputs.Count != interpreter.InputCount || reference.Model.Outputs.Length != interpreter.OutputCount)
        {
            throw new CliUsageException($"{mismatch}: {floatInputs.Count} input(s) and {reference.Model.Outputs.Length} output(s) against {interpreter.InputCount} and {interpreter.OutputCount}: give the float .tflite the device model was made from");
        }

        for (int i = 0; i < floatInputs.Count; i++)
        {
            if (!floatInputs[i].Shape.SequenceEqual(interpreter.GetInput(i).GetShape()))
            {
                throw new CliUsageException($"{mismatch}: input {i} is {Shape(floatInputs[i].Shape)} in the float model and {Shape(interpreter.GetInput(i).GetShape())} in the device model: give the float .tflite the device model was made from");
            }
        }

        for (int o = 0; o < interpreter.OutputCount; o++)
        {
            var floatOutput = reference.Model.Tensors[reference.Model.Outputs[o]];
            if (floatOutput.ElementCount != interpreter.GetOutput(o).Length)
            {
                throw new CliUsageException($"{mismatch}: output {o} is {Shape(floatOutput.Shape)} in the float model and {Shape(interpreter.GetOutput(o).GetShape())} in the device model: give the float .tflite the device model was made from");
            }
        }
    }
}
