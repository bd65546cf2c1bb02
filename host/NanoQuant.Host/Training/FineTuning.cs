using NanoQuant.Host.DeviceModels;
using NanoQuant.Host.Evaluation;
using NanoQuant.Host.Quantization;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Training;

/// <summary>
/// What fine-tuning produced: the epochs, the fine-tuned float model, its int8 quantization, top-1 figures on the
/// validation data (when given), and the training's wall-clock and processor time (all threads; validation included).
/// </summary>
public sealed record FineTuneResult(
    IReadOnlyList<EpochResult> Epochs,
    TfLiteModel FineTuned,
    PostTrainingResult Quantization,
    double? FloatTop1,
    double? PostTrainingTop1,
    double? FineTunedTop1,
    TimeSpan TrainingTime,
    TimeSpan TrainingProcessorTime)
{
    /// <summary>With clustering: top-1 of the original model's post-training int8 model clustered as <c>convert --cluster</c> does (no fine-tuning).</summary>
    public double? PostTrainingClusteredTop1 { get; init; }

    /// <summary>Bytes of the original model's plain post-training int8 device model (no clustering, no compaction): what the size ratio compares with.</summary>
    public int PlainBytes { get; init; }
}

/// <summary>
/// Quantization-aware fine-tuning end to end: train the float model's weights with
/// <see cref="Trainer"/>, then quantize the fine-tuned float model with the ordinary
/// post-training quantizer (<see cref="PostTrainingQuantizer"/>, calibrated on training samples),
/// so the result is an ordinary int8 device model. With validation data it also measures the
/// original float model, the original model's post-training int8 model and the fine-tuned int8
/// device model (device runtime), top-1 on the same samples.
/// </summary>
public static class FineTuning
{
    /// <summary>Checks that <paramref name="model"/> can be both trained and quantized (before any data is read).</summary>
    public static Trainer Prepare(TfLiteModel model, TrainingOptions options)
    {
        var trainer = Trainer.Create(model, options);
        PostTrainingQuantizer.Prepare(trainer.Source.Model);
        return trainer;
    }

    /// <summary>
    /// Fine-tunes on <paramref name="training"/> (calibrating on its first <paramref name="calibrationSamples"/>), keeping the
    /// weights of the epoch best on <paramref name="selection"/> when given (early stopping; see <see cref="Trainer.Fit"/>),
    /// and measures top-1 on <paramref name="validation"/> when given.
    /// </summary>
    public static FineTuneResult Run(Trainer trainer, LabeledSamples training, LabeledSamples? validation, int calibrationSamples,
        CalibrationOptions calibration, QuantizerOptions quantizer, Action<EpochResult>? epochDone = null, IProgress<int>? progress = null,
        LabeledSamples? selection = null)
    {
        var calibrationSet = training.Samples.Slice(0, Math.Min(calibrationSamples, training.Count));
        var plainOptions = quantizer with { Clusters = null, CompactConstants = null };

        // A pruned model's palettes may flag their zeros (one bit each) where that is smaller.
        quantizer = quantizer with
        {
            Clusters = trainer.Options.Clusters,
            ClusterPerTensor = trainer.Options.ClusterPerTensor,
            Palettes = trainer.Options.Sparsity is not null && quantizer.Palettes == PaletteMode.WhenSmaller ? PaletteMode.WhenSmallerFlaggingZeros : quantizer.Palettes,
        };
        PostTrainingResult? clustered = null;
        if (trainer.Options.Clusters is not null)
        {
            clustered = PostTrainingQuantizer.Run(PostTrainingQuantizer.Prepare(trainer.Source.Model), calibrationSet, calibration, quantizer);
            if (trainer.Options.Sparsity is null)
            {
                // Cluster-preserving training starts from the quantizer's own clustering (pruning ties later, from the pruned weights).
                trainer.StartFrom(clustered.Quantized);
            }
        }

        // The plain post-training int8 model: the figure fine-tuning is measured against, and the int8 teacher.
        var ptq = PostTrainingQuantizer.Run(PostTrainingQuantizer.Prepare(trainer.Source.Model), calibrationSet, calibration, plainOptions);
        if (trainer.Options.DistillTemperature is not null && trainer.Options.DistillTeacher == DistillationTeacher.Int8)
        {
            trainer.TeachFrom(ptq.Conversion.Bytes, training.Samples);
        }

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var processor = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var epochs = trainer.Fit(training, validation, epochDone, progress, selection);
        var trainingTime = stopwatch.Elapsed;
        var trainingProcessorTime = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - processor;
        var fineTuned = trainer.TrainedModel();
        // On the quantizer's grid the trained centroids and biases go back into the clustered model; else quantize anew.
        var quantization = clustered is not null && trainer.OnQuantizerGrid() is { } onGrid
            ? clustered with { Quantized = onGrid, Conversion = PostTrainingQuantizer.Convert(onGrid, quantizer) }
            : PostTrainingQuantizer.Run(PostTrainingQuantizer.Prepare(fineTuned), calibrationSet, calibration, quantizer);
        double? floatTop1 = null, ptqTop1 = null, ptqClusteredTop1 = null, fineTunedTop1 = null;
        if (validation is not null)
        {
            floatTop1 = Top1Evaluator.Float("float", trainer.Source, validation.Samples, validation.Labels).Accuracy;
            ptqTop1 = Top1Evaluator.Device("ptq int8", ptq.Conversion.Bytes, validation.Samples, validation.Labels).Accuracy;
            if (clustered is not null)
            {
                ptqClusteredTop1 = Top1Evaluator.Device("ptq int8 clustered", clustered.Conversion.Bytes, validation.Samples, validation.Labels).Accuracy;
            }

            fineTunedTop1 = Top1Evaluator.Device("fine-tuned int8", quantization.Conversion.Bytes, validation.Samples, validation.Labels).Accuracy;
        }

        return new FineTuneResult(epochs, fineTuned, quantization, floatTop1, ptqTop1, fineTunedTop1, trainingTime, trainingProcessorTime)
        {
            PostTrainingClusteredTop1 = ptqClusteredTop1,
            PlainBytes = ptq.Conversion.Bytes.Length,
        };
    }
}
