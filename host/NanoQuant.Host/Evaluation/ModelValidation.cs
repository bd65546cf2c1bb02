using NanoQuant.Host.DeviceModels;
using NanoQuant.Host.FloatReference;
using NanoQuant.Host.Quantization;

namespace NanoQuant.Host.Evaluation;

/// <summary>How far one device operator's int8 output is from the float model's tensor it stands for, over every sample.</summary>
/// <param name="Operator">Device operator index.</param>
/// <param name="OperatorName">Device operator name.</param>
/// <param name="FloatOperator">Index of the float model's operator matched to it.</param>
/// <param name="FloatTensor">Name of the float tensor it is compared with.</param>
/// <param name="Shape">Shape of the device output.</param>
/// <param name="Sqnr">10·log10(Σx² / Σ(x − x̂)²) in dB, x̂ the dequantized int8 values (+∞ when identical).</param>
/// <param name="Cosine">Cosine similarity of the float and dequantized int8 values.</param>
/// <param name="MaxAbsError">Largest |x − x̂|.</param>
/// <param name="SaturatedPercent">Share of values where the float value lies beyond the int8 tensor's range (the int8 value saturates at −128 or 127, the int16 value of a 16x8 model at −32768 or 32767).</param>
public sealed record LayerValidation(int Operator, string OperatorName, int FloatOperator, string FloatTensor, int[] Shape,
    double Sqnr, double Cosine, double MaxAbsError, double SaturatedPercent);

/// <summary>One model output compared.</summary>
public sealed record OutputValidation(int Output, double Sqnr, double Cosine, double MaxAbsError);

/// <summary>`nanoquant validate`: a device model against the float model it was made from, on the user's data.</summary>
/// <param name="Layers">Matched layers in model order.</param>
/// <param name="Unmatched">Device operators whose output matches no float tensor (compared only through later layers).</param>
/// <param name="Top1Agreement">Share of samples where output 0's largest value is the same class in both models.</param>
/// <param name="DeviceOutputs">
/// The device model's outputs in this process, as <see cref="BatchRunner.RunDevice(byte[], SampleSet, IProgress{int}?)"/>
/// gives them (per model output, the samples one after another, dequantized): what `validate --runtime` checks another
/// runtime's outputs against, without running the model here a second time.
/// </param>
public sealed record ValidationResult(int Samples, IReadOnlyList<LayerValidation> Layers, IReadOnlyList<int> Unmatched, IReadOnlyList<OutputValidation> Outputs,
    double Top1Agreement, int[] DevicePredictions, int[] FloatPredictions, float[][] DeviceOutputs)
{
    /// <summary>The layers ordered worst first (lowest SQNR).</summary>
    public IEnumerable<LayerValidation> WorstFirst => Layers.OrderBy(l => l.Sqnr).ThenBy(l => l.Operator);
}

/// <summary>
/// Runs the float reference and the device runtime side by side on every sample and compares every
/// device operator's output with the float tensor it stands for. A .nq keeps no tensor names, so
/// device operators are matched to float operators in model order by output size (the converter
/// lowers operators in order, one to one, dropping only the QUANTIZE/DEQUANTIZE edges); model
/// outputs are matched by position.
/// </summary>
public static class ModelValidator
{
    private sealed class Sums
    {
        public double Signal, Noise, Dot, Actual, MaxError;
        public long Count, Saturated;

        public void Add(Sums o)
        {
            Signal += o.Signal;
            Noise += o.Noise;
            Dot += o.Dot;
            Actual += o.Actual;
            MaxError = Math.Max(MaxError, o.MaxError);
            Count += o.Count;
            Saturated += o.Saturated;
        }
    }

    public static ValidationResult Validate(byte[] deviceModel, FloatModel floatModel, SampleSet samples, IProgress<int>? progress = null)
    {
        var device = DeviceModelReader.Read(deviceModel);
        var map = Match(device, floatModel);
        var outputs = device.Outputs.Select((t, i) => (Device: t, Float: floatModel.Model.Outputs[i])).ToList();
        var gate = new object();
        var totals = new Sums[device.Operators.Count + outputs.Count];
        for (int i = 0; i < totals.Length; i++)
        {
            totals[i] = new Sums();
        }

        int classes = floatModel.Model.Tensors[floatModel.Model.Outputs[0]].ElementCount;
        var outputLengths = device.Outputs.Select(t => device.Tensors[t].ElementCount).ToArray();
        var deviceOutputs = outputLengths.Select(l => new float[l * samples.SampleCount]).ToArray();
        var devicePredictions = new int[samples.SampleCount];
        var floatPredictions = new int[samples.SampleCount];
        int done = 0;
        BatchRunner.Parallel(samples.SampleCount,
            () => (Run: floatModel.CreateRun(), Interpreter: new Interpreter(deviceModel), Sums: totals.Select(_ => new Sums()).ToArray()),
            (state, s) =>
            {
                var (run, interpreter, sums) = state;
                for (int i = 0; i < samples.Inputs.Count; i++)
                {
                    samples.Sample(i, s).CopyTo(run.Input(i));
                    BatchRunner.SetInput(interpreter.GetInput(i), samples.Sample(i, s));
                }

                run.Invoke();
                for (int o = 0; o < interpreter.OperatorCount; o++)
                {
                    interpreter.InvokeOperator(o);
                    if (map.TryGetValue(o, out int floatTensor))
                    {
                        Compare(sums[o], run.Tensor(floatTensor), interpreter.GetTensor(device.Operators[o].Outputs[0]));
                    }
                }

                for (int k = 0; k < outputs.Count; k++)
                {
                    Compare(sums[device.Operators.Count + k], run.Tensor(outputs[k].Float), interpreter.GetTensor(outputs[k].Device));
                }

                for (int o = 0; o < deviceOutputs.Length; o++)
                {
                    BatchRunner.ReadOutput(interpreter.GetOutput(o), deviceOutputs[o].AsSpan(s * outputLengths[o], outputLengths[o]));
                }

                var floatOut = run.Tensor(floatModel.Model.Outputs[0]);
                var deviceOut = interpreter.GetOutput(0);
                floatPredictions[s] = ArgMax(floatOut);
                devicePredictions[s] = ArgMax(deviceOut, Math.Min(classes, deviceOut.Length));
                lock (gate)
                {
                    for (int i = 0; i < totals.Length; i++)
                    {
                        totals[i].Add(sums[i]);
                        sums[i] = new Sums();
                    }
                }

                progress?.Report(Interlocked.Increment(ref done));
            });

        var layers = map.OrderBy(m => m.Key).Select(m =>
        {
            var op = device.Operators[m.Key];
            int floatOp = floatModel.Operators.Select((f, i) => (f, i)).First(p => p.f.Source.Outputs[0] == m.Value).i;
            var t = totals[m.Key];
            return new LayerValidation(m.Key, OperatorNames.Get(op.Type), floatOp, floatModel.Model.Tensors[m.Value].Name, device.Tensors[op.Outputs[0]].Shape,
                Metrics.Sqnr(t.Signal, t.Noise), Cosine(t), t.MaxError, t.Count == 0 ? 0 : 100.0 * t.Saturated / t.Count);
        }).ToList();
        var unmatched = Enumerable.Range(0, device.Operators.Count).Where(o => !map.ContainsKey(o)).ToList();
        var outputResults = outputs.Select((_, k) =>
        {
            var t = totals[device.Operators.Count + k];
            return new OutputValidation(k, Metrics.Sqnr(t.Signal, t.Noise), Cosine(t), t.MaxError);
        }).ToList();
        int agree = devicePredictions.Where((p, i) => p == floatPredictions[i]).Count();
        return new ValidationResult(samples.SampleCount, layers, unmatched, outputResults, (double)agree / Math.Max(1, samples.SampleCount), devicePredictions, floatPredictions, deviceOutputs);
    }

    /// <summary>Device operator → float tensor: in model order, the next float operator whose output has as many elements.</summary>
    public static Dictionary<int, int> Match(DeviceModel device, FloatModel floatModel)
    {
        var map = new Dictionary<int, int>();
        int next = 0;
        for (int o = 0; o < device.Operators.Count; o++)
        {
            int elements = device.Tensors[device.Operators[o].Outputs[0]].ElementCount;
            for (int f = next; f < floatModel.Operators.Count; f++)
            {
                int tensor = floatModel.Operators[f].Source.Outputs[0];
                if (floatModel.Model.Tensors[tensor].ElementCount == elements)
                {
                    map[o] = tensor;
                    next = f + 1;
                    break;
                }
            }
        }

        return map;
    }

    private static void Compare(Sums sums, ReadOnlySpan<float> expected, Tensor actual)
    {
        if (expected.Length != actual.Length)
        {
            return;
        }

        float scale = actual.Scale;
        int zeroPoint = actual.ZeroPoint;
        bool wide = actual.Type == NanoQuant.Format.TensorType.Int16;
        int min = wide ? short.MinValue : sbyte.MinValue, max = wide ? short.MaxValue : sbyte.MaxValue;
        double low = (double)scale * (min - zeroPoint) - (scale / 2.0);
        double high = (double)scale * (max - zeroPoint) + (scale / 2.0);
        for (int i = 0; i < expected.Length; i++)
        {
            double x = expected[i];
            double y = (double)scale * (Value(actual, wide, i) - zeroPoint);
            double e = Math.Abs(x - y);
            sums.Signal += x * x;
            sums.Noise += e * e;
            sums.Dot += x * y;
            sums.Actual += y * y;
            sums.MaxError = Math.Max(sums.MaxError, e);
            if (x < low || x > high)
            {
                sums.Saturated++;
            }
        }

        sums.Count += expected.Length;
    }

    /// <summary>Element <paramref name="index"/> of an int8 or int16 (16x8 model) tensor.</summary>
    private static int Value(Tensor tensor, bool wide, int index) => wide ? tensor.GetInt16(index) : tensor.GetInt8(index);

    /// <summary>The class with the largest value among the first <paramref name="classes"/> of an int8 or int16 output.</summary>
    private static int ArgMax(Tensor output, int classes)
    {
        bool wide = output.Type == NanoQuant.Format.TensorType.Int16;
        int best = 0;
        for (int c = 1; c < classes; c++)
        {
            if (Value(output, wide, c) > Value(output, wide, best))
            {
                best = c;
            }
        }

        return best;
    }

    private static double Cosine(Sums t) =>
        t.Signal == 0 && t.Actual == 0 ? 1 : t.Signal == 0 || t.Actual == 0 ? 0 : t.Dot / Math.Sqrt(t.Signal * t.Actual);

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}
