using System.Diagnostics;

namespace NanoQuant.Host.Benchmarks;

/// <summary>
/// How `--runtime dotnet` times a model (<see cref="Runtime.DotNetRuntime.Time"/>): the device library in this process on
/// random inputs, wall clock for at least <see cref="BenchmarkSettings.MinimumTime"/>; with --versus, the two models in
/// <see cref="ModelBenchmark.ComparisonRounds"/> rounds of alternation, so load that slows both alike cancels.
/// </summary>
public static class InProcessBenchmark
{
    /// <summary>Times <paramref name="model"/> (and its <see cref="BenchmarkModel.Versus"/>, if any).</summary>
    public static BenchmarkTiming Time(BenchmarkModel model, BenchmarkSettings settings)
    {
        using var interpreter = new Interpreter(model.DeviceModel);
        long allocated = WarmUp(interpreter);
        BenchmarkTiming timing;
        if (model.Versus is { } versus)
        {
            using var other = new Interpreter(versus.DeviceModel);
            WarmUp(other);
            timing = Compare(interpreter, other, versus.Name, settings.MinimumTime);
            if (settings.PerOperator)
            {
                timing = timing with { Operators = TimeOperators(interpreter, settings.MinimumTime).Operators };
            }
        }
        else if (settings.PerOperator)
        {
            timing = TimeOperators(interpreter, settings.MinimumTime);
        }
        else
        {
            var (ms, runs) = Time(interpreter, settings.MinimumTime);
            timing = new BenchmarkTiming(ms) { TimedRuns = runs };
        }

        return timing with { BytesAllocatedPerInvoke = allocated };
    }

    private static BenchmarkTiming Compare(Interpreter a, Interpreter b, string versus, TimeSpan minimumTime)
    {
        const int rounds = ModelBenchmark.ComparisonRounds;
        var slice = minimumTime / (2 * rounds);
        var ratios = new double[rounds];
        double aTotal = 0, bTotal = 0;
        int aRuns = 0, bRuns = 0;
        for (int round = 0; round < rounds; round++)
        {
            var a1 = Time(a, slice);
            var b1 = Time(b, slice);
            var b2 = Time(b, slice);
            var a2 = Time(a, slice);
            double aMs = (a1.Milliseconds * a1.Runs + a2.Milliseconds * a2.Runs) / (a1.Runs + a2.Runs);
            double bMs = (b1.Milliseconds * b1.Runs + b2.Milliseconds * b2.Runs) / (b1.Runs + b2.Runs);
            ratios[round] = aMs / bMs;
            aTotal += aMs * (a1.Runs + a2.Runs);
            aRuns += a1.Runs + a2.Runs;
            bTotal += bMs * (b1.Runs + b2.Runs);
            bRuns += b1.Runs + b2.Runs;
        }

        Array.Sort(ratios);
        double median = (ratios[(rounds - 1) / 2] + ratios[rounds / 2]) / 2;
        return new BenchmarkTiming(aTotal / aRuns)
        {
            TimedRuns = aRuns,
            Rounds = rounds,
            Versus = new BenchmarkComparison(versus, bTotal / bRuns, median, ratios[0], ratios[^1], rounds),
        };
    }

    /// <summary>Invoke until <paramref name="minimumTime"/> passed (at least once): ms per Invoke and the Invoke calls made.</summary>
    private static (double Milliseconds, int Runs) Time(Interpreter interpreter, TimeSpan minimumTime)
    {
        var stopwatch = Stopwatch.StartNew();
        int runs = 0;
        do
        {
            interpreter.Invoke();
            runs++;
        }
        while (stopwatch.Elapsed < minimumTime);

        return (stopwatch.Elapsed.TotalMilliseconds / runs, runs);
    }

    /// <summary>
    /// The whole model and each operator, in alternation until <paramref name="minimumTime"/> passed (so load that
    /// slows one slows the other): each run an Invoke timed whole, then the model operator by operator (operators run
    /// in order) with a clock read on each side of each; ms per Invoke of the whole and of each operator.
    /// </summary>
    private static BenchmarkTiming TimeOperators(Interpreter interpreter, TimeSpan minimumTime)
    {
        var ticks = new long[interpreter.OperatorCount];
        long whole = 0;
        int runs = 0;
        var stopwatch = Stopwatch.StartNew();
        do
        {
            long start = Stopwatch.GetTimestamp();
            interpreter.Invoke();
            whole += Stopwatch.GetTimestamp() - start;
            for (int o = 0; o < ticks.Length; o++)
            {
                start = Stopwatch.GetTimestamp();
                interpreter.InvokeOperator(o);
                ticks[o] += Stopwatch.GetTimestamp() - start;
            }

            runs++;
        }
        while (stopwatch.Elapsed < minimumTime);

        double Milliseconds(long t) => t * 1000.0 / Stopwatch.Frequency / runs;
        return new BenchmarkTiming(Milliseconds(whole)) { TimedRuns = runs, Operators = ticks.Select(Milliseconds).ToList() };
    }

    /// <summary>Random inputs, two Invoke calls: the bytes the second allocated.</summary>
    private static long WarmUp(Interpreter interpreter)
    {
        var random = new Random(1);
        for (int i = 0; i < interpreter.InputCount; i++)
        {
            var input = interpreter.GetInput(i);
            for (int k = 0; k < input.Length; k++)
            {
                if (input.Type == Format.TensorType.Int16)
                {
                    input.SetInt16(k, (short)random.Next(short.MinValue, short.MaxValue + 1));
                }
                else
                {
                    input.SetInt8(k, (sbyte)random.Next(-128, 128));
                }
            }
        }

        interpreter.Invoke();
        long before = GC.GetAllocatedBytesForCurrentThread();
        interpreter.Invoke();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
