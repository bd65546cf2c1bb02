using System.CommandLine;
using NanoQuant.Host.IO;
using NanoQuant.Host.NanoClr;
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
        var runtime = new RuntimeOptions();
        var resetState = new Option<bool>("--reset-state")
        {
            Description = "stateful (streaming) models, e.g. LSTMs: reset the state before every sample, so each runs on its own; by default the samples are frames of one stream, their state carried from each to the next",
        };
        var command = new Command("run", "Run a device model on .npy inputs with the device runtime. The N samples of a batch run in order through one interpreter: a stateful model (LSTM state) carries its state from sample to sample unless --reset-state is given")
        {
            model, inputs, outputs,
        };
        foreach (var option in runtime.All)
        {
            command.Options.Add(option);
        }

        command.Options.Add(resetState);

        command.SetAction(parse => console.Guard(() =>
        {
            var modelFile = parse.GetValue(model)!;
            var inputFiles = parse.GetValue(inputs) ?? [];
            var outputFiles = parse.GetValue(outputs) ?? [];
            byte[] modelBytes = CliFiles.ReadDeviceModel(modelFile.FullName);
            var runner = new ModelRunner(modelBytes);
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
            string runtimeName = runtime.Name(parse);
            if (parse.GetValue(resetState) && !ModelRuntimes.RunsInProcess(runtimeName))
            {
                throw new CliUsageException($"--reset-state is available with --runtime {ModelRuntimes.DotNet} only");
            }

            int sampleCount = runner.SampleCount(arrays);
            var chosen = runtime.Create(parse, console);
            RuntimeRun run;
            using (IDisposable progress = chosen.InProcess ? new CliProgress(console, "running", sampleCount) : CliProgress.Busy(console, "running on nanoCLR"))
            {
                run = chosen.Run(modelBytes, arrays, progress as IProgress<int>, parse.GetValue(resetState));
            }

            var results = run.Outputs;
            if (run.NanoClr is { } nanoClrRun)
            {
                var host = ((NanoClrRuntime)chosen).Host;
                console.Out.WriteLine(NanoClrSummary(nanoClrRun, host.Board, host.FirmwareKernels));
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

    /// <summary>nanoCLR's figures for a run: time per Invoke (instructions on an emulated board), MAC/s, and (when one was measured) the ratio to the plain int8 dot loop in the same process.</summary>
    internal static string NanoClrSummary(NanoClrRunResult run, string? board = null, string firmwareKernels = "managed")
    {
        var job = run.Job;
        string kernels = job.Backend != "native" ? "managed kernels"
            : $"{(firmwareKernels == "cmsis-nn" ? "native kernels (with CMSIS-NN where faster)" : "native kernels")} for {job.NativeOperators} operators";
        if (board is not null)
        {
            double instructions = run.MillisecondsPerInvoke * NanoClrHost.InstructionsPerMillisecond;
            string perMac = job.Macs > 0 ? $", {job.Macs / instructions:F6} MACs per instruction" : "";
            return $"{board} (nanoCLR firmware in QEMU {NanoClrHost.Boards[board]}): {instructions:N0} instructions per Invoke (average of {run.TimedInvokes}, {job.Macs:N0} MACs){perMac}; model loaded {(job.Mode == NanoClrLoadMode.Ram ? "into RAM" : "streaming weights from the resource")}; {kernels}";
        }

        string speed = job.Macs > 0 ? $", {run.MacsPerSecond / 1e6:F2}M MAC/s" : "";
        if (job.Macs > 0 && run.BaselineMacsPerSecond > 0)
        {
            speed += $"; plain int8 dot loop {run.BaselineMacsPerSecond / 1e6:F2}M MAC/s, ratio {run.Ratio:F2}";
        }
        return $"nanoCLR: {run.MillisecondsPerInvoke:F1} ms per Invoke (average of {run.TimedInvokes}, {job.Macs:N0} MACs){speed}; model loaded {(job.Mode == NanoClrLoadMode.Ram ? "into RAM" : "streaming weights from the resource")}; {kernels}";
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
