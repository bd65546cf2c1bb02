using System.CommandLine;
using NanoQuant.Host.IO;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Runtime;

namespace NanoQuant.Cli;

/// <summary>`nanoquant run MODEL.nq --input X.npy [--output Y.npy]`: runs the device runtime on the host.</summary>
public static class RunCommand
{
    public static Command Create(CliConsole console)
    {
        var model = new Argument<FileInfo>("model") { Description = "device model (.nq)" };
        var inputs = new Option<FileInfo[]>("--input", "-i")
        {
            Description = "input .npy (float32 is quantized with the input's scale and zero point, int8 is taken as is); once per model input, in order; a leading axis of N runs N samples",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var outputs = new Option<FileInfo[]>("--output", "-o") { Description = "output .npy to write, once per model output (omit to print the outputs)" };
        var command = new Command("run", "Run a device model on .npy inputs with the device runtime") { model, inputs, outputs };
        command.SetAction(parse => console.Guard(() =>
        {
            var modelFile = parse.GetValue(model)!;
            var inputFiles = parse.GetValue(inputs) ?? [];
            var outputFiles = parse.GetValue(outputs) ?? [];
            var runner = new ModelRunner(CliFiles.ReadDeviceModel(modelFile.FullName));
            foreach (var file in inputFiles)
            {
                CliFiles.CheckDataFile(file.FullName, "--input");
            }

            foreach (var file in outputFiles)
            {
                CliFiles.CheckOutputFile(file.FullName, "--output", ".npy", "a NumPy array");
            }

            if (outputFiles.Length != 0 && outputFiles.Length != runner.Interpreter.OutputCount)
            {
                throw new CliUsageException($"the model has {runner.Interpreter.OutputCount} output(s), {outputFiles.Length} --output given");
            }

            var arrays = inputFiles.Select(f => NpyArray.Load(f.FullName)).ToList();
            NanoQuant.Host.Npy.NpyArray[] results;
            using (var bar = new ProgressBar(console, "running", runner.SampleCount(arrays)))
            {
                results = runner.Run(arrays, bar);
            }

            for (int o = 0; o < results.Length; o++)
            {
                if (outputFiles.Length > 0)
                {
                    AtomicFile.WriteAllBytes(outputFiles[o].FullName, results[o].ToBytes());
                    console.Out.WriteLine($"output {o}: ({string.Join(", ", results[o].Shape)}) {results[o].Type} → {outputFiles[o].FullName}");
                }
                else
                {
                    console.Out.WriteLine($"output {o}: ({string.Join(", ", results[o].Shape)}) {results[o].Type}");
                    Print(console.Out, results[o]);
                }
            }

            return 0;
        }));
        return command;
    }

    private static void Print(TextWriter writer, NpyArray array)
    {
        var values = array.ToDoubles();
        int row = array.Shape.Length > 1 ? array.Shape[^1] : values.Length;
        int rows = Math.Min(values.Length / Math.Max(row, 1), 16);
        for (int r = 0; r < rows; r++)
        {
            var slice = values.Skip(r * row).Take(Math.Min(row, 16));
            string text = string.Join(" ", slice.Select(v => array.Type == NpyType.Float32 ? v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture) : v.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            int argmax = Enumerable.Range(0, row).MaxBy(i => values[(r * row) + i]);
            writer.WriteLine($"  [{r}] {text}{(row > 16 ? " …" : "")}{(row > 1 ? $"  (argmax {argmax})" : "")}");
        }

        if (values.Length / Math.Max(row, 1) > rows)
        {
            writer.WriteLine($"  … {values.Length / row - rows} more rows");
        }
    }
}
