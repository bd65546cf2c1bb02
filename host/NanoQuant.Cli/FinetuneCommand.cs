using System.CommandLine;
using System.Globalization;
using NanoQuant.Host.IO;
using NanoQuant.Host.Quantization;
using NanoQuant.Host.TfLite;
using NanoQuant.Host.Training;

namespace NanoQuant.Cli;

/// <summary>
/// `nanoquant finetune MODEL_float.tflite --train X.npy --labels Y.npy -o OUT.nq`: quantization-aware
/// fine-tuning of a float classifier, then the ordinary post-training quantizer on the fine-tuned
/// weights. Every check (model, options, data, labels, output paths) comes before training;
/// nothing is written unless every step succeeded.
/// </summary>
public static class FinetuneCommand
{
    public static Command Create(CliConsole console)
    {
        var model = new Argument<FileInfo>("model") { Description = "float TensorFlow Lite classifier (.tflite)" };
        var output = new Option<FileInfo>("--output", "-o") { Description = "device model to write (.nq)", Required = true };
        var train = new Option<string>("--train") { Description = "training samples: .npy of shape [N, ...input shape without its batch of 1], float32", Required = true };
        var labels = new Option<string>("--labels") { Description = "training labels: .npy of N class ids (or [N, C] one-hot)", Required = true };
        var val = new Option<string?>("--val") { Description = "validation samples (never trained on): per-epoch accuracy, and float / post-training int8 / fine-tuned int8 top-1 at the end" };
        var valLabels = new Option<string?>("--val-labels") { Description = "validation labels (with --val)" };
        var epochs = new Option<int>("--epochs") { Description = $"passes over the training data (1 … {TrainingOptions.MaxEpochs})", DefaultValueFactory = _ => 3 };
        var rate = new Option<double>("--lr") { Description = "Adam's learning rate (0 < lr ≤ 1)", DefaultValueFactory = _ => 1e-4 };
        var centroidRate = new Option<double?>("--centroid-lr") { Description = "with --cluster: Adam's learning rate for the centroids the tied weights share (0 < lr ≤ 1; default: --lr); on the quantizer's grid (the default) a centroid changes the device model only when it moves half an int8 step" };
        var schedule = new Option<string>("--lr-schedule") { Description = "how the learning rates change over the steps: constant, or cosine (decaying from --lr to nearly 0 by the last step)", DefaultValueFactory = _ => "constant" };
        schedule.AcceptOnlyFromAmong("constant", "cosine");
        var valFromTrain = new Option<int?>("--val-from-train") { Description = "early stopping: keep the last N of the training samples out of training and calibration, measure the fake-quantized model on them after every epoch, and keep the weights of the epoch with the best top-1 on them (the lower loss between equal top-1)" };
        var freeze = new Option<string?>("--freeze") { Description = "layers that do not train, comma-separated: first (the first conv/FC layer's weights and bias), last (the classifier's), unclustered (with --cluster: every weight tensor not tied to centroids, so only the centroids and the biases train)" };
        var batch = new Option<int>("--batch") { Description = "samples per step", DefaultValueFactory = _ => 32 };
        var seed = new Option<int>("--seed") { Description = "seed of the sample order (same seed, same result)", DefaultValueFactory = _ => 1 };
        var floatOnly = new Option<bool>("--float") { Description = "plain float fine-tuning, without fake quantization" };
        var perChannelFc = new Option<bool>("--per-channel-fc") { Description = "FULLY_CONNECTED weights per output channel, in training and in the quantizer" };
        var calibrationSamples = new Option<int>("--calibration-samples") { Description = "calibrate the quantizer on the first N training samples", DefaultValueFactory = _ => 1000 };
        var method = new Option<string>("--method") { Description = "how the quantizer chooses activation ranges (as convert's --method)", DefaultValueFactory = _ => "auto" };
        method.AcceptOnlyFromAmong("auto", "minmax", "percentile", "mse");
        var saveTflite = new Option<FileInfo?>("--save-tflite") { Description = "also write the quantized int8 model as a .tflite" };
        var saveFloat = new Option<FileInfo?>("--save-float") { Description = "also write the fine-tuned float model as a .tflite" };
        var trainSamples = new Option<int?>("--train-samples") { Description = "train on the first N samples of --train only" };
        var valSkip = new Option<int>("--val-skip") { Description = "validate on --val from sample N on (with --val the same file as --train: N ≥ the samples trained on, so no validation sample is trained on)", DefaultValueFactory = _ => 0 };
        var inputScale = new Option<double?>("--input-scale") { Description = "integer data: real = (q − offset) × scale" };
        var inputOffset = new Option<double?>("--input-offset") { Description = "integer data: real = (q − offset) × scale" };
        var cluster = new Option<int?>("--cluster") { Description = $"cluster-preserving: tie the weights of each tensor the palette stores to at most N int8 values per output channel (per tensor for short channels), as convert --cluster clusters them, and train those values (2 … {WeightClustering.MaxClusters}; 16: 4-bit palette weights)" };
        var clusterPerTensor = new Option<bool>("--cluster-per-tensor") { Description = "with --cluster: one set of N values per weight tensor, shared by all its channels (one table: smaller, less accurate) instead of one per output channel, as convert --cluster-per-tensor" };
        var clusterMethod = ClusterMethodOption.Create();
        var requantize = new Option<bool>("--requantize") { Description = "with --cluster: quantize and cluster the fine-tuned float model anew (activation ranges and weight scales recalibrated) instead of training on the post-training clustered model's int8 grid and writing the trained centroids and biases back into it" };
        var prune = new Option<double?>("--prune") { Description = "prune the weights of each tensor the palette stores by magnitude to this fraction of zeros (0 < S < 1), rising on a polynomial schedule to the target halfway through; with --cluster the zeros are one palette entry (the other entries then train)" };
        var distill = new Option<double?>("--distill") { Description = $"distil the float model into the fine-tuned one: add the cross-entropy between its and the trained model's softmax at temperature T (0 < T ≤ {TrainingOptions.MaxDistillTemperature}; 4 is usual), which needs no labels" };
        var distillWeight = new Option<double?>("--distill-weight") { Description = $"with --distill: the weight α of the distillation loss, the labels' cross-entropy weighing 1 − α (0 ≤ α ≤ 1; default {TrainingOptions.DefaultDistillWeight.ToString(CultureInfo.InvariantCulture)})" };
        var distillTeacher = new Option<string?>("--distill-teacher") { Description = "with --distill: the model the soft targets come from: float (the model given, default) or int8 (its plain post-training int8 model of this run, run once per training image before training; no --augment)" };
        var augment = new Option<string?>("--augment") { Description = $"change each training image anew every epoch, deterministically with --seed: flip (mirror left to right), crop (random crop of the image padded by {ImageAugmentation.CropPadding} zeros), or flip,crop; needs an image input [1, H, W, C]" };
        var json = new Option<bool>("--json") { Description = "print one JSON document (epochs, top-1 figures, files) instead of text" };
        var command = new Command("finetune", "Quantization-aware fine-tuning of a float classifier, written as an ordinary int8 device model")
        {
            model, output, train, labels, val, valLabels, epochs, rate, centroidRate, schedule, valFromTrain, freeze, batch, seed, floatOnly, perChannelFc, calibrationSamples, method, trainSamples, valSkip, inputScale, inputOffset, saveTflite, saveFloat, cluster, clusterPerTensor, clusterMethod, requantize, prune, distill, distillWeight, distillTeacher, augment, json,
        };
        command.SetAction(parse => console.Guard(() =>
        {
            var source = parse.GetValue(model)!;
            var target = parse.GetValue(output)!;
            var tfliteFile = parse.GetValue(saveTflite);
            var floatFile = parse.GetValue(saveFloat);
            string? valPath = parse.GetValue(val), valLabelsPath = parse.GetValue(valLabels);
            bool asJson = parse.GetValue(json);
            var sourceModel = CliFiles.ReadTfLite(source.FullName);
            CliFiles.CheckOutputFile(target.FullName, "--output", ".nq", "a device model");
            if (tfliteFile is not null)
            {
                CliFiles.CheckOutputFile(tfliteFile.FullName, "--save-tflite", ".tflite", "a TensorFlow Lite model");
            }

            if (floatFile is not null)
            {
                CliFiles.CheckOutputFile(floatFile.FullName, "--save-float", ".tflite", "a TensorFlow Lite model");
            }

            if ((valPath is null) != (valLabelsPath is null))
            {
                throw new CliUsageException("--val and --val-labels go together");
            }

            int calibrationCount = parse.GetValue(calibrationSamples);
            if (calibrationCount < 1)
            {
                throw new CliUsageException($"--calibration-samples must be at least 1, not {calibrationCount}");
            }

            int? clusters = parse.GetValue(cluster);
            double? sparsity = parse.GetValue(prune);
            if (sparsity is { } s && !(s > 0 && s < 1))
            {
                throw new CliUsageException($"--prune must lie strictly between 0 and 1 (the fraction of weights set to zero), not {s.ToString(CultureInfo.InvariantCulture)}");
            }

            int fewestClusters = sparsity is null ? 2 : 3;
            if (clusters is { } n && (n < fewestClusters || n > WeightClustering.MaxClusters))
            {
                throw new CliUsageException($"--cluster must lie in [{fewestClusters}, {WeightClustering.MaxClusters}]{(sparsity is null ? "" : " with --prune (one value is the pruned zeros)")}, not {n}");
            }

            bool perTensor = parse.GetValue(clusterPerTensor);
            if (perTensor && clusters is null)
            {
                throw new CliUsageException("--cluster-per-tensor needs --cluster N");
            }

            double? temperature = parse.GetValue(distill);
            if (temperature is { } t && !(t > 0 && t <= TrainingOptions.MaxDistillTemperature))
            {
                throw new CliUsageException($"--distill must lie in (0, {TrainingOptions.MaxDistillTemperature}] (the softmax temperature), not {t.ToString(CultureInfo.InvariantCulture)}");
            }

            double? alpha = parse.GetValue(distillWeight);
            if (alpha is not null && temperature is null)
            {
                throw new CliUsageException("--distill-weight needs --distill T");
            }

            if (alpha is { } a && !(a >= 0 && a <= 1))
            {
                throw new CliUsageException($"--distill-weight must lie in [0, 1], not {a.ToString(CultureInfo.InvariantCulture)}");
            }

            string? teacherName = parse.GetValue(distillTeacher);
            var teacher = teacherName switch
            {
                null or "float" => DistillationTeacher.Float,
                "int8" => DistillationTeacher.Int8,
                _ => throw new CliUsageException($"--distill-teacher takes float or int8, not '{teacherName}'"),
            };
            if (teacherName is not null && temperature is null)
            {
                throw new CliUsageException("--distill-teacher needs --distill T");
            }

            double? centroidStep = parse.GetValue(centroidRate);
            if (centroidStep is not null && clusters is null)
            {
                throw new CliUsageException("--centroid-lr needs --cluster N");
            }

            if (centroidStep is { } step && !(step > 0 && step <= 1))
            {
                throw new CliUsageException($"--centroid-lr must lie in (0, 1], not {step.ToString(CultureInfo.InvariantCulture)}");
            }

            var assignment = ClusterMethodOption.Resolve(parse, clusterMethod, clusters, calibrated: true);
            bool anew = parse.GetValue(requantize);
            if (anew && clusters is null)
            {
                throw new CliUsageException("--requantize needs --cluster N");
            }

            string? augmentList = parse.GetValue(augment), freezeList = parse.GetValue(freeze);
            var augmentation = ParseFlags(augmentList, $"--augment takes flip, crop or flip,crop, not '{augmentList}'",
                ("flip", Augmentation.Flip), ("crop", Augmentation.Crop));
            var frozen = ParseFlags(freezeList, $"--freeze takes first, last and unclustered, comma-separated, not '{freezeList}'",
                ("first", FrozenLayers.First), ("last", FrozenLayers.Last), ("unclustered", FrozenLayers.Unclustered));
            if (teacher == DistillationTeacher.Int8 && augmentation != Augmentation.None)
            {
                throw new CliUsageException("--distill-teacher int8 takes no --augment: its soft targets are computed once per training image, before training");
            }

            if (frozen.HasFlag(FrozenLayers.Unclustered) && clusters is null)
            {
                throw new CliUsageException("--freeze unclustered needs --cluster N");
            }

            var options = new TrainingOptions
            {
                DistillTemperature = temperature,
                DistillWeight = alpha ?? TrainingOptions.DefaultDistillWeight,
                DistillTeacher = teacher,
                Augmentation = augmentation,
                Frozen = frozen,
                Clusters = clusters,
                ClusterPerTensor = perTensor,
                KeepQuantizerGrid = !anew,
                Sparsity = sparsity,
                Epochs = parse.GetValue(epochs),
                LearningRate = parse.GetValue(rate),
                CentroidLearningRate = centroidStep,
                Schedule = parse.GetValue(schedule) == "cosine" ? LearningRateSchedule.Cosine : LearningRateSchedule.Constant,
                BatchSize = parse.GetValue(batch),
                Seed = parse.GetValue(seed),
                QuantizationAware = !parse.GetValue(floatOnly),
                PerChannelFullyConnected = parse.GetValue(perChannelFc),
            };
            if (options.Epochs is < 1 or > TrainingOptions.MaxEpochs)
            {
                throw new CliUsageException($"--epochs must lie in [1, {TrainingOptions.MaxEpochs}], not {options.Epochs}");
            }

            if (!(options.LearningRate > 0 && options.LearningRate <= 1))
            {
                throw new CliUsageException($"--lr must lie in (0, 1], not {options.LearningRate.ToString(CultureInfo.InvariantCulture)}");
            }

            if (options.BatchSize is < 1 or > TrainingOptions.MaxBatchSize)
            {
                throw new CliUsageException($"--batch must lie in [1, {TrainingOptions.MaxBatchSize}], not {options.BatchSize}");
            }

            double? scale = parse.GetValue(inputScale), offset = parse.GetValue(inputOffset);
            if ((scale is null) != (offset is null))
            {
                throw new CliUsageException("--input-scale and --input-offset go together");
            }

            var encoding = scale is null ? null : new DataEncoding(scale.Value, offset!.Value);
            int skip = parse.GetValue(valSkip);
            if (skip < 0 || (skip > 0 && valPath is null))
            {
                throw new CliUsageException(skip < 0 ? $"--val-skip must be at least 0, not {skip}" : "--val-skip needs --val");
            }

            var trainer = FineTuning.Prepare(sourceModel, options);
            string trainPath = parse.GetValue(train)!;
            var training = LoadLabeled(trainer, trainPath, parse.GetValue(labels)!, "--train", "--labels", encoding);
            if (parse.GetValue(trainSamples) is { } count)
            {
                if (count < 1 || count > training.Count)
                {
                    throw new CliUsageException($"--train-samples must lie in [1, {training.Count}] (the samples in '{trainPath}'), not {count}");
                }

                training = training.Slice(0, count);
            }

            LabeledSamples? validation = null;
            if (valPath is not null)
            {
                validation = LoadLabeled(trainer, valPath, valLabelsPath!, "--val", "--val-labels", encoding);
                if (skip >= validation.Count)
                {
                    throw new CliUsageException($"--val-skip {skip} leaves no validation samples: '{valPath}' holds {validation.Count}");
                }

                if (Path.GetFullPath(valPath) == Path.GetFullPath(trainPath) && skip < training.Count)
                {
                    throw new CliUsageException($"--val is the training data and --val-skip {skip} is below the {training.Count} samples trained on: validation samples would be trained on (give --train-samples N and --val-skip N or more)");
                }

                validation = validation.Slice(skip, validation.Count - skip);
            }

            LabeledSamples? selection = null;
            if (parse.GetValue(valFromTrain) is { } held)
            {
                if (held < 1 || held >= training.Count)
                {
                    throw new CliUsageException($"--val-from-train must lie in [1, {training.Count - 1}] (it keeps that many of the {training.Count} training samples out of training), not {held}");
                }

                selection = training.Slice(training.Count - held, held);
                training = training.Slice(0, training.Count - held);
            }

            var calibration = new CalibrationOptions(parse.GetValue(method) switch
            {
                "percentile" => CalibrationMethod.Percentile,
                "mse" => CalibrationMethod.Mse,
                "minmax" => CalibrationMethod.MinMax,
                _ => CalibrationMethod.Auto,
            }, 99.99);
            var quantizer = new QuantizerOptions { PerChannelFullyConnected = options.PerChannelFullyConnected, ClusterMethod = assignment };

            FineTuneResult result;
            using (var bar = new CliProgress(console, "training", training.Count))
            {
                result = FineTuning.Run(trainer, training, validation, calibrationCount, calibration, quantizer, e =>
                {
                    if (!asJson)
                    {
                        console.Out.WriteLine(Describe(e));
                    }
                }, bar, selection);
            }

            var conversion = result.Quantization.Conversion;
            var files = new List<(string Path, byte[] Bytes)> { (target.FullName, conversion.Bytes) };
            if (tfliteFile is not null)
            {
                files.Add((tfliteFile.FullName, TfLiteWriter.Write(result.Quantization.Quantized.Model)));
            }

            if (floatFile is not null)
            {
                files.Add((floatFile.FullName, TfLiteWriter.Write(result.FineTuned)));
            }

            foreach (var (path, bytes) in files)
            {
                AtomicFile.WriteAllBytes(path, bytes);
            }

            if (asJson)
            {
                CliJson.Write(console.Out, new
                {
                    model = source.Name,
                    quantizationAware = options.QuantizationAware,
                    trainingSamples = training.Count,
                    validationSamples = validation?.Count,
                    selectionSamples = selection?.Count,
                    selectedEpoch = trainer.SelectedEpoch,
                    trainingSeconds = result.TrainingTime.TotalSeconds,
                    trainingProcessorSeconds = result.TrainingProcessorTime.TotalSeconds,
                    epochs = result.Epochs.Select(e => new { epoch = e.Epoch, loss = e.Loss, trainAccuracy = e.TrainAccuracy, validationLoss = e.ValidationLoss, validationAccuracy = e.ValidationAccuracy, seconds = e.Time.TotalSeconds, validationSeconds = e.ValidationTime.TotalSeconds, selectionLoss = e.SelectionLoss, selectionAccuracy = e.SelectionAccuracy }),
                    floatTop1 = result.FloatTop1,
                    postTrainingInt8Top1 = result.PostTrainingTop1,
                    postTrainingClusteredTop1 = result.PostTrainingClusteredTop1,
                    fineTunedInt8Top1 = result.FineTunedTop1,
                    clusters,
                    clusterPerTensor = perTensor,
                    clusterMethod = clusters is null ? null : ClusteringMethods.Name(assignment),
                    sparsity,
                    distillTemperature = temperature,
                    distillWeight = temperature is null ? (double?)null : options.DistillWeight,
                    distillTeacher = temperature is null ? null : teacherName ?? "float",
                    centroidLearningRate = options.CentroidLearningRate,
                    lrSchedule = options.Schedule.ToString().ToLowerInvariant(),
                    freeze = frozen == FrozenLayers.None ? null : frozen.ToString().ToLowerInvariant().Replace(" ", ""),
                    augment = augmentation == Augmentation.None ? null : augmentation.ToString().ToLowerInvariant().Replace(" ", ""),
                    plainInt8Bytes = result.PlainBytes,
                    files = files.Select(f => new { path = f.Path, bytes = f.Bytes.Length }),
                });
                return 0;
            }

            if (trainer.SelectedEpoch is { } kept)
            {
                console.Out.WriteLine($"kept the weights of epoch {kept} (best top-1 on the {selection!.Count:N0} samples held out of training)");
            }

            if (result.FineTunedTop1 is { } fineTuned)
            {
                string clustered = result.PostTrainingClusteredTop1 is { } c ? $", post-training int8 --cluster {clusters} {Percent(c)}" : "";
                console.Out.WriteLine($"top-1 on {validation!.Count:N0} validation samples: float {Percent(result.FloatTop1!.Value)}, post-training int8 {Percent(result.PostTrainingTop1!.Value)}{clustered}, fine-tuned int8 {Percent(fineTuned)}");
            }

            if (clusters is not null || sparsity is not null)
            {
                int bytes = conversion.Bytes.Length;
                console.Out.WriteLine($"device model {bytes:N0} bytes, {((double)bytes / result.PlainBytes).ToString("F3", CultureInfo.InvariantCulture)}× the plain post-training int8 model ({result.PlainBytes:N0} bytes){(sparsity is { } pruned ? $"; {Percent(pruned)} of the palette tensors' weights are 0" : "")}");
            }

            foreach (var (path, bytes) in files)
            {
                console.Out.WriteLine($"wrote {path}: {bytes.Length:N0} bytes");
            }

            return 0;
        }));
        return command;
    }

    /// <summary>One line per epoch: loss, training accuracy, validation figures, time.</summary>
    public static string Describe(EpochResult e) =>
        $"epoch {e.Epoch}: loss {e.Loss.ToString("F4", CultureInfo.InvariantCulture)}, train top-1 {Percent(e.TrainAccuracy)}" +
        (e.SelectionAccuracy is { } h ? $", held-out training slice loss {e.SelectionLoss!.Value.ToString("F4", CultureInfo.InvariantCulture)}, top-1 {Percent(h)}" : "") +
        (e.ValidationAccuracy is { } v ? $", validation loss {e.ValidationLoss!.Value.ToString("F4", CultureInfo.InvariantCulture)}, top-1 {Percent(v)}" : "") +
        $" ({e.Time.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s" +
        (e.ValidationAccuracy is null ? ")" : $", validation {e.ValidationTime.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s)");

    /// <summary>A comma-separated list of <paramref name="names"/> as their flags OR-ed (null: none); any other item is <paramref name="error"/>.</summary>
    private static T ParseFlags<T>(string? list, string error, params (string Name, T Flag)[] names)
        where T : struct, Enum
    {
        long flags = 0;
        foreach (string item in list?.Split(',') ?? [])
        {
            int match = Array.FindIndex(names, n => n.Name == item.Trim());
            if (match < 0)
            {
                throw new CliUsageException(error);
            }

            flags |= Convert.ToInt64(names[match].Flag, CultureInfo.InvariantCulture);
        }

        return (T)Enum.ToObject(typeof(T), flags);
    }

    private static string Percent(double value) => value.ToString("P2", CultureInfo.InvariantCulture);

    private static LabeledSamples LoadLabeled(Trainer trainer, string samplesPath, string labelsPath, string samplesRole, string labelsRole, DataEncoding? encoding)
    {
        CliFiles.CheckDataFile(samplesPath, samplesRole);
        CliFiles.CheckDataFile(labelsPath, labelsRole);
        var samples = SampleSet.Load(InputSpec.Of(trainer.Source.Model), [samplesPath], [encoding]);
        var labelValues = CliData.LoadLabels(labelsPath, samplesPath, samples.SampleCount, trainer.Classes);
        return new LabeledSamples(samples, labelValues);
    }
}
