using NanoQuant.Host.Benchmarks;

namespace NanoQuant.Host.NanoClr;

/// <summary>
/// How the nanoCLR runtimes time a model (<see cref="Runtime.NanoClrRuntime.Time"/>): each model on random int8 inputs
/// with one warm-up Invoke, then rounds of timed Invoke calls, each round followed by the plain unrolled int8 dot loop of
/// hardware/common/DotProductBaseline.cs over as many MACs; a round's ratio = model MAC/s ÷ that loop's MAC/s, and the
/// timing gives the median round. Pairing each round with the loop run right after it keeps the ratio meaningful when
/// other work shares the machine (absolute figures do not). On an emulated board (QEMU -icount: one virtual ns per guest
/// instruction) one timed Invoke is exact, so every model runs once in one boot and the unit is instructions.
/// </summary>
public static class NanoClrBenchmark
{
    /// <summary>Timing rounds per model on the Linux nanoCLR.</summary>
    public const int DefaultRounds = 5;

    /// <summary>MACs a round runs on the Linux nanoCLR (at least one Invoke), unless --runs sets the Invoke calls.</summary>
    public const long MacsPerRound = 4_000_000;

    /// <summary>
    /// Times <paramref name="models"/> on <paramref name="host"/>: on the Linux nanoCLR one process per model (so that
    /// <paramref name="measured"/> hears of each as it finishes), on an emulated board every model in one boot.
    /// </summary>
    public static BenchmarkTimings Time(NanoClrHost host, IReadOnlyList<BenchmarkModel> models, BenchmarkSettings settings, Action<int, BenchmarkTiming>? measured = null)
    {
        bool board = host.Board is not null;
        double unitsPerMillisecond = board ? NanoClrHost.InstructionsPerMillisecond : 1;
        var timings = new List<BenchmarkTiming>();
        var baselines = new List<double>();
        var groups = board ? [models] : models.Select(m => (IReadOnlyList<BenchmarkModel>)[m]).ToList();
        foreach (var group in groups)
        {
            var batch = host.Run(group.Select(m => Job(m, settings, board)).ToList());
            foreach (var r in batch.Jobs)
            {
                double? operatorLoop = r.OperatorBaselineMacsPerSecond > 0 ? r.OperatorBaselineMacsPerSecond / 1000.0 / unitsPerMillisecond : null;
                var ratios = r.Rounds.Select(x => x.Ratio(r.Macs)).Where(x => !double.IsNaN(x)).ToArray();
                baselines.AddRange(r.Rounds.Select(x => x.BaselineMacsPerSecond / 1000.0 / unitsPerMillisecond));
                var timing = new BenchmarkTiming(Median(r.Rounds.Select(x => x.MillisecondsPerInvoke)) * unitsPerMillisecond)
                {
                    Ratio = ratios.Length > 0 ? Median(ratios) : null,
                    RatioMin = ratios.Length > 0 ? ratios.Min() : null,
                    RatioMax = ratios.Length > 0 ? ratios.Max() : null,
                    TimedRuns = r.TimedRuns,
                    Rounds = r.Rounds.Count,
                    Loaded = r.Mode == NanoClrLoadMode.Ram ? "ram" : "streamed",
                    Operators = r.OperatorMilliseconds.Select(ms => ms * unitsPerMillisecond).ToList(),
                    OperatorKernels = r.OperatorKernels,
                    OperatorDotLoopMacsPerUnit = operatorLoop,
                };
                measured?.Invoke(timings.Count, timing);
                timings.Add(timing);
            }
        }

        return new BenchmarkTimings(timings, baselines.Count > 0 ? Median(baselines) : null);
    }

    /// <summary>
    /// A model's job: on the Linux nanoCLR <see cref="DefaultRounds"/> rounds of enough Invoke calls for about
    /// <see cref="MacsPerRound"/> MACs (or --runs); on a board one round of one Invoke.
    /// </summary>
    private static NanoClrJob Job(BenchmarkModel model, BenchmarkSettings settings, bool board)
    {
        var random = new Random(1);
        using var interpreter = new Interpreter(model.DeviceModel);
        var inputs = Enumerable.Range(0, interpreter.InputCount).Select(i =>
        {
            var bytes = new byte[NanoClrJob.TensorBytes(interpreter.GetInput(i))];
            random.NextBytes(bytes);
            return bytes;
        }).ToArray();
        // A model without MACs (simple_add_model: one ADD over 49,152 bytes) is costed by its arena bytes instead:
        // costed at one MAC, it ran 100,000 Invokes per round and bench --all did not finish.
        long work = Math.Max(interpreter.MacCount, interpreter.ArenaBytes);
        int runs = board ? 1 : settings.RunsPerRound ?? (int)Math.Clamp(MacsPerRound / Math.Max(1, work), 1, 100_000);
        return new NanoClrJob(model.DeviceModel, inputs, 1) { TimedRuns = runs, ReturnOutputs = false, Rounds = board ? 1 : DefaultRounds, TimeOperators = settings.PerOperator };
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
