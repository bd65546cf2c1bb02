using NanoQuant.Host.Npy;

namespace NanoQuant.Host.Runtime;

/// <summary>
/// Runs a device model on the host with the device runtime itself (the same kernels the
/// microcontroller runs), taking and giving .npy arrays: float32 inputs are quantized with the
/// input's scale and zero point, int8, int16 and (for a uint8 input) uint8 inputs are taken as they are
/// (the type must be the input's); outputs that were float in the source model are dequantized, uint8
/// outputs given as uint8. A leading axis of N
/// in place of the model's batch of 1 (or in front of the model's shape) runs N samples, in order,
/// through the one interpreter: a stateful model (an LSTM's variable tensors) carries its state from
/// sample to sample — a stream of frames — unless <c>resetState</c> asks for a reset before each sample.
/// </summary>
public sealed class ModelRunner
{
    private readonly Interpreter _interpreter;

    public ModelRunner(byte[] deviceModel)
    {
        _interpreter = new Interpreter(deviceModel);
    }

    /// <summary>Runs an interpreter loaded some other way (from a file or stream, possibly streaming its weights).</summary>
    public ModelRunner(Interpreter interpreter)
    {
        _interpreter = interpreter ?? throw new ArgumentNullException(nameof(interpreter));
    }

    public Interpreter Interpreter => _interpreter;

    /// <summary>How many samples <paramref name="inputs"/> hold (checked against every input's shape).</summary>
    public int SampleCount(IReadOnlyList<NpyArray> inputs)
    {
        if (inputs.Count != _interpreter.InputCount)
        {
            throw new ArgumentException($"the model has {_interpreter.InputCount} input(s), {inputs.Count} given (pass --input once per input, in order)");
        }

        int samples = -1;
        for (int i = 0; i < inputs.Count; i++)
        {
            var tensor = _interpreter.GetInput(i);
            int n = SamplesIn(inputs[i], tensor, i);
            CheckFinite(inputs[i], i, n);
            if (samples >= 0 && n != samples)
            {
                throw new ArgumentException($"input {i} holds {n} samples, input 0 holds {samples}");
            }

            samples = n;
        }

        return samples;
    }

    /// <summary>Float input must be finite: NaN or infinity has no quantized value, and the model would answer it with confident nonsense.</summary>
    private static void CheckFinite(NpyArray input, int index, int samples)
    {
        if (input.Type is not (NpyType.Float32 or NpyType.Float64))
        {
            return;
        }

        double[] values = input.ToDoubles();
        for (int k = 0; k < values.Length; k++)
        {
            if (!double.IsFinite(values[k]))
            {
                int perSample = values.Length / Math.Max(samples, 1);
                string value = double.IsNaN(values[k]) ? "NaN" : values[k] > 0 ? "+infinity" : "-infinity";
                throw new ArgumentException($"input {index}: sample {k / perSample}, element {k % perSample} is {value}: data must be finite (NaN and infinity have no quantized value)");
            }
        }
    }

    /// <summary>
    /// Runs every sample in order; returns one array per model output, with the samples stacked on the
    /// leading axis. State (variable tensors) carries from sample to sample and from earlier calls;
    /// with <paramref name="resetState"/> it is reset before every sample, so each runs as on a new interpreter.
    /// </summary>
    public NpyArray[] Run(IReadOnlyList<NpyArray> inputs, IProgress<int>? progress = null, bool resetState = false)
    {
        int samples = SampleCount(inputs);
        bool stackedInFront = StackedInFront(inputs, samples);
        var inputValues = InputValues(inputs);
        var outputs = new List<int[]>();
        for (int o = 0; o < _interpreter.OutputCount; o++)
        {
            outputs.Add(new int[_interpreter.GetOutput(o).Length * samples]);
        }

        for (int s = 0; s < samples; s++)
        {
            SetInputs(inputValues, s);
            if (resetState)
            {
                _interpreter.ResetState();
            }

            _interpreter.Invoke();
            for (int o = 0; o < outputs.Count; o++)
            {
                var tensor = _interpreter.GetOutput(o);
                for (int k = 0; k < tensor.Length; k++)
                {
                    outputs[o][(s * tensor.Length) + k] = EdgeConversion.Element(tensor, k);
                }
            }

            progress?.Report(s + 1);
        }

        return ToOutputArrays(outputs, samples, stackedInFront);
    }

    /// <summary>
    /// The .npy arrays of the model's outputs from their int8 bytes (<paramref name="outputs"/>: per output,
    /// every sample back to back), dequantized where the source model's output was float — what
    /// <see cref="Run"/> returns; also used for outputs computed elsewhere (nanoCLR).
    /// </summary>
    public NpyArray[] ToOutputArrays(IReadOnlyList<sbyte[]> outputs, int samples, bool stackedInFront = false) =>
        ToOutputArrays(outputs.Select(o => o.Select(q => (int)q).ToArray()).ToList(), samples, stackedInFront);

    /// <summary>
    /// True when the samples were given on an extra leading axis (input rank + 1) rather than on the
    /// model's batch axis of 1: the outputs then get an extra leading axis too.
    /// </summary>
    public bool StackedInFront(IReadOnlyList<NpyArray> inputs, int samples) =>
        samples > 1 && inputs.Select((a, i) => a.Shape.Length == _interpreter.GetInput(i).Rank + 1).Any(x => x);

    /// <summary>
    /// The .npy arrays of the model's outputs from their element values (<paramref name="outputs"/>: per output,
    /// every sample back to back; int8 or int16 values), dequantized where the source model's output was float.
    /// </summary>
    public NpyArray[] ToOutputArrays(IReadOnlyList<int[]> outputs, int samples, bool stackedInFront)
    {
        var result = new NpyArray[outputs.Count];
        for (int o = 0; o < outputs.Count; o++)
        {
            var tensor = _interpreter.GetOutput(o);
            int[] shape = OutputShape(tensor, samples, stackedInFront);
            result[o] = tensor.WasFloatOutput
                ? NpyArray.FromFloats(outputs[o].Select(q => EdgeConversion.Dequantize(q, tensor.Scale, tensor.ZeroPoint)).ToArray(), shape)
                : tensor.IsUInt8Output
                    ? new NpyArray(NpyType.UInt8, shape, outputs[o].Select(q => (byte)(q ^ 0x80)).ToArray())
                : tensor.Type == Format.TensorType.Int16
                    ? NpyArray.FromInt16s(outputs[o].Select(q => (short)q).ToArray(), shape)
                    : NpyArray.FromSBytes(outputs[o].Select(q => (sbyte)q).ToArray(), shape);
        }

        return result;
    }

    /// <summary>Writes sample <paramref name="sample"/> of <paramref name="inputs"/> into the model's inputs without running it.</summary>
    public void Prepare(IReadOnlyList<NpyArray> inputs, int sample)
    {
        int samples = SampleCount(inputs);
        if (sample < 0 || sample >= samples)
        {
            throw new ArgumentOutOfRangeException(nameof(sample), sample, $"the inputs hold {samples} samples");
        }

        SetInputs(InputValues(inputs), sample);
    }

    private static object[] InputValues(IReadOnlyList<NpyArray> inputs) =>
        inputs.Select(a => a.Type switch
        {
            NpyType.Float32 => (object)a.ToFloats(),
            NpyType.Int16 => a.ToInt16s(),
            NpyType.UInt8 => a.Data,
            _ => a.ToSBytes(),
        }).ToArray();

    private void SetInputs(object[] inputValues, int sample)
    {
        for (int i = 0; i < inputValues.Length; i++)
        {
            var tensor = _interpreter.GetInput(i);
            int length = tensor.Length;
            if (inputValues[i] is float[] floats)
            {
                for (int k = 0; k < length; k++)
                {
                    EdgeConversion.QuantizeInto(tensor, k, floats[(sample * length) + k]);
                }
            }
            else if (inputValues[i] is short[] shorts)
            {
                tensor.CopyFromInt16(shorts, sample * length);
            }
            else if (inputValues[i].GetType() == typeof(sbyte[]))
            {
                // The exact type: the runtime's array covariance makes sbyte[] and byte[] match `is` of each other.
                tensor.CopyFrom((sbyte[])inputValues[i], sample * length);
            }
            else
            {
                tensor.CopyFromUInt8((byte[])inputValues[i], sample * length);
            }
        }
    }

    private static int[] OutputShape(Tensor tensor, int samples, bool stackedInFront)
    {
        int[] shape = tensor.GetShape();
        if (samples == 1)
        {
            return shape;
        }

        if (shape.Length > 0 && shape[0] == 1 && !stackedInFront)
        {
            shape[0] = samples;
            return shape;
        }

        return [samples, .. shape];
    }

    private static int SamplesIn(NpyArray array, Tensor tensor, int index)
    {
        string type = tensor.IsUInt8Input ? "uint8" : tensor.Type == Format.TensorType.Int16 ? "int16" : "int8";
        if (array.Type != NpyType.Float32 && array.Type != (tensor.IsUInt8Input ? NpyType.UInt8 : tensor.Type == Format.TensorType.Int16 ? NpyType.Int16 : NpyType.Int8))
        {
            throw new ArgumentException($"input {index} is {array.Type}; the model's input is {type}: give float32 (quantized with the input's scale and zero point) or {type} (taken as is)");
        }

        int[] shape = tensor.GetShape();
        string expected = "(" + string.Join(", ", shape) + ")";
        if (array.Shape.SequenceEqual(shape))
        {
            return 1;
        }

        // A leading axis of N in place of the model's batch of 1, or in front of the model's shape.
        int[] perSample = shape.Length > 0 && shape[0] == 1 ? shape[1..] : shape;
        if (array.Shape.Length == perSample.Length + 1 && array.Shape.AsSpan(1).SequenceEqual(perSample) && array.Shape[0] > 0)
        {
            return array.Shape[0];
        }

        if (array.Shape.Length == shape.Length + 1 && array.Shape.AsSpan(1).SequenceEqual(shape) && array.Shape[0] > 0)
        {
            return array.Shape[0];
        }

        throw new ArgumentException($"input {index} has shape ({string.Join(", ", array.Shape)}); the model expects {expected}, or (N, ...) for N samples");
    }
}
