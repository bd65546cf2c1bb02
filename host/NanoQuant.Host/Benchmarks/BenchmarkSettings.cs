namespace NanoQuant.Host.Benchmarks;

/// <summary>What `bench` asks of a runtime's measurement; each runtime uses the settings that apply to its way of timing.</summary>
public sealed record BenchmarkSettings
{
    /// <summary>In this process: the least wall-clock time each model is timed for (with --versus, the two models' rounds together).</summary>
    public TimeSpan MinimumTime { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>On the Linux nanoCLR: timed Invoke calls per round (bench --runs); null: enough for about 4 M MACs per round.</summary>
    public int? RunsPerRound { get; init; }

    /// <summary>Also time each operator alone (<see cref="BenchmarkRow.Operators"/>).</summary>
    public bool PerOperator { get; init; }
}
