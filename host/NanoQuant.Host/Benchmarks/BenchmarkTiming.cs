namespace NanoQuant.Host.Benchmarks;

/// <summary>
/// What a runtime measured for one model (<see cref="Runtime.IModelRuntime.Time"/>), in the runtime's
/// <see cref="BenchmarkUnit"/>; <see cref="ModelBenchmark.Run"/> joins it with the model's own figures into a <see cref="BenchmarkRow"/>.
/// </summary>
/// <param name="PerInvoke">Milliseconds or instructions per Invoke (on nanoCLR the median round's).</param>
public sealed record BenchmarkTiming(double PerInvoke)
{
    /// <summary>Model MAC rate ÷ the plain int8 dot loop's in the same process, the median round's (null without a dot loop or without MACs).</summary>
    public double? Ratio { get; init; }

    /// <summary>The lowest and highest round's <see cref="Ratio"/>.</summary>
    public double? RatioMin { get; init; }

    /// <inheritdoc cref="RatioMin"/>
    public double? RatioMax { get; init; }

    /// <summary>Timed Invoke calls (per round on nanoCLR, in all in this process).</summary>
    public int TimedRuns { get; init; }

    /// <summary>Timing rounds (1 in this process without --versus).</summary>
    public int Rounds { get; init; } = 1;

    /// <summary>On nanoCLR: "ram", or "streamed" (weights streamed from the model's resource); null in this process.</summary>
    public string? Loaded { get; init; }

    /// <summary>In this process: managed bytes one Invoke allocated (0 expected); null elsewhere.</summary>
    public long? BytesAllocatedPerInvoke { get; init; }

    /// <summary>With --versus: this model against another, timed in alternation.</summary>
    public BenchmarkComparison? Versus { get; init; }

    /// <summary>Per operator with <see cref="BenchmarkSettings.PerOperator"/>: its cost per Invoke alone (same unit).</summary>
    public IReadOnlyList<double> Operators { get; init; } = [];

    /// <summary>
    /// With <see cref="Operators"/> on nanoCLR: the kernel that ran each operator ("managed", "native", or the vendor library
    /// the native build's rule table picked, "cmsis-nn"); empty in this process, whose kernels are all managed.
    /// </summary>
    public IReadOnlyList<string> OperatorKernels { get; init; } = [];

    /// <summary>With <see cref="Operators"/> on nanoCLR: the dot loop's MACs per unit, run right after the operators (null in this process).</summary>
    public double? OperatorDotLoopMacsPerUnit { get; init; }
}

/// <summary>The figures a runtime measured for every model, and its baseline.</summary>
/// <param name="Models">One timing per model, in the order given.</param>
/// <param name="DotLoopMacsPerUnit">The plain int8 dot loop's MACs per millisecond or per instruction in the same process (median of its rounds); null where there is no dot loop (in this process).</param>
public sealed record BenchmarkTimings(IReadOnlyList<BenchmarkTiming> Models, double? DotLoopMacsPerUnit);

/// <summary>
/// A model's time per Invoke ÷ the <see cref="Model"/>'s, per round of the two timed in alternation (so load on the
/// machine slows both alike): <see cref="Ratio"/> is the median round's, <see cref="RatioMin"/>–<see cref="RatioMax"/> the range.
/// </summary>
public sealed record BenchmarkComparison(string Model, double MillisecondsPerInvoke, double Ratio, double RatioMin, double RatioMax, int Rounds);
