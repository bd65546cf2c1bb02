using System.Globalization;
using System.Text;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.Evaluation;
using NanoQuant.Host.FloatReference;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Quantization;

/// <summary>One activation of the quantized model: its quantization and how much it lost against the float model.</summary>
/// <param name="Operator">Index of the float model's operator that computes it (−1 for a model input).</param>
/// <param name="RangeSqnr">SQNR of the float values against themselves quantized with this scale and zero point (rounding and clipping of this tensor alone).</param>
/// <param name="Int8Sqnr">SQNR of the float values against the int8 model's values (the error accumulated up to this layer).</param>
/// <param name="BaselineInt8Sqnr">The same with min/max ranges, when another method was chosen.</param>
public sealed record LayerReport(
    int Operator, string OperatorName, int Tensor, string TensorName,
    float ObservedMin, float ObservedMax, float RangeMin, float RangeMax, float Scale, int ZeroPoint,
    double ClippedPercent, double RangeSqnr, double Int8Sqnr, double? BaselineInt8Sqnr);

/// <summary>Per-layer scale, zero point and float-vs-int8 error of a quantized model over a dataset (`convert --report`).</summary>
public sealed class QuantizationReport
{
    public required string Model { get; init; }
    public required string Method { get; init; }
    public required int Samples { get; init; }
    public required IReadOnlyList<LayerReport> Layers { get; init; }
    public required IReadOnlyList<int> OutputTensors { get; init; }

    /// <summary>The quantized model's kind: "int8", or "16x8" (int16 activations).</summary>
    public string Mode { get; init; } = "int8";

    /// <summary>What the baseline column measures: "min/max" (the int8 model with min/max ranges) or "int8" (the int8 model beside a 16x8 one, --compare-int8).</summary>
    public string BaselineName { get; init; } = "min/max";

    public IEnumerable<LayerReport> Outputs => OutputTensors.Select(t => Layers.Last(l => l.Tensor == t));

    /// <summary>The heading of the main error column: "int8 SQNR" or "16x8 SQNR".</summary>
    public string SqnrColumn => $"{Mode} SQNR";

    /// <summary>The heading of the baseline column ("min/max int8 SQNR", or "int8 SQNR" beside a 16x8 model), null when the report has none.</summary>
    public string? BaselineColumn => !Layers.Any(l => l.BaselineInt8Sqnr is not null) ? null : BaselineName == "min/max" ? "min/max int8 SQNR" : "int8 SQNR";

    /// <summary>One output's headline: "output y: 16x8 SQNR 44.5 dB (int8: 35.5 dB; 16x8 helps by 9.0 dB)".</summary>
    public string OutputSummary(LayerReport output)
    {
        string line = $"output {output.TensorName}: {Mode} SQNR {Metrics.FormatDb(output.Int8Sqnr)} dB";
        if (output.BaselineInt8Sqnr is { } b)
        {
            double delta = output.Int8Sqnr - b;
            string subject = BaselineName == "min/max" ? Method : Mode;
            line += $" ({BaselineName}: {Metrics.FormatDb(b)} dB; {subject} {(delta > 0.05 ? $"helps by {delta:F1} dB" : delta < -0.05 ? $"costs {-delta:F1} dB" : "makes no difference")})";
        }

        return line;
    }

    public string ToMarkdown()
    {
        static string F(double v) => v.ToString("G5", CultureInfo.InvariantCulture);
        bool baseline = Layers.Any(l => l.BaselineInt8Sqnr is not null);
        var s = new StringBuilder();
        s.AppendLine($"# Quantization report: {Model}");
        s.AppendLine();
        s.AppendLine($"Ranges: {Method}; error measured over {Samples} samples (the calibration data).");
        s.AppendLine("SQNR = 10·log10(Σx² / Σ(x − x̂)²) against the float reference, in dB (higher is better; ∞ = exact).");
        s.AppendLine("*range SQNR*: the float tensor quantized with its own scale and zero point (this layer's rounding and clipping alone);");
        s.AppendLine(Mode == "int8" ? "*int8 SQNR*: the int8 model's tensor, with the error of every layer before it." : $"*{Mode} SQNR*: the {Mode} model's tensor (int16 activations), with the error of every layer before it.");
        s.AppendLine();
        foreach (var output in Outputs)
        {
            string line = OutputSummary(output);
            int bold = line.IndexOf(" (", StringComparison.Ordinal);
            s.AppendLine(bold < 0 ? $"**O{line[1..]}**" : $"**O{line[1..bold]}**{line[bold..]}");
            s.AppendLine();
        }

        s.Append($"| op | operator | tensor | seen min | seen max | range min | range max | scale | zero point | clipped % | range SQNR | {SqnrColumn} |");
        s.AppendLine(baseline ? $" {BaselineColumn} |" : "");
        s.Append("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        s.AppendLine(baseline ? "---:|" : "");
        foreach (var l in Layers)
        {
            s.Append($"| {(l.Operator < 0 ? "in" : l.Operator.ToString(CultureInfo.InvariantCulture))} | {l.OperatorName} | t{l.Tensor} {ShortName(l.TensorName)} | {F(l.ObservedMin)} | {F(l.ObservedMax)} | {F(l.RangeMin)} | {F(l.RangeMax)} | {F(l.Scale)} | {l.ZeroPoint} | {l.ClippedPercent.ToString("F3", CultureInfo.InvariantCulture)} | {Metrics.FormatDb(l.RangeSqnr)} | {Metrics.FormatDb(l.Int8Sqnr)} |");
            s.AppendLine(baseline ? $" {(l.BaselineInt8Sqnr is { } b ? Metrics.FormatDb(b) : "")} |" : "");
        }

        return s.ToString();
    }

    /// <summary>TensorFlow's fused tensor names ("a;b;c") cut to their first part and 40 characters.</summary>
    private static string ShortName(string name)
    {
        string first = name.Split(';')[0];
        return first.Length <= 40 ? first : first[..39] + "…";
    }
}

/// <summary>Measures a quantized model layer by layer against the float reference (float run and int8 run of every sample, on all cores).</summary>
public static class QuantizationReportBuilder
{
    public static QuantizationReport Build(string modelName, FloatModel model, SampleSet samples, CalibrationStatistics statistics,
        CalibrationOptions options, IReadOnlyDictionary<int, (float Min, float Max)> ranges, QuantizedModel quantized, ConversionResult conversion,
        (QuantizedModel Model, ConversionResult Conversion)? baseline = null, IProgress<int>? progress = null)
    {
        var tensors = model.ActivationTensors;
        var main = Measure(model, samples, quantized, conversion, tensors, progress);
        var baselineSums = baseline is { } b ? Measure(model, samples, b.Model, b.Conversion, tensors, null) : null;
        var producers = new Dictionary<int, int>();
        foreach (var op in model.Model.Operators)
        {
            foreach (int t in op.Outputs)
            {
                producers[t] = op.Index;
            }
        }

        var layers = new List<LayerReport>();
        for (int k = 0; k < tensors.Count; k++)
        {
            int t = tensors[k];
            var tensor = model.Model.Tensors[t];
            int op = producers.GetValueOrDefault(t, -1);
            var (scale, zeroPoint) = quantized.Activation(t);
            var stats = statistics.Tensors[t];
            var range = ranges[t];
            var m = main[k];
            layers.Add(new LayerReport(op, op < 0 ? "input" : model.Model.Operators[op].Name, t, tensor.Name,
                stats.Min, stats.Max, range.Min, range.Max, scale, zeroPoint,
                m.Count == 0 ? 0 : 100.0 * m.Clipped / m.Count, Metrics.Sqnr(m.Signal, m.RangeNoise),
                m.Int8Count == 0 ? double.NaN : Metrics.Sqnr(m.Signal, m.Int8Noise),
                baselineSums is null || baselineSums[k].Int8Count == 0 ? null : Metrics.Sqnr(baselineSums[k].Signal, baselineSums[k].Int8Noise)));
        }

        return new QuantizationReport
        {
            Model = modelName,
            Method = options.Describe(),
            Samples = samples.SampleCount,
            Layers = layers,
            OutputTensors = model.Model.Outputs,
        };
    }

    private sealed class Sums
    {
        public double Signal, RangeNoise, Int8Noise;
        public long Count, Clipped, Int8Count;

        public void Add(Sums other)
        {
            Signal += other.Signal;
            RangeNoise += other.RangeNoise;
            Int8Noise += other.Int8Noise;
            Count += other.Count;
            Clipped += other.Clipped;
            Int8Count += other.Int8Count;
        }
    }

    private sealed class Worker(FloatRun run, Interpreter interpreter, Sums[] sums)
    {
        public FloatRun Run { get; } = run;
        public Interpreter Interpreter { get; } = interpreter;
        public Sums[] Sums { get; } = sums;
    }

    private static Sums[] Measure(FloatModel model, SampleSet samples, QuantizedModel quantized, ConversionResult conversion, IReadOnlyList<int> tensors, IProgress<int>? progress)
    {
        // Device tensor → positions (in tensors) of the float tensors it stands for.
        var deviceToFloat = new Dictionary<int, List<int>>();
        for (int k = 0; k < tensors.Count; k++)
        {
            if (quantized.Int8Tensors.TryGetValue(tensors[k], out int int8) && conversion.TensorMap.TryGetValue(int8, out int device))
            {
                if (!deviceToFloat.TryGetValue(device, out var list))
                {
                    deviceToFloat[device] = list = [];
                }

                list.Add(k);
            }
        }

        var quantization = tensors.Select(quantized.Activation).ToArray();
        var wide = tensors.Select(t => quantized.Model.Tensors[quantized.Int8Tensors[t]].Type == TfLiteType.Int16).ToArray();
        var total = tensors.Select(_ => new Sums()).ToArray();
        var gate = new object();
        var workers = new List<Worker>();
        int done = 0;
        BatchRunner.Parallel(samples.SampleCount,
            () =>
            {
                var worker = new Worker(model.CreateRun(), new Interpreter(conversion.Bytes), tensors.Select(_ => new Sums()).ToArray());
                lock (gate)
                {
                    workers.Add(worker);
                }

                return worker;
            },
            (worker, s) =>
            {
                var run = worker.Run;
                var interpreter = worker.Interpreter;
                for (int i = 0; i < samples.Inputs.Count; i++)
                {
                    samples.Sample(i, s).CopyTo(run.Input(i));
                    BatchRunner.SetInput(interpreter.GetInput(i), samples.Sample(i, s));
                }

                run.ResetState();
                interpreter.ResetState();
                run.Invoke();
                for (int k = 0; k < tensors.Count; k++)
                {
                    AddRange(worker.Sums[k], run.Tensor(tensors[k]), quantization[k].Scale, quantization[k].ZeroPoint, wide[k]);
                }

                foreach (int device in conversion.Model.Inputs)
                {
                    Capture(worker, device, deviceToFloat, tensors);
                }

                for (int o = 0; o < interpreter.OperatorCount; o++)
                {
                    interpreter.InvokeOperator(o);
                    foreach (int device in conversion.Model.Operators[o].Outputs)
                    {
                        Capture(worker, device, deviceToFloat, tensors);
                    }
                }

                progress?.Report(Interlocked.Increment(ref done));
            });

        foreach (var worker in workers)
        {
            for (int k = 0; k < total.Length; k++)
            {
                total[k].Add(worker.Sums[k]);
            }
        }

        return total;
    }

    private static void AddRange(Sums sums, ReadOnlySpan<float> values, float scale, int zeroPoint, bool wide)
    {
        int qmin = wide ? short.MinValue : sbyte.MinValue, qmax = wide ? short.MaxValue : sbyte.MaxValue;
        double low = (double)scale * (qmin - zeroPoint) - (scale / 2.0);
        double high = (double)scale * (qmax - zeroPoint) + (scale / 2.0);
        foreach (float x in values)
        {
            int q = (int)Math.Clamp(MathF.Round(x / scale, MidpointRounding.AwayFromZero) + zeroPoint, qmin, qmax);
            float y = QuantizationParameters.Dequantize(q, scale, zeroPoint);
            double e = x - (double)y;
            sums.Signal += (double)x * x;
            sums.RangeNoise += e * e;
            if (x < low || x > high)
            {
                sums.Clipped++;
            }
        }

        sums.Count += values.Length;
    }

    private static void Capture(Worker worker, int device, Dictionary<int, List<int>> deviceToFloat, IReadOnlyList<int> tensors)
    {
        if (!deviceToFloat.TryGetValue(device, out var positions))
        {
            return;
        }

        var tensor = worker.Interpreter.GetTensor(device);
        foreach (int k in positions)
        {
            var expected = worker.Run.Tensor(tensors[k]);
            if (expected.Length != tensor.Length)
            {
                continue;
            }

            double noise = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                double e = expected[i] - (double)QuantizationParameters.Dequantize(Runtime.EdgeConversion.Element(tensor, i), tensor.Scale, tensor.ZeroPoint);
                noise += e * e;
            }

            worker.Sums[k].Int8Noise += noise;
            worker.Sums[k].Int8Count += expected.Length;
        }
    }
}
