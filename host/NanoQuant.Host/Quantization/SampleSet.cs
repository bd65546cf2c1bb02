using NanoQuant.Host.FloatReference;
using NanoQuant.Host.Npy;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Quantization;

/// <summary>How integer data maps to the model's float input: real = (q − <see cref="Offset"/>) × <see cref="Scale"/>.</summary>
public sealed record DataEncoding(double Scale, double Offset)
{
    public float Decode(double q) => (float)((q - Offset) * Scale);
}

/// <summary>One model input's samples, as the float values the float model takes.</summary>
/// <param name="Values">Sample after sample, <see cref="SampleLength"/> floats each.</param>
/// <param name="DataQuantization">
/// The int8 quantization the data already has, when it is int8 or uint8 with a stated encoding
/// (uint8 q maps to int8 q − 128): the quantized model then takes that data as it is.
/// </param>
public sealed record SampleInput(string Source, float[] Values, int SampleLength, (float Scale, int ZeroPoint)? DataQuantization);

/// <summary>A model input as a dataset must fit it: its name and shape (batch of 1 first, usually).</summary>
public sealed record InputSpec(string Name, int[] Shape)
{
    public static IReadOnlyList<InputSpec> Of(TfLiteModel model) => model.InputTensors.Select(t => new InputSpec(t.Name, t.Shape)).ToList();
}

/// <summary>
/// Samples for a model — a representative dataset for calibration, or data to evaluate on: for
/// each model input, N samples (.npy of shape [N, ...] — the input's shape without its batch of
/// 1 — float32/float64, or an integer type with a stated <see cref="DataEncoding"/>), held as the
/// float values the float model takes. Every problem (shape, type, no samples, NaN or infinity)
/// is refused with one message naming the file, before anything runs.
/// </summary>
public sealed class SampleSet
{
    private SampleSet(IReadOnlyList<SampleInput> inputs, int sampleCount)
    {
        Inputs = inputs;
        SampleCount = sampleCount;
    }

    public IReadOnlyList<SampleInput> Inputs { get; }

    public int SampleCount { get; }

    /// <summary>Loads one .npy file, or every .npy file of a folder (in name order, concatenated), per model input.</summary>
    public static SampleSet Load(IReadOnlyList<InputSpec> model, IReadOnlyList<string> paths, IReadOnlyList<DataEncoding?>? encodings = null)
    {
        var arrays = new List<(string, NpyArray)>();
        foreach (string path in paths)
        {
            arrays.Add((path, LoadPath(path)));
        }

        return FromArrays(model, arrays, encodings);
    }

    /// <summary>Builds a set from arrays already in memory (one per model input), checking them like <see cref="Load"/>.</summary>
    public static SampleSet FromArrays(IReadOnlyList<InputSpec> model, IReadOnlyList<(string Source, NpyArray Array)> arrays, IReadOnlyList<DataEncoding?>? encodings = null)
    {
        var inputs = model;
        if (arrays.Count != inputs.Count)
        {
            throw new ArgumentException($"the model has {inputs.Count} input(s) and {arrays.Count} data file(s) were given: give one per input, in order");
        }

        if (encodings is not null && encodings.Count > arrays.Count)
        {
            throw new ArgumentException($"{encodings.Count} data encodings were given for {arrays.Count} data file(s)");
        }

        var result = new List<SampleInput>();
        int samples = -1;
        for (int i = 0; i < inputs.Count; i++)
        {
            var (source, array) = arrays[i];
            var encoding = encodings is not null && i < encodings.Count ? encodings[i] : null;
            var input = ConvertInput(i, inputs[i], source, array, encoding);
            int n = input.Values.Length / Math.Max(input.SampleLength, 1);
            if (samples >= 0 && n != samples)
            {
                throw new ArgumentException($"data '{source}' holds {n} samples, '{result[0].Source}' holds {samples}: every input needs the same number");
            }

            samples = n;
            result.Add(input);
        }

        return new SampleSet(result, samples);
    }

    /// <summary>
    /// The first model input whose values are all the same over every sample (−1 when none is):
    /// calibration on such data sees a zero-width range, and the model it gives answers every input alike.
    /// </summary>
    public int ConstantInput(out float value)
    {
        for (int i = 0; i < Inputs.Count; i++)
        {
            var values = Inputs[i].Values;
            value = values.Length > 0 ? values[0] : 0;
            bool constant = true;
            for (int k = 1; k < values.Length && constant; k++)
            {
                constant = values[k] == value;
            }

            if (constant)
            {
                return i;
            }
        }

        value = 0;
        return -1;
    }

    /// <summary>Samples <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> − 1.</summary>
    public SampleSet Slice(int start, int count)
    {
        if (start < 0 || count < 1 || start + count > SampleCount)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"samples {start}..{start + count - 1} are outside 0..{SampleCount - 1}");
        }

        return new SampleSet(
            Inputs.Select(i => i with { Values = i.Values.AsSpan(start * i.SampleLength, count * i.SampleLength).ToArray() }).ToList(),
            count);
    }

    /// <summary>Sample <paramref name="sample"/> of model input <paramref name="input"/>.</summary>
    public ReadOnlySpan<float> Sample(int input, int sample)
    {
        var i = Inputs[input];
        return i.Values.AsSpan(sample * i.SampleLength, i.SampleLength);
    }

    private static NpyArray LoadPath(string path)
    {
        if (Directory.Exists(path))
        {
            var files = Directory.GetFiles(path, "*.npy").Order(StringComparer.Ordinal).ToList();
            if (files.Count == 0)
            {
                throw new ArgumentException($"data folder '{path}' holds no .npy files");
            }

            var parts = files.Select(NpyArray.Load).ToList();
            var first = parts[0];
            if (first.Shape.Length == 0)
            {
                throw new ArgumentException($"data file '{files[0]}' holds a scalar, not [N, ...] samples");
            }

            for (int k = 1; k < parts.Count; k++)
            {
                bool agrees = parts[k].Type == first.Type && parts[k].Shape.Length == first.Shape.Length
                    && parts[k].Shape.AsSpan(1).SequenceEqual(first.Shape.AsSpan(1));
                if (!agrees)
                {
                    throw new ArgumentException($"data file '{files[k]}' is {parts[k].Type} ({string.Join(", ", parts[k].Shape)}), '{files[0]}' is {first.Type} ({string.Join(", ", first.Shape)}): the files of a folder must agree in type and in every dimension but the first");
                }
            }

            var shape = first.Shape.ToArray();
            shape[0] = parts.Sum(p => p.Shape[0]);
            return new NpyArray(first.Type, shape, parts.SelectMany(p => p.Data).ToArray());
        }

        if (!File.Exists(path))
        {
            throw new ArgumentException($"data '{path}' does not exist");
        }

        return NpyArray.Load(path);
    }

    private static SampleInput ConvertInput(int index, InputSpec tensor, string source, NpyArray array, DataEncoding? encoding)
    {
        int[] modelShape = tensor.Shape;
        int[] perSample = modelShape.Length > 0 && modelShape[0] == 1 ? modelShape[1..] : modelShape;
        string expected = "(N, " + string.Join(", ", perSample) + ")";
        string what = $"data '{source}' for model input {index} '{tensor.Name}'";
        bool fits = array.Shape.Length == perSample.Length + 1 && array.Shape.AsSpan(1).SequenceEqual(perSample);
        if (!fits)
        {
            throw new ArgumentException($"{what} has shape ({string.Join(", ", array.Shape)}); the input is ({string.Join(", ", modelShape)}), so the data must be {expected}");
        }

        if (array.Shape[0] == 0)
        {
            throw new ArgumentException($"{what} holds no samples (shape ({string.Join(", ", array.Shape)}))");
        }

        bool isFloat = array.Type is NpyType.Float32 or NpyType.Float64;
        if (array.Type == NpyType.Bool)
        {
            throw new ArgumentException($"{what} is bool; give float32, or integers with --input-scale and --input-offset");
        }

        if (!isFloat && encoding is null)
        {
            throw new ArgumentException($"{what} is {array.Type.ToString().ToLowerInvariant()}: say how it maps to the model's float input with --input-scale S and --input-offset O (real = (q − O) × S; e.g. 1 and 0 for raw 0..255 pixels), or take them from the quantized model the data was made for with --input-quantization-from MODEL_int8.tflite");
        }

        if (isFloat && encoding is not null)
        {
            throw new ArgumentException($"{what} is already {array.Type.ToString().ToLowerInvariant()}; --input-scale and --input-offset apply to integer data only");
        }

        if (encoding is not null && (!double.IsFinite(encoding.Scale) || encoding.Scale <= 0 || !double.IsFinite(encoding.Offset)))
        {
            throw new ArgumentException($"the input scale must be finite and positive and the offset finite (got {encoding.Scale}, {encoding.Offset})");
        }

        double[] raw = array.ToDoubles();
        var values = new float[raw.Length];
        int sampleLength = raw.Length / array.Shape[0];
        for (int i = 0; i < raw.Length; i++)
        {
            float v = encoding is null ? (float)raw[i] : encoding.Decode(raw[i]);
            if (!float.IsFinite(v))
            {
                throw new ArgumentException($"{what}: sample {i / sampleLength}, element {i % sampleLength} is {(double.IsNaN(raw[i]) ? "NaN" : raw[i].ToString(System.Globalization.CultureInfo.InvariantCulture))}: data must be finite");
            }

            values[i] = v;
        }

        (float, int)? dataQuantization = null;
        if (encoding is not null)
        {
            double zeroPoint = array.Type switch
            {
                NpyType.Int8 => encoding.Offset,
                NpyType.UInt8 => encoding.Offset - 128,
                _ => double.NaN,
            };
            if (zeroPoint == Math.Round(zeroPoint) && zeroPoint is >= sbyte.MinValue and <= sbyte.MaxValue)
            {
                dataQuantization = ((float)encoding.Scale, (int)zeroPoint);
            }
        }

        return new SampleInput(source, values, sampleLength, dataQuantization);
    }
}
