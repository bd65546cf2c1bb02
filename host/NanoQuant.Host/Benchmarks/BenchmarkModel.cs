using System.Text.Json;
using NanoQuant.Host.Conversion;

namespace NanoQuant.Host.Benchmarks;

/// <summary>
/// A model ready to benchmark on any runtime: its device model bytes and the figures that do not depend on timing
/// (MACs, arena, sizes, and for a converted .tflite its memory plan's lower bound and TFLite Micro's arena).
/// </summary>
public sealed record BenchmarkModel
{
    /// <summary>The name the table shows (a golden's name, or a file's name without extension).</summary>
    public required string Name { get; init; }

    /// <summary>The device model (.nq bytes).</summary>
    public required byte[] DeviceModel { get; init; }

    /// <summary>Multiply-accumulates of one Invoke (as the interpreter counts them).</summary>
    public required long Macs { get; init; }

    /// <summary>The activation arena of the device model.</summary>
    public required int ArenaBytes { get; init; }

    /// <summary>The largest total of tensors alive at once (for a .nq given as it is: its arena, the plan is not kept).</summary>
    public required int LowerBoundBytes { get; init; }

    /// <summary>TensorFlow Lite Micro's <c>arena_used_bytes</c> from a golden's manifest; null without one.</summary>
    public int? TfliteMicroArenaBytes { get; init; }

    /// <summary>The .tflite's size; null for a .nq given as it is.</summary>
    public long? TfliteBytes { get; init; }

    /// <summary>With bench --versus (in this process only): the model this one is timed against, in alternation.</summary>
    public BenchmarkModel? Versus { get; init; }

    /// <summary>
    /// A .nq device model as it is, or a .tflite converted here; <paramref name="manifestPath"/> (a golden's manifest.json)
    /// gives TFLM's arena. Conversion failures propagate (<see cref="UnsupportedModelException"/>, ...).
    /// </summary>
    public static BenchmarkModel Load(string name, string modelPath, string? manifestPath = null)
    {
        if (modelPath.EndsWith(".nq", StringComparison.OrdinalIgnoreCase))
        {
            byte[] bytes = File.ReadAllBytes(modelPath);
            using var device = new Interpreter(bytes);
            return new BenchmarkModel { Name = name, DeviceModel = bytes, Macs = device.MacCount, ArenaBytes = device.ArenaBytes, LowerBoundBytes = device.ArenaBytes };
        }

        var conversion = Converter.ConvertFile(modelPath);
        using var interpreter = new Interpreter(conversion.Bytes);
        int? reference = null;
        if (manifestPath is not null && File.Exists(manifestPath))
        {
            using var manifest = JsonDocument.Parse(File.ReadAllText(manifestPath));
            reference = manifest.RootElement.GetProperty("reference_arena_used_bytes").GetInt32();
        }

        return new BenchmarkModel
        {
            Name = name,
            DeviceModel = conversion.Bytes,
            Macs = interpreter.MacCount,
            ArenaBytes = conversion.Plan.ArenaBytes,
            LowerBoundBytes = conversion.Plan.LowerBound,
            TfliteMicroArenaBytes = reference,
            TfliteBytes = new FileInfo(modelPath).Length,
        };
    }
}
