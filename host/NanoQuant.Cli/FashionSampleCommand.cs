using System.CommandLine;
using System.Globalization;
using NanoQuant.Host.IO;
using NanoQuant.Host.Samples;

namespace NanoQuant.Cli;

/// <summary>`nanoquant sample fashion -o DIR`: trains the Fashion-MNIST CNN with nanoQuant's own trainer and writes it with its data.</summary>
public static class FashionSampleCommand
{
    /// <summary>The options only the fashion sample reads: where the data is, how many training images.</summary>
    public static (Option<string> Data, Option<int> TrainSamples) Options() =>
        (new Option<string>("--data") { Description = "fashion: folder of the Fashion-MNIST IDX files", DefaultValueFactory = _ => FashionSample.DefaultFolder },
         new Option<int>("--train-samples") { Description = "fashion: train on the first N of the 60,000 training images", DefaultValueFactory = _ => 60000 });

    public static int Run(CliConsole console, DirectoryInfo folder, int seed, int? epochs, string data, int trainSamples)
    {
        int epochCount = epochs ?? 2;
        if (epochCount is < 1 or > NanoQuant.Host.Training.TrainingOptions.MaxEpochs)
        {
            throw new CliUsageException($"--epochs must lie in [1, {NanoQuant.Host.Training.TrainingOptions.MaxEpochs}], not {epochCount}");
        }

        if (!FashionSample.IsAvailable(data))
        {
            throw new CliUsageException($"Fashion-MNIST is not in '{Path.GetFullPath(data)}': install it with 'apt-get install dataset-fashion-mnist', or give --data FOLDER holding its four .gz IDX files");
        }

        if (trainSamples is < 1 or > 60000)
        {
            throw new CliUsageException($"--train-samples must lie in [1, 60000], not {trainSamples}");
        }

        FashionSampleFiles files;
        using (var bar = new CliProgress(console, "training", trainSamples))
        {
            files = FashionSample.Create(data, seed, epochCount, trainSamples, e => console.Error.WriteLine(FinetuneCommand.Describe(e)), bar);
        }

        Directory.CreateDirectory(folder.FullName);
        AtomicFile.WriteAllBytes(Path.Combine(folder.FullName, "fashion_float.tflite"), files.Model);
        AtomicFile.WriteAllBytes(Path.Combine(folder.FullName, "train_x.npy"), files.Train.ImagesNpy().ToBytes());
        AtomicFile.WriteAllBytes(Path.Combine(folder.FullName, "train_y.npy"), files.Train.LabelsNpy().ToBytes());
        AtomicFile.WriteAllBytes(Path.Combine(folder.FullName, "test_x.npy"), files.Test.ImagesNpy().ToBytes());
        AtomicFile.WriteAllBytes(Path.Combine(folder.FullName, "test_y.npy"), files.Test.LabelsNpy().ToBytes());
        var last = files.Epochs[^1];
        console.Out.WriteLine($"trained Fashion-MNIST CNN 16-32 ({epochCount} epochs on {trainSamples:N0} images): float top-1 on the 10,000 test images {last.ValidationAccuracy!.Value.ToString("P2", CultureInfo.InvariantCulture)}");
        console.Out.WriteLine($"wrote {folder.FullName}: fashion_float.tflite ({files.Model.Length:N0} bytes), train_x.npy/train_y.npy ({files.Train.Count:N0} samples), test_x.npy/test_y.npy ({files.Test.Count:N0} samples)");
        return 0;
    }
}
