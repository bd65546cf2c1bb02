using System.CommandLine;
using System.Globalization;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.DeviceModels;
using NanoQuant.Host.IO;
using NanoQuant.Host.Quantization;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Cli;

/// <summary>
/// `nanoquant convert MODEL.tflite -o MODEL.nq`: an int8 TFLite model → device model; with
/// `--calibration DATA.npy`, a float model is first quantized (full-integer post-training
/// quantization). Nothing is written unless every step succeeded.
/// </summary>
public static class ConvertCommand
{
    public static Command Create(CliConsole console)
    {
        var model = new Argument<FileInfo>("model") { Description = "TensorFlow Lite model (.tflite): int8, or float/hybrid with --calibration" };
        var output = new Option<FileInfo>("--output", "-o") { Description = "device model to write (.nq)", Required = true };
        var calibration = new Option<string[]>("--calibration", "-c")
        {
            Description = "representative dataset for a float model: .npy of shape [N, ...input shape without its batch of 1] (float32, or integers with --input-scale/--input-offset), or a folder of such .npy files; once per model input, in order",
            AllowMultipleArgumentsPerToken = false,
        };
        var method = new Option<string>("--method") { Description = "how activation ranges are chosen: auto (default: quantizes with minmax and with mse ranges and keeps minmax unless mse's output SQNR against the float model over the calibration data is at least 3 dB higher; both figures are printed), minmax (TFLite's default), percentile (clips outliers beyond --percentile), mse (least squared error)", DefaultValueFactory = _ => "auto" };
        method.AcceptOnlyFromAmong("auto", "minmax", "percentile", "mse");
        var percentile = new Option<double>("--percentile") { Description = "for --method percentile: the share of values kept inside the range, in percent", DefaultValueFactory = _ => 99.99 };
        var samples = new Option<int?>("--samples") { Description = "use only the first N samples of the calibration data" };
        var inputScale = new Option<double?>("--input-scale") { Description = "integer calibration data: real = (q − offset) × scale" };
        var inputOffset = new Option<double?>("--input-offset") { Description = "integer calibration data: real = (q − offset) × scale" };
        var quantizationFrom = CliData.InputQuantizationFromOption();
        var perChannelFc = new Option<bool>("--per-channel-fc") { Description = "quantize FULLY_CONNECTED weights per output channel (default: per tensor, as TFLite)" };
        var io = new Option<string?>("--io") { Description = "int8 (default with int8 activations) or int16 (default with --activations int16): the model takes and gives integers of the activation type; float: keeps float32 input/output with QUANTIZE/DEQUANTIZE at the edges; uint8 (int8 models and int8 activations): uint8 input/output (zero point + 128, same scale) as TFLite's inference_input_type=tf.uint8, for camera pixels and the like" };
        io.AcceptOnlyFromAmong("int8", "int16", "float", "uint8");
        var activations = new Option<string>("--activations") { Description = "int8 (default, full int8) or int16 (16x8: int16 activations, int8 weights, int64 biases, as TFLite's 16x8 mode)", DefaultValueFactory = _ => "int8" };
        activations.AcceptOnlyFromAmong("int8", "int16");
        var compareInt8 = new Option<bool>("--compare-int8") { Description = "with --activations int16 and --report: also measure the int8 model of the same ranges and show its SQNR beside the 16x8 one, layer by layer" };
        var noBiasCorrection = new Option<bool>("--no-bias-correction") { Description = "with --activations int16: keep TFLite's 16x8 biases as they are (by default each hidden convolution's and FULLY_CONNECTED's bias is corrected for the mean shift its int8 weights' rounding causes; the output layer's is left as it is)" };
        var calibrateInput = new Option<bool>("--calibrate-input-range") { Description = "quantize the model input from its calibrated range even when integer data states its own scale and offset" };
        var report = new Option<FileInfo?>("--report") { Description = "write a per-layer report over the calibration data (scale, zero point, float-vs-int8 SQNR of every layer): Markdown, or HTML with an SQNR chart and the memory plan when the name ends in .html" };
        var saveTflite = new Option<FileInfo?>("--save-tflite") { Description = "also write the quantized int8 model as a .tflite" };
        var cluster = new Option<int?>("--cluster") { Description = "cluster the weights of every CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED into at most N values per output channel (2 … 128; 16 gives 4-bit palette weights): smaller model, some accuracy lost" };
        var clusterPerTensor = new Option<bool>("--cluster-per-tensor") { Description = "with --cluster: one set of N values per weight tensor, shared by all its channels (one table: smaller, less accurate) instead of one per output channel" };
        var clusterMethod = ClusterMethodOption.Create();
        var noPalette = new Option<bool>("--no-palette") { Description = "store every int8 constant as plain bytes (by default constants with few distinct values are stored losslessly as palettes)" };
        var flagZeros = new Option<bool>("--flag-zeros") { Description = "palettes may store each zero weight as one bit (format version 4, read by nanoQuant 4 and later): for pruned models, such as finetune --prune writes" };
        var compact = new Option<bool>("--compact") { Description = "store int32 constants narrow (1–3 bytes when their values fit) and let the device derive folded convolution biases at load: lossless, smaller; always on with --cluster" };
        var command = new Command("convert", "Convert a .tflite model into a nanoQuant device model (quantizing a float model with --calibration)")
        {
            model, output, calibration, method, percentile, samples, inputScale, inputOffset, quantizationFrom, perChannelFc, activations, io, compareInt8, noBiasCorrection, calibrateInput, report, saveTflite, cluster, clusterPerTensor, clusterMethod, noPalette, flagZeros, compact,
        };
        command.SetAction(parse => console.Guard(() =>
        {
            var total = System.Diagnostics.Stopwatch.StartNew();
            var source = parse.GetValue(model)!;
            var target = parse.GetValue(output)!;
            var calibrationPaths = parse.GetValue(calibration) ?? [];
            var reportFile = parse.GetValue(report);
            var tfliteFile = parse.GetValue(saveTflite);
            var sourceModel = CliFiles.ReadTfLite(source.FullName);
            CliFiles.CheckOutputFile(target.FullName, "--output", ".nq", "a device model");
            if (tfliteFile is not null)
            {
                CliFiles.CheckOutputFile(tfliteFile.FullName, "--save-tflite", ".tflite", "a TensorFlow Lite model");
            }

            int? clusters = parse.GetValue(cluster);
            if (clusters is { } n && (n < 2 || n > WeightClustering.MaxClusters))
            {
                throw new CliUsageException($"--cluster must lie in [2, {WeightClustering.MaxClusters}], not {n}");
            }

            if (parse.GetValue(flagZeros) && parse.GetValue(noPalette))
            {
                throw new CliUsageException("--flag-zeros stores zeros inside palettes and --no-palette turns palettes off: give one of them");
            }

            var storage = new ConversionOptions
            {
                Palettes = parse.GetValue(noPalette) ? PaletteMode.Off : parse.GetValue(flagZeros) ? PaletteMode.WhenSmallerFlaggingZeros : PaletteMode.WhenSmaller,
                CompactConstants = parse.GetValue(compact) ? true : null,
                Clusters = clusters,
                ClusterPerTensor = parse.GetValue(clusterPerTensor),
                ClusterMethod = ClusterMethodOption.Resolve(parse, clusterMethod, clusters, calibrated: calibrationPaths.Length > 0),
            };

            if (reportFile is not null)
            {
                CliFiles.CheckOutputFile(reportFile.FullName, "--report", ".md", "a Markdown report");
                if (reportFile.Extension.ToLowerInvariant() is not (".md" or ".html"))
                {
                    throw new CliUsageException($"--report '{reportFile.FullName}': the name chooses the format: name it {Path.GetFileNameWithoutExtension(reportFile.Name)}.md (Markdown) or {Path.GetFileNameWithoutExtension(reportFile.Name)}.html (HTML)");
                }
            }

            foreach (string path in calibrationPaths)
            {
                CliFiles.CheckDataFile(path, "--calibration", folderAllowed: true);
            }

            if (calibrationPaths.Length == 0)
            {
                // Options that only steer quantization would be silently ignored for an int8 model.
                bool uint8Import = parse.GetValue(io) == "uint8";
                var quantizationOnly = new Option[] { report, saveTflite, method, percentile, samples, inputScale, inputOffset, perChannelFc, io, calibrateInput, activations, compareInt8, noBiasCorrection, quantizationFrom }
                    .Where(o => parse.GetResult(o) is { Implicit: false } && !(o == io && uint8Import) && !(o == activations && parse.GetValue(activations) == "int8"))
                    .Select(o => o.Name)
                    .ToList();
                if (quantizationOnly.Count > 0)
                {
                    bool isFloat = sourceModel.InputTensors.Any(t => t.Type == TfLiteType.Float32) && sourceModel.Operators.All(o => o.Code != BuiltinOperator.Quantize);
                    throw new CliUsageException($"{string.Join(", ", quantizationOnly)} appl{(quantizationOnly.Count == 1 ? "ies" : "y")} only when quantizing a float model with --calibration; " +
                        (isFloat ? $"'{source.Name}' is a float model: add --calibration DATA.npy" : $"'{source.Name}' is already quantized and is converted with the input and output types it has: drop {string.Join(", ", quantizationOnly)}"));
                }

                var imported = ConversionPipeline.ConvertQuantized(sourceModel, storage with { Edges = uint8Import ? ModelEdges.UInt8 : ModelEdges.Activations });
                var result = imported.Conversion;
                AtomicFile.WriteAllBytes(target.FullName, result.Bytes);
                WriteClustering(console, imported.Clustering, clusters, storage.ClusterPerTensor, storage.ClusterMethod);
                console.Out.WriteLine($"wrote {target.FullName}: {result.Bytes.Length:N0} bytes (.tflite {source.Length:N0} bytes), " +
                    $"{result.Model.Operators.Count} operators, arena {result.Plan.ArenaBytes:N0} bytes (lower bound {result.Plan.LowerBound:N0})");
                WritePalettes(console, result.Model);
                return 0;
            }

            double? scale = parse.GetValue(inputScale), offset = parse.GetValue(inputOffset);
            var fromModel = parse.GetValue(quantizationFrom);
            var encodings = calibrationPaths.Select((_, i) => CliData.Encoding(scale, offset, fromModel, i)).ToList();

            var calibrationOptions = new CalibrationOptions(
                parse.GetValue(method) switch { "percentile" => CalibrationMethod.Percentile, "mse" => CalibrationMethod.Mse, "minmax" => CalibrationMethod.MinMax, _ => CalibrationMethod.Auto },
                parse.GetValue(percentile));
            if (calibrationOptions.Method == CalibrationMethod.Percentile && !(calibrationOptions.Percentile > 50 && calibrationOptions.Percentile <= 100))
            {
                throw new CliUsageException("--percentile must lie in (50, 100]");
            }

            bool int16 = parse.GetValue(activations) == "int16";
            string edges = parse.GetValue(io) ?? (int16 ? "int16" : "int8");
            if (edges == "uint8" && int16)
            {
                throw new CliUsageException("--io uint8 goes with int8 activations (as in TFLite's converter): use --io int16 or --io float with --activations int16");
            }

            if (edges != "float" && edges != "uint8" && edges != (int16 ? "int16" : "int8"))
            {
                throw new CliUsageException($"--io {edges} does not fit --activations {(int16 ? "int16" : "int8")}: the model's integer edges have the activation type (use --io {(int16 ? "int16" : "int8")} or --io float)");
            }

            if (parse.GetValue(compareInt8) && !(int16 && reportFile is not null))
            {
                throw new CliUsageException("--compare-int8 needs --activations int16 and --report (it adds the int8 model's SQNR to the 16x8 report)");
            }

            if (parse.GetValue(noBiasCorrection) && !int16)
            {
                throw new CliUsageException("--no-bias-correction needs --activations int16 (int8 models keep TFLite's biases)");
            }

            var options = storage with
            {
                Edges = edges switch { "float" => ModelEdges.Float, "uint8" => ModelEdges.UInt8, _ => ModelEdges.Activations },
                Int16Activations = int16,
                Calibration = calibrationOptions,
                PerChannelFullyConnected = parse.GetValue(perChannelFc),
                BiasCorrection = !parse.GetValue(noBiasCorrection),
                UseDataQuantizationForInputs = !parse.GetValue(calibrateInput),
                Report = reportFile is not null,
                CompareInt8 = parse.GetValue(compareInt8),
            };

            // Every check on the model and the data comes before any work.
            var floatModel = ConversionPipeline.Prepare(sourceModel, options);
            var data = SampleSet.Load(InputSpec.Of(floatModel.Model), calibrationPaths, encodings);
            if (parse.GetValue(samples) is { } count)
            {
                if (count < 1)
                {
                    throw new CliUsageException("--samples must be at least 1");
                }

                if (count > data.SampleCount)
                {
                    throw new CliUsageException($"--samples {count}, but the calibration data holds {data.SampleCount} samples: give at most {data.SampleCount}, or leave --samples out to use them all");
                }

                data = data.Slice(0, count);
            }

            if (data.ConstantInput(out float constant) is int flat and >= 0)
            {
                throw new CliUsageException($"--calibration '{Path.GetFileName(data.Inputs[flat].Source)}': every value of model input {flat} is {constant.ToString(CultureInfo.InvariantCulture)} in all {data.SampleCount} samples; " +
                    "calibration measures the range of real inputs, so give samples that vary as the model's inputs do (a constant input would give a model that answers every input alike)");
            }

            var outcome = ConversionPipeline.Quantize(floatModel, data, options, source.Name, (step, total) => new CliProgress(console, step.PadRight("calibrating".Length), total));
            var quantization = outcome.Quantization!;
            string? reportText = null;
            if (outcome.Report is { } quantizationReport)
            {
                reportText = reportFile!.Extension.Equals(".html", StringComparison.OrdinalIgnoreCase)
                    ? HtmlReport.Build($"Quantization report: {source.Name}",
                        [$"ranges: {quantizationReport.Method}; error over {quantizationReport.Samples} samples (the calibration data)",
                            .. quantizationReport.Outputs.Select(quantizationReport.OutputSummary)],
                        quantizationReport.Layers.Where(l => l.Operator >= 0).Select(l => new HtmlReport.Bar($"{l.Operator} {l.OperatorName} {l.TensorName}", l.Int8Sqnr)).ToList(),
                        quantization.Conversion.Model,
                        quantizationReport.Layers.Select(l => new[]
                        {
                            $"{(l.Operator < 0 ? "in" : l.Operator.ToString(CultureInfo.InvariantCulture))} {l.OperatorName}", l.TensorName.Split(';')[0],
                            l.Scale.ToString("G5", CultureInfo.InvariantCulture), l.ZeroPoint.ToString(CultureInfo.InvariantCulture),
                            l.ClippedPercent.ToString("F3", CultureInfo.InvariantCulture), NanoQuant.Host.Evaluation.Metrics.FormatDb(l.RangeSqnr), NanoQuant.Host.Evaluation.Metrics.FormatDb(l.Int8Sqnr),
                            l.BaselineInt8Sqnr is { } b ? NanoQuant.Host.Evaluation.Metrics.FormatDb(b) : "",
                        }.Take(quantizationReport.BaselineColumn is null ? 7 : 8).ToArray()).ToList(),
                        new[] { "operator", "tensor", "scale", "zero point", "clipped %", "range SQNR", quantizationReport.SqnrColumn, quantizationReport.BaselineColumn ?? "" }
                            .Take(quantizationReport.BaselineColumn is null ? 7 : 8).ToArray())
                    : quantizationReport.ToMarkdown();
                if (clusters is { } clusterCount)
                {
                    reportText += Environment.NewLine + WeightClustering.ToMarkdown(quantization.Clustering, clusterCount);
                }
            }

            byte[]? tfliteBytes = tfliteFile is null ? null : TfLiteWriter.Write(quantization.Quantized.Model);

            var files = new List<(string Path, byte[] Bytes)> { (target.FullName, quantization.Conversion.Bytes) };
            if (tfliteBytes is not null)
            {
                files.Add((tfliteFile!.FullName, tfliteBytes));
            }

            if (reportText is not null)
            {
                files.Add((reportFile!.FullName, System.Text.Encoding.UTF8.GetBytes(reportText)));
            }

            WriteAll(files);

            var conversion = quantization.Conversion;
            var input = conversion.Model.Tensors[conversion.Model.Inputs[0]];
            var outputTensor = conversion.Model.Tensors[conversion.Model.Outputs[0]];
            string F(float v) => v.ToString("G7", CultureInfo.InvariantCulture);
            console.Out.WriteLine($"quantized {source.Name}{(int16 ? " 16x8" : "")} with {data.SampleCount} samples ({quantization.Calibration.Describe()}): calibration {quantization.CalibrationTime.TotalSeconds:F2} s, " +
                $"quantization {quantization.QuantizationTime.TotalSeconds:F2} s, conversion {quantization.ConversionTime.TotalSeconds:F2} s" +
                (reportFile is null ? "" : $", report {outcome.ReportTime.TotalSeconds:F2} s") +
                (quantization.CorrectedBiases > 0 ? $"; bias correction on {quantization.CorrectedBiases} layers" : "") +
                $"; {total.Elapsed.TotalSeconds:F2} s in all, reading and writing included");
            string kind = int16 ? "int16" : edges == "uint8" ? "uint8" : "int8";
            int shift = edges == "uint8" ? 128 : 0;
            console.Out.WriteLine($"input  {kind} scale {F(input.Scale)} zero point {input.ZeroPoint + shift}; output {kind} scale {F(outputTensor.Scale)} zero point {outputTensor.ZeroPoint + shift}");
            WriteClustering(console, quantization.Clustering, clusters, options.ClusterPerTensor, options.ClusterMethod);
            console.Out.WriteLine($"wrote {target.FullName}: {conversion.Bytes.Length:N0} bytes (.tflite {source.Length:N0} bytes), " +
                $"{conversion.Model.Operators.Count} operators, arena {conversion.Plan.ArenaBytes:N0} bytes (lower bound {conversion.Plan.LowerBound:N0})");
            WritePalettes(console, conversion.Model);
            if (tfliteFile is not null)
            {
                console.Out.WriteLine($"wrote {tfliteFile.FullName}: {tfliteBytes!.Length:N0} bytes ({(int16 ? "16x8" : "int8")} TensorFlow Lite model)");
            }

            if (reportFile is not null)
            {
                console.Out.WriteLine($"wrote {reportFile.FullName}");
            }

            return 0;
        }));
        return command;
    }

    /// <summary>The per-layer error clustering added, one line per weight tensor.</summary>
    private static void WriteClustering(CliConsole console, IReadOnlyList<ClusteredLayer> layers, int? clusters, bool perTensor, ClusteringMethod method)
    {
        if (clusters is null)
        {
            return;
        }

        if (layers.Count == 0)
        {
            console.Out.WriteLine($"clustered no weight tensor: with {clusters} values per output channel no layer's palette (one table per channel) would be at most ¾ of its bytes; --cluster-per-tensor shares one table per tensor");
            return;
        }

        console.Out.WriteLine($"clustered {layers.Count} weight tensors into ≤ {clusters} values per {(perTensor ? "tensor" : "output channel")} ({ClusteringMethods.Name(method)}):");
        foreach (var l in layers)
        {
            string sqnr = double.IsPositiveInfinity(l.SqnrDb) ? "unchanged" : $"weight SQNR {l.SqnrDb.ToString("F1", CultureInfo.InvariantCulture)} dB";
            string table = l.SharedTable && !perTensor ? " (one table for the tensor)" : "";
            console.Out.WriteLine($"  {l.Operator} {l.Tensor}: {l.DistinctBefore} → {l.DistinctAfter} values/channel{table}, {sqnr}, RMS error {l.RelativeError.ToString("P2", CultureInfo.InvariantCulture)}");
        }
    }

    /// <summary>How many int8 constants were stored as palettes, and the bytes they take against plain int8.</summary>
    private static void WritePalettes(CliConsole console, NanoQuant.Host.DeviceModels.DeviceModel model)
    {
        var narrow = model.Tensors.Where(t => t.NarrowBytes > 0).ToList();
        var derived = model.Tensors.Where(t => t.IsDerived).ToList();
        if (narrow.Count + derived.Count > 0)
        {
            console.Out.WriteLine($"compact constants: {narrow.Count} int32 constants narrow in {narrow.Sum(t => t.ElementCount * t.NarrowBytes):N0} bytes instead of {narrow.Sum(t => t.ByteLength):N0}, " +
                $"{derived.Count} folded biases ({derived.Sum(t => t.ByteLength):N0} bytes) derived at load (lossless)");
        }

        var palettes = model.Tensors.Where(t => t.Palette is not null).ToList();
        if (palettes.Count == 0)
        {
            return;
        }

        int plain = palettes.Sum(t => t.ByteLength), stored = palettes.Sum(t => t.Palette!.Block.Length);
        string widths = string.Join(", ", palettes.GroupBy(t => t.Palette!.Bits).OrderBy(g => g.Key).Select(g => $"{g.Count()}×{g.Key}-bit"));
        console.Out.WriteLine($"palette weights: {palettes.Count} int8 constants ({widths}) in {stored:N0} bytes instead of {plain:N0} (lossless)");
    }

    /// <summary>Writes every file, or (when one write fails) removes those already written.</summary>
    private static void WriteAll(IReadOnlyList<(string Path, byte[] Bytes)> files)
    {
        var written = new List<string>();
        try
        {
            foreach (var (path, bytes) in files)
            {
                AtomicFile.WriteAllBytes(path, bytes);
                written.Add(path);
            }
        }
        catch
        {
            foreach (string path in written)
            {
                File.Delete(path);
            }

            throw;
        }
    }
}
