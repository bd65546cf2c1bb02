using NanoQuant.Host.Npy;
using NanoQuant.Host.Runtime;

namespace NanoQuant.Host.NanoClr;

/// <summary>A model run on nanoCLR: the outputs as .npy arrays, nanoCLR's figures, and the dot-product baseline measured in the same process.</summary>
public sealed record NanoClrRunResult(NpyArray[] Outputs, NanoClrJobResult Job, long BaselineMacsPerSecond)
{
    /// <summary>nanoCLR milliseconds per Invoke: the average of the timed runs, or of the sample runs when there were none.</summary>
    public double MillisecondsPerInvoke => Job.TimedRuns > 0 ? Job.MillisecondsPerInvoke : Job.SampleMillisecondsPerInvoke;

    /// <summary>Invoke calls <see cref="MillisecondsPerInvoke"/> averages.</summary>
    public int TimedInvokes { get; init; }

    /// <summary>The model's multiply-accumulates per second on nanoCLR.</summary>
    public double MacsPerSecond => Job.Macs / (MillisecondsPerInvoke / 1000.0);

    /// <summary>Model MAC/s ÷ the plain unrolled int8 dot loop's MAC/s in the same nanoCLR process (NaN without a baseline or MACs).</summary>
    public double Ratio => BaselineMacsPerSecond > 0 && Job.Macs > 0 ? MacsPerSecond / BaselineMacsPerSecond : double.NaN;
}

/// <summary>
/// <see cref="ModelRunner"/> on nanoCLR: the same .npy inputs (float32 quantized with the input's scale and
/// zero point by the host, exactly as <see cref="ModelRunner"/> does; int8 and int16 taken as they are; a
/// leading axis of N runs N samples) and the same outputs (int8, int16, or dequantized float32), computed by
/// the device library on nanoFramework's interpreter.
/// </summary>
public sealed class NanoClrModelRunner(NanoClrHost host)
{
    public NanoClrHost Host { get; } = host;

    /// <summary>
    /// Runs every sample of <paramref name="inputs"/> on nanoCLR, then <paramref name="timedRuns"/> more Invoke
    /// calls for the time per Invoke (0: the sample runs are timed), then (with <paramref name="baseline"/>) the
    /// plain int8 dot loop over as many MACs.
    /// </summary>
    public NanoClrRunResult Run(byte[] model, IReadOnlyList<NpyArray> inputs, int timedRuns = 0, bool baseline = true, NanoClrLoadMode mode = NanoClrLoadMode.Auto)
    {
        var (job, local) = PrepareJob(model, [inputs]);
        int samples = job.Samples;
        var interpreter = local.Interpreter;
        job = job with { Mode = mode, TimedRuns = Math.Max(0, timedRuns) };
        int timed = timedRuns > 0 ? timedRuns : samples;
        long baselineMacs = baseline ? Math.Clamp(interpreter.MacCount * timed, 4_000_000, int.MaxValue) : 0;
        var batch = Host.Run([job], baselineMacs);
        var result = batch.Jobs[0];
        return new NanoClrRunResult(ToOutputArrays(local, result.Outputs, samples, local.StackedInFront(inputs, samples)), result, batch.BaselineMacsPerSecond) { TimedInvokes = timed };
    }

    /// <summary>
    /// A job running every sample of every input set in <paramref name="inputSets"/> (e.g. every golden case;
    /// a stateful model's state is reset at the start of each set when the sets are of one length),
    /// inputs converted to the input tensors' bytes on the host exactly as <see cref="ModelRunner"/> does; also returns the desktop
    /// runner that turns the job's outputs back into .npy arrays (<see cref="OutputsOf"/>).
    /// </summary>
    public static (NanoClrJob Job, ModelRunner Local) PrepareJob(byte[] model, IReadOnlyList<IReadOnlyList<NpyArray>> inputSets)
    {
        var local = new ModelRunner(model);
        var interpreter = local.Interpreter;
        int[] counts = inputSets.Select(set => local.SampleCount(set)).ToArray();
        int samples = counts.Sum();
        var perInput = new byte[interpreter.InputCount][];
        for (int i = 0; i < perInput.Length; i++)
        {
            perInput[i] = new byte[NanoClrJob.TensorBytes(interpreter.GetInput(i)) * samples];
        }

        int next = 0;
        for (int set = 0; set < inputSets.Count; set++)
        {
            for (int s = 0; s < counts[set]; s++, next++)
            {
                local.Prepare(inputSets[set], s);
                for (int i = 0; i < perInput.Length; i++)
                {
                    var tensor = interpreter.GetInput(i);
                    int bytes = NanoClrJob.TensorBytes(tensor);
                    Buffer.BlockCopy(tensor.Data, tensor.Offset, perInput[i], next * bytes, bytes);
                }
            }
        }

        // Input sets are independent (e.g. golden cases): a stateful model starts each from reset state,
        // as a fresh interpreter would. When the sets differ in length the state simply carries.
        int resetEvery = inputSets.Count > 1 && counts.Distinct().Count() == 1 ? counts[0] : 0;
        return (new NanoClrJob(model, perInput, samples) { ResetStateEvery = resetEvery }, local);
    }

    /// <summary>The .npy outputs of samples [<paramref name="first"/>, +<paramref name="count"/>) of a job's result.</summary>
    public static NpyArray[] OutputsOf(ModelRunner local, NanoClrJobResult result, int first, int count)
    {
        var slices = new List<sbyte[]>();
        for (int o = 0; o < result.Outputs.Count; o++)
        {
            int length = NanoClrJob.TensorBytes(local.Interpreter.GetOutput(o));
            slices.Add(result.Outputs[o].AsSpan(first * length, count * length).ToArray());
        }

        return ToOutputArrays(local, slices, count, stackedInFront: false);
    }

    /// <summary>Samples in a job result's outputs (output 0's bytes ÷ one sample's bytes).</summary>
    public static int SamplesIn(ModelRunner local, NanoClrJobResult result) =>
        result.Outputs.Count == 0 ? 0 : result.Outputs[0].Length / NanoClrJob.TensorBytes(local.Interpreter.GetOutput(0));

    /// <summary>The .npy arrays of outputs sent back as tensor bytes (int16 as little-endian pairs), as <see cref="ModelRunner.Run"/> gives them.</summary>
    private static NpyArray[] ToOutputArrays(ModelRunner local, IReadOnlyList<sbyte[]> outputs, int samples, bool stackedInFront)
    {
        var values = new List<int[]>();
        for (int o = 0; o < outputs.Count; o++)
        {
            sbyte[] bytes = outputs[o];
            if (local.Interpreter.GetOutput(o).Type == Format.TensorType.Int16)
            {
                var elements = new int[bytes.Length / 2];
                for (int k = 0; k < elements.Length; k++)
                {
                    elements[k] = (short)((byte)bytes[2 * k] | (bytes[(2 * k) + 1] << 8));
                }

                values.Add(elements);
            }
            else
            {
                values.Add(bytes.Select(b => (int)b).ToArray());
            }
        }

        return local.ToOutputArrays(values, samples, stackedInFront);
    }
}
