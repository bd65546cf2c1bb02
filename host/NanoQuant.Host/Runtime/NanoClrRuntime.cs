using NanoQuant.Host.Benchmarks;
using NanoQuant.Host.NanoClr;
using NanoQuant.Host.Npy;

namespace NanoQuant.Host.Runtime;

/// <summary>
/// `--runtime nanoclr`, `nanoclr-native`, `cortex-m7`, `cortex-m4`: the device library on nanoFramework's interpreter,
/// the Linux kit's nanoCLR (with the managed or the native kernels) or an emulated board's firmware, through
/// <see cref="NanoClrModelRunner"/>.
/// </summary>
public sealed class NanoClrRuntime(string name, NanoClrHost host) : IModelRuntime
{
    public string Name { get; } = name;

    public bool InProcess => ModelRuntimes.RunsInProcess(Name);

    /// <summary>The nanoCLR it drives.</summary>
    public NanoClrHost Host { get; } = host;

    /// <summary>Runs and reports what it ran: the dot-loop ratio is a benchmark (bench), not part of a run.</summary>
    public RuntimeRun Run(byte[] model, IReadOnlyList<NpyArray> inputs, IProgress<int>? progress = null, bool resetState = false)
    {
        if (resetState)
        {
            throw new ArgumentException("a nanoCLR run carries a stateful model's state from sample to sample; resetting it between samples is available in this process only");
        }

        var run = new NanoClrModelRunner(Host).Run(model, inputs, baseline: false);
        return new RuntimeRun(run.Outputs) { NanoClr = run };
    }

    public BenchmarkUnit BenchmarkUnit => Host.Board is null ? BenchmarkUnit.Milliseconds : BenchmarkUnit.Instructions;

    /// <summary>Rounds against the dot loop, or one exact count on an emulated board (<see cref="NanoClrBenchmark"/>); --versus is in this process only.</summary>
    public BenchmarkTimings Time(IReadOnlyList<BenchmarkModel> models, BenchmarkSettings settings, Action<int, BenchmarkTiming>? measured = null)
    {
        if (models.Any(m => m.Versus is not null))
        {
            throw new ArgumentException($"timing one model against another in alternation (--versus) is available with --runtime {ModelRuntimes.DotNet} only; on nanoCLR each model is timed against the dot loop");
        }

        return NanoClrBenchmark.Time(Host, models, settings, measured);
    }
}
