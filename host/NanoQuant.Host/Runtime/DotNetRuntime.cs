using NanoQuant.Host.Benchmarks;
using NanoQuant.Host.Npy;

namespace NanoQuant.Host.Runtime;

/// <summary>`--runtime dotnet`: the device library built for .NET, in this process (<see cref="ModelRunner"/>).</summary>
public sealed class DotNetRuntime : IModelRuntime
{
    public string Name => ModelRuntimes.DotNet;

    public bool InProcess => ModelRuntimes.RunsInProcess(Name);

    public RuntimeRun Run(byte[] model, IReadOnlyList<NpyArray> inputs, IProgress<int>? progress = null, bool resetState = false) =>
        new(new ModelRunner(model).Run(inputs, progress, resetState: resetState));

    public BenchmarkUnit BenchmarkUnit => BenchmarkUnit.Milliseconds;

    /// <summary>Each model in turn, wall clock (<see cref="InProcessBenchmark"/>); no dot loop here.</summary>
    public BenchmarkTimings Time(IReadOnlyList<BenchmarkModel> models, BenchmarkSettings settings, Action<int, BenchmarkTiming>? measured = null)
    {
        var timings = new List<BenchmarkTiming>();
        foreach (var model in models)
        {
            var timing = InProcessBenchmark.Time(model, settings);
            measured?.Invoke(timings.Count, timing);
            timings.Add(timing);
        }

        return new BenchmarkTimings(timings, null);
    }
}
