using System.CommandLine;
using System.Globalization;
using NanoQuant.Host.IO;
using NanoQuant.Host.Samples;

namespace NanoQuant.Cli;

/// <summary>`nanoquant sample sine -o samples/sine`: regenerates the project's demo float model and its data.</summary>
public static class SampleCommand
{
    public static Command Create(CliConsole console)
    {
        var name = new Argument<string>("name") { Description = "the sample to make: sine, or fashion (a CNN trained on Fashion-MNIST from Debian's dataset-fashion-mnist)" };
        name.AcceptOnlyFromAmong("sine", "fashion");
        var output = new Option<DirectoryInfo>("--output", "-o") { Description = "folder to write into (created if missing)", Required = true };
        var seed = new Option<int>("--seed") { Description = "random seed of the data and the initial weights", DefaultValueFactory = _ => 1 };
        var epochs = new Option<int?>("--epochs") { Description = "training epochs (sine: full-batch Adam, default 2000; fashion: mini-batch Adam, default 2)" };
        var (fashionData, fashionSamples) = FashionSampleCommand.Options();
        var command = new Command("sample", "Make a demo float model and its data: sine (MLP 1-16-16-1 trained here, deterministically) → sine_float.tflite, calibration.npy, input.npy; fashion (CNN trained here on Fashion-MNIST) → fashion_float.tflite, train_x/train_y/test_x/test_y.npy")
        {
            name, output, seed, epochs, fashionData, fashionSamples,
        };
        command.SetAction(parse => console.Guard(() =>
        {
            var folder = parse.GetValue(output)!;
            if (parse.GetValue(name) == "fashion")
            {
                return FashionSampleCommand.Run(console, folder, parse.GetValue(seed), parse.GetValue(epochs), parse.GetValue(fashionData)!, parse.GetValue(fashionSamples));
            }

            int epochCount = parse.GetValue(epochs) ?? 2000;
            if (epochCount < 1)
            {
                throw new CliUsageException("--epochs must be at least 1");
            }

            var files = SineSample.Create(parse.GetValue(seed), epochCount);
            Directory.CreateDirectory(folder.FullName);
            AtomicFile.WriteAllBytes(Path.Combine(folder.FullName, "sine_float.tflite"), files.Model);
            AtomicFile.WriteAllBytes(Path.Combine(folder.FullName, "calibration.npy"), files.Calibration.ToBytes());
            AtomicFile.WriteAllBytes(Path.Combine(folder.FullName, "input.npy"), files.Input.ToBytes());
            console.Out.WriteLine($"trained sine MLP 1-16-16-1 ({epochCount} epochs, training MSE {files.TrainingLoss.ToString("G3", CultureInfo.InvariantCulture)})");
            console.Out.WriteLine($"wrote {folder.FullName}: sine_float.tflite ({files.Model.Length:N0} bytes), calibration.npy ({files.Calibration.Shape[0]} samples), input.npy ({files.Input.Shape[0]} samples)");
            return 0;
        }));
        return command;
    }
}
