using NanoQuant.Format;
using NanoQuant.Host.DeviceModels;

namespace NanoQuant.Host.NanoClr;

/// <summary>One model's figures on nanoCLR: medians over the timing rounds, and the range of the rounds' ratios.</summary>
public sealed record NanoClrBenchmarkRow(string Model, long Macs, double MillisecondsPerInvoke, int TimedRuns, int ArenaBytes, int ModelBytes, NanoClrLoadMode Mode, double Ratio)
{
    public double MacsPerSecond => Macs / (MillisecondsPerInvoke / 1000.0);

    /// <summary>The lowest and highest ratio of one round (model runs, then the dot loop over as many MACs).</summary>
    public double RatioMin { get; init; } = double.NaN;

    /// <inheritdoc cref="RatioMin"/>
    public double RatioMax { get; init; } = double.NaN;

    /// <summary>Timing rounds the medians are taken over.</summary>
    public int Rounds { get; init; }

    /// <summary>Per operator, with --per-op (empty otherwise).</summary>
    public IReadOnlyList<NanoClrOperatorRow> Operators { get; init; } = [];
}

/// <summary>
/// One operator's time on nanoCLR (timed alone, over the model's timed runs), its ratio to the dot loop run right after, and
/// the kernel that ran it (<see cref="NanoClrJobResult.OperatorKernels"/>).
/// </summary>
public sealed record NanoClrOperatorRow(int Index, string Operator, string Kernel, long Macs, double MillisecondsPerInvoke, double Share, double Ratio)
{
    public double MacsPerSecond => MillisecondsPerInvoke > 0 ? Macs / (MillisecondsPerInvoke / 1000.0) : double.NaN;
}

/// <summary>
/// Speed on nanoCLR (a benchmark, not a test): every model in one nanoCLR process, each on random int8 inputs
/// with one warm-up Invoke, then <see cref="DefaultRounds"/> rounds of timed Invoke calls, each round followed by
/// the plain unrolled int8 dot loop of hardware/common/DotProductBaseline.cs over as many MACs; a round's ratio
/// = model MAC/s ÷ that loop's MAC/s, and the row gives the median round. Pairing each round with the loop run
/// right after it keeps the ratio meaningful when other work shares the machine (absolute figures do not).
/// </summary>
public static class NanoClrBenchmark
{
    /// <summary>Timing rounds per model.</summary>
    public const int DefaultRounds = 5;

    /// <summary>
    /// Measures <paramref name="models"/>; each round runs enough Invoke calls for about <paramref name="macsPerModel"/>
    /// ÷ <paramref name="rounds"/> MACs (at least one). With <paramref name="perOperator"/>, each operator is also
    /// timed alone over as many runs. <paramref name="runsPerRound"/> (bench --runs) sets the Invoke calls per round instead.
    /// </summary>
    public static (IReadOnlyList<NanoClrBenchmarkRow> Rows, long BaselineMacsPerSecond) Measure(NanoClrHost host, IReadOnlyList<(string Name, byte[] Model)> models, long macsPerModel = 20_000_000, bool perOperator = false, int rounds = DefaultRounds, int? runsPerRound = null)
    {
        var random = new Random(1);
        var jobs = new List<NanoClrJob>();
        foreach (var (_, model) in models)
        {
            var interpreter = new Interpreter(model);
            var inputs = Enumerable.Range(0, interpreter.InputCount).Select(i =>
            {
                var bytes = new byte[NanoClrJob.TensorBytes(interpreter.GetInput(i))];
                random.NextBytes(bytes);
                return bytes;
            }).ToArray();
            // A model without MACs (simple_add_model: one ADD over 49,152 bytes) is costed by its arena bytes instead:
            // costed at one MAC, it ran 100,000 Invokes per round and bench --all did not finish.
            long work = Math.Max(interpreter.MacCount, interpreter.ArenaBytes);
            int runs = runsPerRound ?? (int)Math.Clamp(macsPerModel / rounds / Math.Max(1, work), 1, 100_000);
            jobs.Add(new NanoClrJob(model, inputs, 1) { TimedRuns = runs, ReturnOutputs = false, Rounds = rounds, TimeOperators = perOperator });
        }

        var batch = host.Run(jobs);
        var rows = new List<NanoClrBenchmarkRow>();
        var baselines = new List<long>();
        for (int m = 0; m < models.Count; m++)
        {
            var r = batch.Jobs[m];
            var ratios = r.Rounds.Select(x => x.Ratio(r.Macs)).Where(x => !double.IsNaN(x)).ToArray();
            baselines.AddRange(r.Rounds.Select(x => x.BaselineMacsPerSecond));
            rows.Add(new NanoClrBenchmarkRow(models[m].Name, r.Macs, Median(r.Rounds.Select(x => x.MillisecondsPerInvoke)), r.TimedRuns, r.ArenaBytes, models[m].Model.Length, r.Mode,
                ratios.Length > 0 ? Median(ratios) : double.NaN)
            {
                RatioMin = ratios.Length > 0 ? ratios.Min() : double.NaN,
                RatioMax = ratios.Length > 0 ? ratios.Max() : double.NaN,
                Rounds = r.Rounds.Count,
                Operators = perOperator ? OperatorRows(models[m].Model, r) : [],
            });
        }

        return (rows, baselines.Count > 0 ? (long)Median(baselines.Select(b => (double)b)) : 0);
    }

    private static List<NanoClrOperatorRow> OperatorRows(byte[] model, NanoClrJobResult result)
    {
        var interpreter = new Interpreter(model);
        var operators = DeviceModelReader.Read(model).Operators;
        double total = result.OperatorMilliseconds.Sum();
        var rows = new List<NanoClrOperatorRow>();
        for (int i = 0; i < result.OperatorMilliseconds.Count && i < operators.Count; i++)
        {
            double ms = result.OperatorMilliseconds[i];
            long macs = interpreter.GetOperatorMacCount(i);
            double ratio = ms > 0 && macs > 0 && result.OperatorBaselineMacsPerSecond > 0 ? macs / (ms / 1000.0) / result.OperatorBaselineMacsPerSecond : double.NaN;
            rows.Add(new NanoClrOperatorRow(i, OperatorNames.Get(operators[i].Type), result.OperatorKernels[i], macs, ms, total > 0 ? ms / total : double.NaN, ratio));
        }

        return rows;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
