namespace NanoQuant.Host.Benchmarks;

/// <summary>
/// One model's benchmark figures on one runtime, the same shape for every runtime: the cost per Invoke in the runtime's
/// <see cref="Unit"/> (wall-clock ms, or exact instructions on an emulated board), MAC rate, the ratio to the dot loop
/// where the runtime has one, sizes, and per operator when asked.
/// </summary>
public sealed record BenchmarkRow(string Model, string Runtime, BenchmarkUnit Unit, long Macs, BenchmarkTiming Timing)
{
    /// <summary>The activation arena of the device model.</summary>
    public required int ArenaBytes { get; init; }

    /// <summary>The largest total of tensors alive at once.</summary>
    public required int LowerBoundBytes { get; init; }

    /// <summary>TensorFlow Lite Micro's arena from a golden's manifest (null without one).</summary>
    public int? TfliteMicroArenaBytes { get; init; }

    /// <summary>The device model's size.</summary>
    public required int DeviceModelBytes { get; init; }

    /// <summary>The .tflite's size (null for a .nq given as it is).</summary>
    public long? TfliteBytes { get; init; }

    /// <summary>Per operator with <see cref="BenchmarkSettings.PerOperator"/> (empty otherwise).</summary>
    public IReadOnlyList<BenchmarkOperatorRow> Operators { get; init; } = [];

    /// <summary>Milliseconds per Invoke (null on an emulated board, which counts instructions).</summary>
    public double? MillisecondsPerInvoke => Unit == BenchmarkUnit.Milliseconds ? Timing.PerInvoke : null;

    /// <summary>Guest instructions per Invoke on an emulated board (null elsewhere).</summary>
    public long? InstructionsPerInvoke => Unit == BenchmarkUnit.Instructions ? (long)Math.Round(Timing.PerInvoke) : null;

    /// <summary>MACs per second (per millisecond × 1000), or per instruction on an emulated board.</summary>
    public double MacsPerUnit => Macs / Timing.PerInvoke * (Unit == BenchmarkUnit.Milliseconds ? 1000 : 1);
}

/// <summary>
/// One operator timed alone: the kernel that ran it (<see cref="BenchmarkTiming.OperatorKernels"/>), its MACs, cost per Invoke
/// in the row's unit, share of the operators' total, ratio to the dot loop (null without one or without MACs).
/// </summary>
public sealed record BenchmarkOperatorRow(int Index, string Operator, string Kernel, long Macs, double PerInvoke, double Share, double? Ratio);

/// <summary>A benchmark on one runtime: its rows and its baseline.</summary>
/// <param name="DotLoopMacsPerUnit">The plain int8 dot loop's MACs per millisecond or per instruction (median of its rounds); null in this process.</param>
public sealed record BenchmarkReport(string Runtime, BenchmarkUnit Unit, double? DotLoopMacsPerUnit, IReadOnlyList<BenchmarkRow> Rows);
