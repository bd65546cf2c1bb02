using System.CommandLine;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.Fuzzing;

namespace NanoQuant.Cli;

/// <summary>`nanoquant fuzz`: the long fuzz run of device models (and optionally .tflite files), with cases per second.</summary>
public static class FuzzCommand
{
    public static Command Create(CliConsole console)
    {
        var models = new Argument<FileInfo[]>("models") { Description = ".tflite models to convert and fuzz (their device models; with --tflite the .tflite files too)", Arity = ArgumentArity.OneOrMore };
        var cases = new Option<long>("--cases", "-n") { Description = "total cases, spread evenly over the models", DefaultValueFactory = _ => 100_000 };
        var seed = new Option<int>("--seed") { Description = "first random seed", DefaultValueFactory = _ => 1 };
        var tflite = new Option<bool>("--tflite") { Description = "mutate the .tflite files (reader and converter) instead of the device models" };
        var palettes = new Option<bool>("--palettes") { Description = "convert with every int8 constant that fits stored as a palette and the int32 constants compacted (narrow, derived), so those checks and decoders are fuzzed" };
        var command = new Command("fuzz", "Mutate models and check that every mutant loads cleanly or is rejected with the documented error") { models, cases, seed, tflite, palettes };
        command.SetAction(parse => console.Guard(() =>
        {
            var files = parse.GetValue(models)!;
            long total = parse.GetValue(cases);
            if (total < 1)
            {
                throw new CliUsageException("--cases must be at least 1");
            }

            var overall = new FuzzReport();
            int seedValue = parse.GetValue(seed);
            bool mutateTfLite = parse.GetValue(tflite);
            var seeds = new List<(string Name, byte[] Bytes)>();
            foreach (var file in files)
            {
                if (!file.Exists)
                {
                    throw new CliUsageException($"model '{file.FullName}' does not exist");
                }

                try
                {
                    seeds.Add((file.Name, mutateTfLite ? File.ReadAllBytes(file.FullName) : Converter.ConvertFile(file.FullName, parse.GetValue(palettes) ? NanoQuant.Host.DeviceModels.PaletteMode.Always : NanoQuant.Host.DeviceModels.PaletteMode.WhenSmaller, compactConstants: parse.GetValue(palettes)).Bytes));
                }
                catch (UnsupportedModelException e)
                {
                    console.Out.WriteLine($"{file.Name}: skipped, it does not convert ({e.Message})");
                }
            }

            if (seeds.Count == 0)
            {
                throw new CliUsageException("none of the models converts");
            }

            for (int m = 0; m < seeds.Count; m++)
            {
                long share = (total / seeds.Count) + (m < total % seeds.Count ? 1 : 0);
                var modelReport = new FuzzReport();
                using (var bar = new CliProgress(console, "fuzzing", (int)Math.Min(share, int.MaxValue), minimumTotal: 1, clearWhenDone: true) { Note = seeds[m].Name })
                {
                    for (long done = 0; done < share;)
                    {
                        int batch = (int)Math.Min(10_000, share - done);
                        var report = mutateTfLite
                            ? TfLiteFuzzer.Run(seeds[m].Bytes, batch, seedValue++)
                            : DeviceModelFuzzer.Run(seeds[m].Bytes, batch, seedValue++);
                        modelReport.Add(report);
                        done += batch;
                        bar.Report((int)Math.Min(done, int.MaxValue));
                    }
                }

                console.Out.WriteLine($"{seeds[m].Name}: {modelReport.Cases:N0} cases, {modelReport.Loaded:N0} clean, {modelReport.Rejected:N0} rejected, {modelReport.Unexpected.Count} unexpected, {modelReport.CasesPerSecond:N0} cases/s");
                foreach (string problem in modelReport.Unexpected.Take(10))
                {
                    console.Out.WriteLine("  UNEXPECTED " + problem);
                }

                overall.Add(modelReport);
            }

            console.Out.WriteLine($"total: {overall.Cases:N0} cases in {overall.Elapsed.TotalSeconds:F1} s ({overall.CasesPerSecond:N0} cases/s), {overall.Loaded:N0} clean, {overall.Rejected:N0} rejected, {overall.Forged:N0} with forged checksums, {overall.Unexpected.Count} unexpected");
            return overall.Unexpected.Count == 0 ? 0 : 2;
        }));
        return command;
    }
}
