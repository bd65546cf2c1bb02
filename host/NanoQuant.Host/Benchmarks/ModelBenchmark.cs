using System.Diagnostics;
using System.Text.Json;
using NanoQuant.Host.Conversion;

namespace NanoQuant.Host.Benchmarks;

/// <summary>Figures for one model: speed of the device runtime on this machine, memory against TFLite Micro, sizes.</summary>
public sealed record BenchmarkResult(
    string Model,
    long Macs,
    double MillisecondsPerInvoke,
    int ArenaBytes,
    int LowerBoundBytes,
    int? TfliteMicroArenaBytes,
    int DeviceModelBytes,
    long TfliteBytes,
    long BytesAllocatedPerInvoke)
{
    public double MacsPerSecond => Macs / (MillisecondsPerInvoke / 1000.0);

    /// <summary>With bench --versus: this model's time per Invoke against another model's, timed in alternation.</summary>
    public BenchmarkComparison? Versus { get; init; }
}

/// <summary>
/// A model's time per Invoke ÷ the <see cref="Model"/>'s, per round of the two timed in alternation (so load on the
/// machine slows both alike): <see cref="Ratio"/> is the median round's, <see cref="RatioMin"/>–<see cref="RatioMax"/> the range.
/// </summary>
public sealed record BenchmarkComparison(string Model, double MillisecondsPerInvoke, double Ratio, double RatioMin, double RatioMax, int Rounds);

/// <summary>Measures models converted from ../shared/models against their golden manifests (a benchmark, not a test).</summary>
public static class ModelBenchmark
{
    /// <summary>Timing rounds of a comparison (each: the model, then the other, then the other, then the model).</summary>
    public const int ComparisonRounds = 10;

    /// <summary>Measures a user's model file: a .tflite (converted here) or a .nq device model (no TFLM arena to compare).</summary>
    public static BenchmarkResult Measure(string name, string modelPath, TimeSpan minimumTime) =>
        Measure(name, modelPath, null, minimumTime);

    /// <summary>Measures a .tflite or .nq model; <paramref name="manifestPath"/> (a golden's manifest.json) gives TFLM's arena.</summary>
    public static BenchmarkResult Measure(string name, string modelPath, string? manifestPath, TimeSpan minimumTime)
    {
        var subject = Subject.Load(name, modelPath, manifestPath);
        long allocated = subject.WarmUp();
        return subject.Result(Time(subject.Interpreter, minimumTime).Milliseconds, allocated);
    }

    /// <summary>
    /// Measures <paramref name="model"/> against <paramref name="versus"/> (each a name, a .tflite or .nq path and an
    /// optional manifest): <see cref="ComparisonRounds"/> rounds of the two in ABBA order, each half-round about
    /// <paramref name="minimumTime"/> ÷ (2 × rounds) long; the model's row with <see cref="BenchmarkResult.Versus"/> set.
    /// </summary>
    public static BenchmarkResult Compare((string Name, string Path, string? Manifest) model, (string Name, string Path, string? Manifest) versus, TimeSpan minimumTime)
    {
        var a = Subject.Load(model.Name, model.Path, model.Manifest);
        var b = Subject.Load(versus.Name, versus.Path, versus.Manifest);
        long allocated = a.WarmUp();
        b.WarmUp();
        var slice = minimumTime / (2 * ComparisonRounds);
        var ratios = new double[ComparisonRounds];
        double aTotal = 0, bTotal = 0;
        int aRuns = 0, bRuns = 0;
        for (int round = 0; round < ComparisonRounds; round++)
        {
            var a1 = Time(a.Interpreter, slice);
            var b1 = Time(b.Interpreter, slice);
            var b2 = Time(b.Interpreter, slice);
            var a2 = Time(a.Interpreter, slice);
            double aMs = (a1.Milliseconds * a1.Runs + a2.Milliseconds * a2.Runs) / (a1.Runs + a2.Runs);
            double bMs = (b1.Milliseconds * b1.Runs + b2.Milliseconds * b2.Runs) / (b1.Runs + b2.Runs);
            ratios[round] = aMs / bMs;
            aTotal += aMs * (a1.Runs + a2.Runs);
            aRuns += a1.Runs + a2.Runs;
            bTotal += bMs * (b1.Runs + b2.Runs);
            bRuns += b1.Runs + b2.Runs;
        }

        Array.Sort(ratios);
        double median = (ratios[(ComparisonRounds - 1) / 2] + ratios[ComparisonRounds / 2]) / 2;
        return a.Result(aTotal / aRuns, allocated) with
        {
            Versus = new BenchmarkComparison(versus.Name, bTotal / bRuns, median, ratios[0], ratios[^1], ComparisonRounds),
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

    /// <summary>A model ready to time: its interpreter and the figures that do not depend on timing.</summary>
    private sealed class Subject
    {
        private Func<double, long, BenchmarkResult> _result = null!;

        public Interpreter Interpreter { get; private init; } = null!;

        public BenchmarkResult Result(double millisecondsPerInvoke, long allocatedPerInvoke) => _result(millisecondsPerInvoke, allocatedPerInvoke);

        /// <summary>A .nq device model as it is (no TFLM arena to compare), or a .tflite converted here.</summary>
        public static Subject Load(string name, string modelPath, string? manifestPath)
        {
            if (modelPath.EndsWith(".nq", StringComparison.OrdinalIgnoreCase))
            {
                byte[] bytes = File.ReadAllBytes(modelPath);
                var device = new Interpreter(bytes);
                return new Subject
                {
                    Interpreter = device,
                    _result = (ms, allocated) => new BenchmarkResult(name, device.MacCount, ms, device.ArenaBytes, device.ArenaBytes, null, bytes.Length, 0, allocated),
                };
            }

            var conversion = Converter.ConvertFile(modelPath);
            var interpreter = new Interpreter(conversion.Bytes);
            int? reference = null;
            if (manifestPath is not null && File.Exists(manifestPath))
            {
                using var manifest = JsonDocument.Parse(File.ReadAllText(manifestPath));
                reference = manifest.RootElement.GetProperty("reference_arena_used_bytes").GetInt32();
            }

            long tfliteBytes = new FileInfo(modelPath).Length;
            return new Subject
            {
                Interpreter = interpreter,
                _result = (ms, allocated) => new BenchmarkResult(name, interpreter.MacCount, ms, conversion.Plan.ArenaBytes,
                    conversion.Plan.LowerBound, reference, conversion.Bytes.Length, tfliteBytes, allocated),
            };
        }

        /// <summary>Random inputs, two Invoke calls: the bytes the second allocated.</summary>
        public long WarmUp()
        {
            var random = new Random(1);
            for (int i = 0; i < Interpreter.InputCount; i++)
            {
                var input = Interpreter.GetInput(i);
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

            Interpreter.Invoke();
            long before = GC.GetAllocatedBytesForCurrentThread();
            Interpreter.Invoke();
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
    }
}
