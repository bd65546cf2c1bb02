namespace NanoQuant.Host.NanoClr;

/// <summary>One model's figures on nanoCLR.</summary>
public sealed record NanoClrBenchmarkRow(string Model, long Macs, double MillisecondsPerInvoke, int TimedRuns, int ArenaBytes, int ModelBytes, NanoClrLoadMode Mode, double Ratio)
{
    public double MacsPerSecond => Macs / (MillisecondsPerInvoke / 1000.0);
}

/// <summary>
/// Speed on nanoCLR (a benchmark, not a test): every model in one nanoCLR process, each on random int8 inputs
/// with one warm-up Invoke and then timed Invoke calls, and the plain unrolled int8 dot loop of
/// hardware/common/DotProductBaseline.cs in the same process; ratio = model MAC/s ÷ that loop's MAC/s.
/// </summary>
public static class NanoClrBenchmark
{
    /// <summary>Measures <paramref name="models"/>; each gets enough timed runs for about <paramref name="macsPerModel"/> MACs (at least one).</summary>
    public static (IReadOnlyList<NanoClrBenchmarkRow> Rows, long BaselineMacsPerSecond) Measure(NanoClrHost host, IReadOnlyList<(string Name, byte[] Model)> models, long macsPerModel = 20_000_000)
    {
        var random = new Random(1);
        var jobs = new List<NanoClrJob>();
        long totalMacs = 0;
        foreach (var (_, model) in models)
        {
            var interpreter = new Interpreter(model);
            var inputs = Enumerable.Range(0, interpreter.InputCount).Select(i =>
            {
                var bytes = new byte[NanoClrJob.TensorBytes(interpreter.GetInput(i))];
                random.NextBytes(bytes);
                return bytes;
            }).ToArray();
            int runs = (int)Math.Clamp(macsPerModel / Math.Max(1, interpreter.MacCount), 1, 1000);
            totalMacs += interpreter.MacCount * runs;
            jobs.Add(new NanoClrJob(model, inputs, 1) { TimedRuns = runs, ReturnOutputs = false });
        }

        var batch = host.Run(jobs, Math.Clamp(totalMacs / Math.Max(1, models.Count), 4_000_000, int.MaxValue));
        var rows = new List<NanoClrBenchmarkRow>();
        for (int m = 0; m < models.Count; m++)
        {
            var r = batch.Jobs[m];
            double ratio = batch.BaselineMacsPerSecond > 0 && r.Macs > 0 ? r.MacsPerSecond / batch.BaselineMacsPerSecond : double.NaN;
            rows.Add(new NanoClrBenchmarkRow(models[m].Name, r.Macs, r.MillisecondsPerInvoke, r.TimedRuns, r.ArenaBytes, models[m].Model.Length, r.Mode, ratio));
        }

        return (rows, batch.BaselineMacsPerSecond);
    }
}
