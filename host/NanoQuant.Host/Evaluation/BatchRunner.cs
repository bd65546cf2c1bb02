using System.Runtime.ExceptionServices;
using NanoQuant.Host.FloatReference;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Quantization;
using NanoQuant.Host.Runtime;

namespace NanoQuant.Host.Evaluation;

/// <summary>
/// Runs many samples through a device model (with the device runtime, one interpreter per worker
/// thread, or on another <see cref="IModelRuntime"/>) or through the float reference, giving every output as floats: int8/int16 outputs are
/// dequantized with their scale and zero point, float inputs quantized with the input's.
/// </summary>
public static class BatchRunner
{
    /// <summary>Outputs of the device model: per model output, the samples one after another.</summary>
    public static float[][] RunDevice(byte[] deviceModel, SampleSet samples, IProgress<int>? progress = null)
    {
        using var probe = new Interpreter(deviceModel);
        CheckInputs(probe, samples);
        var lengths = Enumerable.Range(0, probe.OutputCount).Select(o => probe.GetOutput(o).Length).ToArray();
        var outputs = lengths.Select(l => new float[l * samples.SampleCount]).ToArray();
        int done = 0;
        Parallel(samples.SampleCount, () => new Interpreter(deviceModel), (interpreter, s) =>
        {
            for (int i = 0; i < interpreter.InputCount; i++)
            {
                SetInput(interpreter.GetInput(i), samples.Sample(i, s));
            }

            // Samples are independent: a stateful model (LSTM) starts each from its reset state.
            interpreter.ResetState();
            interpreter.Invoke();
            for (int o = 0; o < outputs.Length; o++)
            {
                ReadOutput(interpreter.GetOutput(o), outputs[o].AsSpan(s * lengths[o], lengths[o]));
            }

            progress?.Report(Interlocked.Increment(ref done));
        });
        return outputs;
    }

    /// <summary>
    /// Outputs of the device model on <paramref name="runtime"/>: in this process, <see cref="RunDevice(byte[], SampleSet, IProgress{int}?)"/>;
    /// elsewhere (nanoCLR, an emulated board) every sample in one run, its float values quantized and its outputs
    /// dequantized exactly as in this process, so both give the same floats for the same output bytes.
    /// A stateful model is refused there: its samples are independent here (state reset before each), and a nanoCLR run carries state from sample to sample.
    /// </summary>
    public static float[][] RunDevice(byte[] deviceModel, SampleSet samples, IModelRuntime runtime, IProgress<int>? progress = null)
    {
        if (runtime.InProcess)
        {
            return RunDevice(deviceModel, samples, progress);
        }

        using var probe = new Interpreter(deviceModel);
        CheckInputs(probe, samples);
        if (probe.HasState)
        {
            throw new ArgumentException($"the model has state (an LSTM's variable tensors): its samples are evaluated independently, state reset before each, which only --runtime {ModelRuntimes.DotNet} does");
        }

        int count = samples.SampleCount;
        var inputs = new NpyArray[probe.InputCount];
        for (int i = 0; i < inputs.Length; i++)
        {
            var values = new float[count * samples.Inputs[i].SampleLength];
            for (int s = 0; s < count; s++)
            {
                samples.Sample(i, s).CopyTo(values.AsSpan(s * samples.Inputs[i].SampleLength));
            }

            inputs[i] = NpyArray.FromFloats(values, [count, .. probe.GetInput(i).GetShape()]);
        }

        var run = runtime.Run(deviceModel, inputs);
        progress?.Report(count);
        var outputs = new float[probe.OutputCount][];
        for (int o = 0; o < outputs.Length; o++)
        {
            var tensor = probe.GetOutput(o);
            var array = run.Outputs[o];
            outputs[o] = array.Type switch
            {
                // Dequantized by the runtime's ModelRunner with EdgeConversion.Dequantize, as ReadOutput does.
                NpyType.Float32 => array.ToFloats(),
                // A uint8 output is the int8 arena value with its top bit flipped.
                NpyType.UInt8 => array.Data.Select(b => EdgeConversion.Dequantize(unchecked((sbyte)(b ^ 0x80)), tensor.Scale, tensor.ZeroPoint)).ToArray(),
                NpyType.Int16 => array.ToInt16s().Select(q => EdgeConversion.Dequantize(q, tensor.Scale, tensor.ZeroPoint)).ToArray(),
                _ => array.ToSBytes().Select(q => EdgeConversion.Dequantize(q, tensor.Scale, tensor.ZeroPoint)).ToArray(),
            };
        }

        return outputs;
    }

    /// <summary>Outputs of the float reference: per model output, the samples one after another.</summary>
    public static float[][] RunFloat(FloatModel model, SampleSet samples, IProgress<int>? progress = null)
    {
        var lengths = model.Model.Outputs.Select(o => model.Model.Tensors[o].ElementCount).ToArray();
        var outputs = lengths.Select(l => new float[l * samples.SampleCount]).ToArray();
        int done = 0;
        Parallel(samples.SampleCount, model.CreateRun, (run, s) =>
        {
            for (int i = 0; i < samples.Inputs.Count; i++)
            {
                samples.Sample(i, s).CopyTo(run.Input(i));
            }

            run.ResetState();
            run.Invoke();
            for (int o = 0; o < outputs.Length; o++)
            {
                run.Output(o).CopyTo(outputs[o].AsSpan(s * lengths[o], lengths[o]));
            }

            progress?.Report(Interlocked.Increment(ref done));
        });
        return outputs;
    }

    /// <summary>Quantizes float values into an int8 or int16 input as TFLite's QUANTIZE does.</summary>
    public static void SetInput(Tensor tensor, ReadOnlySpan<float> values)
    {
        for (int k = 0; k < values.Length; k++)
        {
            EdgeConversion.QuantizeInto(tensor, k, values[k]);
        }
    }

    /// <summary>Dequantizes an int8 or int16 tensor into floats.</summary>
    public static void ReadOutput(Tensor tensor, Span<float> destination)
    {
        for (int k = 0; k < destination.Length; k++)
        {
            destination[k] = EdgeConversion.Dequantize(EdgeConversion.Element(tensor, k), tensor.Scale, tensor.ZeroPoint);
        }
    }

    internal static void CheckInputs(Interpreter interpreter, SampleSet samples)
    {
        if (samples.Inputs.Count != interpreter.InputCount)
        {
            throw new ArgumentException($"the model has {interpreter.InputCount} input(s), the data {samples.Inputs.Count}");
        }

        for (int i = 0; i < samples.Inputs.Count; i++)
        {
            if (samples.Inputs[i].SampleLength != interpreter.GetInput(i).Length)
            {
                throw new ArgumentException($"input {i} takes {interpreter.GetInput(i).Length} values per sample, the data has {samples.Inputs[i].SampleLength}");
            }
        }
    }

    /// <summary>Runs <paramref name="body"/> for every sample on all cores, one state per worker; rethrows the first failure as is.</summary>
    internal static void Parallel<TState>(int count, Func<TState> createState, Action<TState, int> body)
    {
        try
        {
            System.Threading.Tasks.Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                createState,
                (sample, _, state) =>
                {
                    body(state, sample);
                    return state;
                },
                _ => { });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }
}
