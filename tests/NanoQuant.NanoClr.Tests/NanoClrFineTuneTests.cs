using NanoQuant.Host.Conversion;
using NanoQuant.Host.DeviceModels;
using NanoQuant.Host.NanoClr;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Quantization;
using NanoQuant.Host.Runtime;
using NanoQuant.Host.TfLite;
using NanoQuant.Host.Training;
using NanoQuant.Tests.Training;

namespace NanoQuant.Tests.NanoClr;

/// <summary>
/// Fine-tuned models on the real nanoCLR: plain quantization-aware, cluster-preserving (`--cluster`, palettes, started from
/// the gptq and the k-means clustering; also
/// with `--centroid-lr`, `--lr-schedule cosine` and `--freeze first`) and pruned with clustering (`--prune --cluster`, a zero palette value; at 75 % a palette with flagged zeros, format
/// version 4), each run decoded at load and per
/// operator, give the desktop runtime's output bytes; the `--save-tflite` export converted back gives the
/// same device model.
/// </summary>
public sealed class NanoClrFineTuneTests
{
    [Fact]
    public void Fine_tuned_clustered_and_pruned_models_give_the_desktop_bytes_on_nanoCLR()
    {
        var model = TrainingData.Mlp();
        var (x, y) = TrainingData.Linear(512, 4);
        var (vx, _) = TrainingData.Linear(64, 5);
        var training = TrainingData.Samples(model, x, y);
        var inputs = (IReadOnlyList<NpyArray>)[NpyArray.FromFloats(vx, [64, TrainingData.Features])];
        // The clustered runs start from the default (k-means) clustering; one names kmeans, one gptq (--cluster-method).
        var options = new (TrainingOptions Training, ClusteringMethod Method)[]
        {
            (new TrainingOptions { Epochs = 2, LearningRate = 0.01 }, ClusteringMethods.Default),
            (new TrainingOptions { Epochs = 2, LearningRate = 0.01, Clusters = 4 }, ClusteringMethod.Gptq),
            (new TrainingOptions { Epochs = 2, LearningRate = 0.01, Clusters = 4 }, ClusteringMethod.KMeans),
            (new TrainingOptions { Epochs = 2, LearningRate = 0.01, Clusters = 4, Sparsity = 0.5 }, ClusteringMethods.Default),
            (new TrainingOptions { Epochs = 2, LearningRate = 0.01, Clusters = 4, Sparsity = 0.75 }, ClusteringMethods.Default),
            (new TrainingOptions { Epochs = 2, LearningRate = 0.01, Clusters = 4, CentroidLearningRate = 0.02, Schedule = LearningRateSchedule.Cosine, Frozen = FrozenLayers.First }, ClusteringMethods.Default),
        };

        var jobs = new List<NanoClrJob>();
        var locals = new List<(string What, ModelRunner Local, NpyArray[] Desktop)>();
        foreach (var (option, method) in options)
        {
            var result = FineTuning.Run(FineTuning.Prepare(model, option), training, null, 128,
                new CalibrationOptions(CalibrationMethod.MinMax, 99.99), new QuantizerOptions { ClusterMethod = method });
            var bytes = result.Quantization.Conversion.Bytes;
            Assert.Equal(option.Clusters is not null, result.Quantization.Conversion.Model.Tensors.Any(t => t.Palette is not null));

            // At 75 % zeros the hidden layer's palette flags them (one bit each, format version 4); at 50 % that saves nothing.
            Assert.Equal(option.Sparsity == 0.75, result.Quantization.Conversion.Model.Tensors.Any(t => t.Palette is { ZeroFlags: true }));

            // The int8 .tflite export, read back and converted as convert does (--flag-zeros for a pruned model), is the same device model.
            var exported = TfLiteReader.Read(TfLiteWriter.Write(result.Quantization.Quantized.Model));
            var palettes = option.Sparsity is null ? PaletteMode.WhenSmaller : PaletteMode.WhenSmallerFlaggingZeros;
            Assert.Equal(bytes, Converter.Convert(exported, palettes, compactConstants: option.Clusters is not null).Bytes);

            var desktop = new ModelRunner(bytes).Run(inputs);
            foreach (var mode in new[] { NanoClrLoadMode.Ram, NanoClrLoadMode.StreamWeights })
            {
                var (job, local) = NanoClrModelRunner.PrepareJob(bytes, [inputs]);
                jobs.Add(job with { Mode = mode });
                locals.Add(($"clusters {option.Clusters} ({method}), sparsity {option.Sparsity}, {mode}", local, desktop));
            }
        }

        var batch = new NanoClrHost().Run(jobs);
        for (int j = 0; j < jobs.Count; j++)
        {
            var (what, local, desktop) = locals[j];
            var actual = NanoClrModelRunner.OutputsOf(local, batch.Jobs[j], 0, 64);
            Assert.True(desktop[0].ToBytes().AsSpan().SequenceEqual(actual[0].ToBytes()), $"{what}: nanoCLR's outputs differ from the desktop's");
        }
    }
}
