using NanoQuant.Host.Benchmarks;
using NanoQuant.Host.NanoClr;
using NanoQuant.Host.Npy;

namespace NanoQuant.Host.Runtime;

/// <summary>
/// Where a device model runs: in this process (<see cref="DotNetRuntime"/>) or on nanoCLR, the Linux kit's or an
/// emulated board's (<see cref="NanoClrRuntime"/>). <see cref="ModelRuntimes.Create"/> chooses one by name.
/// </summary>
public interface IModelRuntime
{
    /// <summary>The name `--runtime` gives it: one of <see cref="ModelRuntimes.Names"/>.</summary>
    string Name { get; }

    /// <summary>Whether it runs in this process, sample by sample (<see cref="ModelRuntimes.RunsInProcess"/>).</summary>
    bool InProcess { get; }

    /// <summary>
    /// Runs every sample of <paramref name="inputs"/> (a leading axis of N runs N samples) in order through one
    /// interpreter; returns the outputs as <see cref="ModelRunner.Run"/> gives them.
    /// </summary>
    RuntimeRun Run(byte[] model, IReadOnlyList<NpyArray> inputs, IProgress<int>? progress = null, bool resetState = false);

    /// <summary>What <see cref="Time"/> counts per Invoke: wall-clock milliseconds, or exact instructions on an emulated board.</summary>
    BenchmarkUnit BenchmarkUnit { get; }

    /// <summary>
    /// Times <paramref name="models"/> for `bench` the way this runtime can (<see cref="ModelBenchmark.Run"/> is the
    /// method to call): wall clock in this process (<see cref="InProcessBenchmark"/>), rounds against the dot loop on
    /// nanoCLR, one exact count on an emulated board (<see cref="NanoClrBenchmark"/>); <paramref name="measured"/> hears
    /// of each model (index, timing) as it is done.
    /// </summary>
    BenchmarkTimings Time(IReadOnlyList<BenchmarkModel> models, BenchmarkSettings settings, Action<int, BenchmarkTiming>? measured = null);
}

/// <summary>A run's outputs and, on nanoCLR, what nanoCLR measured.</summary>
public sealed record RuntimeRun(NpyArray[] Outputs)
{
    /// <summary>nanoCLR's figures (time per Invoke, MACs); null in this process.</summary>
    public NanoClrRunResult? NanoClr { get; init; }
}
