using NanoQuant.Host.Npy;
using NanoQuant.Host.Runtime;

namespace NanoQuant.Host.NanoClr;

/// <summary>A model run on nanoCLR: the outputs as .npy arrays, nanoCLR's figures, and the dot-product baseline measured in the same process.</summary>
public sealed record NanoClrRunResult(NpyArray[] Outputs, NanoClrJobResult Job, long BaselineMacsPerSecond)
{
    /// <summary>nanoCLR milliseconds per Invoke (average of the timed runs).</summary>
    public double MillisecondsPerInvoke => Job.MillisecondsPerInvoke;

    /// <summary>The model's multiply-accumulates per second on nanoCLR.</summary>
    public double MacsPerSecond => Job.MacsPerSecond;

    /// <summary>Model MAC/s ÷ the plain unrolled int8 dot loop's MAC/s in the same nanoCLR process (NaN without a baseline or MACs).</summary>
    public double Ratio => BaselineMacsPerSecond > 0 && Job.Macs > 0 ? MacsPerSecond / BaselineMacsPerSecond : double.NaN;
}

/// <summary>
/// <see cref="ModelRunner"/> on nanoCLR: the same .npy inputs (float32 quantized with the input's scale and
/// zero point by the host, exactly as <see cref="ModelRunner"/> does; int8 taken as is; a leading axis of N
/// runs N samples) and the same outputs, computed by the device library on nanoFramework's interpreter.
/// </summary>
public sealed class NanoClrModelRunner(NanoClrHost host)
{
    public NanoClrHost Host { get; } = host;

    /// <summary>
    /// Runs every sample of <paramref name="inputs"/> on nanoCLR, then <paramref name="timedRuns"/> more Invoke
    /// calls for the time per Invoke, then (with <paramref name="baseline"/>) the plain int8 dot loop over as many MACs.
    /// </summary>
    public NanoClrRunResult Run(byte[] model, IReadOnlyList<NpyArray> inputs, int timedRuns = 3, bool baseline = true, NanoClrLoadMode mode = NanoClrLoadMode.Auto)
    {
        var local = new ModelRunner(model);
        int samples = local.SampleCount(inputs);
        var interpreter = local.Interpreter;
        var perInput = new byte[interpreter.InputCount][];
        for (int i = 0; i < perInput.Length; i++)
        {
            perInput[i] = new byte[interpreter.GetInput(i).Length * samples];
        }

        var sample = new sbyte[perInput.Length == 0 ? 0 : Enumerable.Range(0, perInput.Length).Max(i => interpreter.GetInput(i).Length)];
        for (int s = 0; s < samples; s++)
        {
            local.Prepare(inputs, s);
            for (int i = 0; i < perInput.Length; i++)
            {
                var tensor = interpreter.GetInput(i);
                tensor.CopyTo(sample, 0);
                Buffer.BlockCopy(sample, 0, perInput[i], s * tensor.Length, tensor.Length);
            }
        }

        var job = new NanoClrJob(model, perInput, samples) { Mode = mode, TimedRuns = Math.Max(0, timedRuns) };
        long baselineMacs = baseline ? Math.Clamp(interpreter.MacCount * Math.Max(1, timedRuns), 4_000_000, int.MaxValue) : 0;
        var batch = Host.Run([job], baselineMacs);
        var result = batch.Jobs[0];
        return new NanoClrRunResult(local.ToOutputArrays(result.Outputs, samples), result, batch.BaselineMacsPerSecond);
    }
}
