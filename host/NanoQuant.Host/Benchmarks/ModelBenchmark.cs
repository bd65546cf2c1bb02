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
}

/// <summary>Measures models converted from ../shared/models against their golden manifests (a benchmark, not a test).</summary>
public static class ModelBenchmark
{
    /// <summary>Measures a user's model file: a .tflite (converted here) or a .nq device model (no TFLM arena to compare).</summary>
    public static BenchmarkResult Measure(string name, string modelPath, TimeSpan minimumTime)
    {
        if (!modelPath.EndsWith(".nq", StringComparison.OrdinalIgnoreCase))
        {
            return Measure(name, modelPath, null, minimumTime);
        }

        byte[] bytes = File.ReadAllBytes(modelPath);
        var interpreter = new Interpreter(bytes);
        var (ms, allocated) = Time(interpreter, minimumTime);
        return new BenchmarkResult(name, interpreter.MacCount, ms, interpreter.ArenaBytes, interpreter.ArenaBytes, null, bytes.Length, 0, allocated);
    }

    public static BenchmarkResult Measure(string name, string tflitePath, string? manifestPath, TimeSpan minimumTime)
    {
        var conversion = Converter.ConvertFile(tflitePath);
        var interpreter = new Interpreter(conversion.Bytes);
        var (ms, allocated) = Time(interpreter, minimumTime);

        int? reference = null;
        if (manifestPath is not null && File.Exists(manifestPath))
        {
            using var manifest = JsonDocument.Parse(File.ReadAllText(manifestPath));
            reference = manifest.RootElement.GetProperty("reference_arena_used_bytes").GetInt32();
        }

        return new BenchmarkResult(name, interpreter.MacCount, ms, conversion.Plan.ArenaBytes,
            conversion.Plan.LowerBound, reference, conversion.Bytes.Length, new FileInfo(tflitePath).Length, allocated);
    }

    /// <summary>Random int8 inputs, two Invoke calls (the second's allocations counted), then Invoke until <paramref name="minimumTime"/> passed.</summary>
    private static (double MillisecondsPerInvoke, long AllocatedPerInvoke) Time(Interpreter interpreter, TimeSpan minimumTime)
    {
        var random = new Random(1);
        for (int i = 0; i < interpreter.InputCount; i++)
        {
            var input = interpreter.GetInput(i);
            for (int k = 0; k < input.Length; k++)
            {
                input.SetInt8(k, (sbyte)random.Next(-128, 128));
            }
        }

        interpreter.Invoke();
        long before = GC.GetAllocatedBytesForCurrentThread();
        interpreter.Invoke();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        var stopwatch = Stopwatch.StartNew();
        int runs = 0;
        do
        {
            interpreter.Invoke();
            runs++;
        }
        while (stopwatch.Elapsed < minimumTime);

        return (stopwatch.Elapsed.TotalMilliseconds / runs, allocated);
    }
}
