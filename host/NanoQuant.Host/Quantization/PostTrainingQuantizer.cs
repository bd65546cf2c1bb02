using System.Diagnostics;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.FloatReference;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Quantization;

/// <summary>Everything full-integer post-training quantization produced, with how long each step took.</summary>
public sealed record PostTrainingResult(
    FloatModel FloatModel,
    CalibrationStatistics Statistics,
    CalibrationOptions Calibration,
    QuantizerOptions Options,
    IReadOnlyDictionary<int, (float Min, float Max)> Ranges,
    QuantizedModel Quantized,
    ConversionResult Conversion,
    TimeSpan CalibrationTime,
    TimeSpan QuantizationTime,
    TimeSpan ConversionTime)
{
    public TimeSpan TotalTime => CalibrationTime + QuantizationTime + ConversionTime;

    /// <summary>What weight clustering did to each layer (<see cref="QuantizerOptions.Clusters"/>); empty without it.</summary>
    public IReadOnlyList<ClusteredLayer> Clustering { get; init; } = [];

    /// <summary>How many biases <see cref="BiasCorrection"/> corrected (16x8 only; 0 otherwise).</summary>
    public int CorrectedBiases { get; init; }
}

/// <summary>
/// Float .tflite + representative dataset → integer-only device model: calibrate with the float
/// reference, choose ranges, quantize to an int8 TFLite model, and lower it with the very
/// <see cref="Converter"/> used for TensorFlow-made int8 models.
/// </summary>
public static class PostTrainingQuantizer
{
    /// <summary>Reads a float (or hybrid) model and checks that it can be quantized, before any data is read.</summary>
    public static FloatModel Prepare(TfLiteModel model, bool int16Activations = false)
    {
        var floatModel = FloatModel.Create(model);
        Quantizer.CheckRules(floatModel.Model, int16Activations);
        return floatModel;
    }

    /// <param name="progress">Calibration's progress: samples run through the float model.</param>
    /// <param name="startPhase">
    /// Told when a later phase with its own progress begins: <see cref="CalibrationMethod.Auto"/>'s comparison of its candidates
    /// (label, total steps: <see cref="AutoCandidates"/> × samples, the samples each candidate's device model runs); from then on
    /// <paramref name="progress"/> counts that phase's steps.
    /// </param>
    public static PostTrainingResult Run(FloatModel model, SampleSet calibration, CalibrationOptions calibrationOptions,
        QuantizerOptions quantizerOptions, IProgress<int>? progress = null, Action<string, int>? startPhase = null)
    {
        var stopwatch = Stopwatch.StartNew();
        if (calibrationOptions.Method == CalibrationMethod.Auto && quantizerOptions.Int16Activations)
        {
            // 16x8: rounding error is 256 times smaller, so clipping does not pay (ResNet-8: min/max 29.8 dB,
            // mse 29.6 dB over the calibration images) and the slower int16 runs are not worth making; nor are the
            // histograms only clipping methods read.
            calibrationOptions = calibrationOptions with { Method = CalibrationMethod.MinMax };
        }

        // Auto compares its candidates with the float model's outputs: calibration, which runs the float model anyway, keeps them.
        bool auto = calibrationOptions.Method == CalibrationMethod.Auto;
        var statistics = Calibrator.Run(model, calibration, calibrationOptions.NeedsHistogram, progress, keepOutputs: auto);
        var calibrationTime = stopwatch.Elapsed;
        stopwatch.Restart();
        QuantizedModel quantized;
        IReadOnlyDictionary<int, (float Min, float Max)> ranges;
        if (calibrationOptions.Method == CalibrationMethod.Auto)
        {
            startPhase?.Invoke($"comparing {string.Join(" and ", AutoCandidates.Select(c => c.ToString().ToLowerInvariant()))}", AutoCandidates.Length * calibration.SampleCount);
            (calibrationOptions, ranges, quantized, _) = ChooseAutomatically(model, calibration, statistics, calibrationOptions, quantizerOptions, progress);
            calibrationTime += stopwatch.Elapsed;
            stopwatch.Restart();
        }
        else
        {
            ranges = statistics.Ranges(calibrationOptions);
            quantized = Quantize(model, calibration, ranges, quantizerOptions);
        }

        int correctedBiases = 0;
        if (quantizerOptions.Int16Activations && quantizerOptions.BiasCorrection)
        {
            (quantized, correctedBiases) = BiasCorrection.Apply(model, quantized, calibration);
        }

        IReadOnlyList<ClusteredLayer> clustering = [];
        if (quantizerOptions.Clusters is { } clusters)
        {
            var inputs = InputStatistics(model, quantized, calibration);
            Dictionary<int, InputCorrelation>? correlations = null;
            if (quantizerOptions.ClusterMethod == ClusteringMethod.Gptq)
            {
                var planned = WeightClustering.Plan(quantized.Model, clusters, quantizerOptions.ClusterPerTensor, t => t.Type == TfLiteType.Int8 && t.Data is not null)
                    .Select(p => p.Operator.Index).ToHashSet();
                correlations = InputCorrelation.Measure(model, quantized, calibration, planned);
            }

            (var clustered, clustering) = WeightClustering.Apply(quantized.Model, clusters, inputs, quantizerOptions.ClusterPerTensor, correlations);
            quantized = new QuantizedModel { Model = clustered, Int8Tensors = quantized.Int8Tensors };
        }

        var quantizationTime = stopwatch.Elapsed;
        stopwatch.Restart();
        var conversion = Convert(quantized, quantizerOptions);
        var conversionTime = stopwatch.Elapsed;
        return new PostTrainingResult(model, statistics, calibrationOptions, quantizerOptions, ranges, quantized, conversion, calibrationTime, quantizationTime, conversionTime)
        {
            Clustering = clustering,
            CorrectedBiases = correctedBiases,
        };
    }

    /// <summary>The device model of a quantized model, with the palettes and constant compaction <paramref name="options"/> ask for.</summary>
    public static ConversionResult Convert(QuantizedModel quantized, QuantizerOptions options) =>
        Converter.Convert(quantized.Model, options.Palettes, DeviceModels.ConstantCompaction.IsOn(options.CompactConstants, options.Clusters));

    /// <summary>
    /// For every CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED of the quantized model: the mean and the mean square
    /// of each channel (last axis) of its input activation over (at most 256 of) the calibration samples, run
    /// through the float model — how much an error in the weights that channel meets shows in the output.
    /// </summary>
    public static Dictionary<int, InputChannelStatistics> InputStatistics(FloatModel model, QuantizedModel quantized, SampleSet calibration)
    {
        var floatOf = new Dictionary<int, int>();
        foreach (var (floatTensor, int8Tensor) in quantized.Int8Tensors)
        {
            floatOf.TryAdd(int8Tensor, floatTensor);
        }

        var wanted = new Dictionary<int, int>();
        foreach (var op in quantized.Model.Operators)
        {
            if (op.Code is BuiltinOperator.Conv2d or BuiltinOperator.DepthwiseConv2d or BuiltinOperator.FullyConnected
                && floatOf.TryGetValue(op.Inputs[0], out int floatInput))
            {
                wanted[op.Index] = floatInput;
            }
        }

        var sums = wanted.Values.Distinct().ToDictionary(t => t, t => new double[Math.Max(1, model.Model.Tensors[t].Shape.LastOrDefault(1))]);
        var plainSums = sums.Keys.ToDictionary(t => t, t => new double[sums[t].Length]);
        var run = model.CreateRun();
        int samples = Math.Min(calibration.SampleCount, 256);
        for (int sample = 0; sample < samples; sample++)
        {
            for (int i = 0; i < calibration.Inputs.Count; i++)
            {
                calibration.Sample(i, sample).CopyTo(run.Input(i));
            }

            run.Invoke();
            foreach (var (tensor, sum) in sums)
            {
                var values = run.Tensor(tensor);
                var plain = plainSums[tensor];
                for (int e = 0; e < values.Length; e++)
                {
                    sum[e % sum.Length] += (double)values[e] * values[e];
                    plain[e % sum.Length] += values[e];
                }
            }
        }

        var statistics = new Dictionary<int, InputChannelStatistics>();
        foreach (var (op, tensor) in wanted)
        {
            var sum = sums[tensor];
            double count = Math.Max(1, (double)samples * model.Model.Tensors[tensor].ElementCount / sum.Length);
            statistics[op] = new InputChannelStatistics(plainSums[tensor].Select(v => (float)(v / count)).ToArray(), sum.Select(v => (float)(v / count)).ToArray());
        }

        return statistics;
    }

    /// <summary>Candidates of <see cref="CalibrationMethod.Auto"/>, in order of preference.</summary>
    public static readonly CalibrationMethod[] AutoCandidates = [CalibrationMethod.MinMax, CalibrationMethod.Mse];

    /// <summary>
    /// How much higher (dB) a later candidate's output SQNR over the calibration data must be to be
    /// preferred: 3 dB, half the output noise power. Clipping ranges fit the calibration data; a
    /// smaller gain there did not carry over to held-out data (KWS: +2.9 dB on the calibration set,
    /// 4 of 800 held-out samples fewer right), a larger one did (ResNet-8: +3.6 dB, 6 more right).
    /// </summary>
    public const double AutoMarginDb = CalibrationOptions.AutoMarginDb;

    /// <summary>
    /// <see cref="CalibrationMethod.Auto"/>: quantizes with each candidate's ranges, runs each device model
    /// over the calibration data and keeps TFLite's min/max unless a clipping candidate brings the
    /// outputs clearly closer to the float model's (output SQNR over all outputs and samples at least
    /// <see cref="AutoMarginDb"/> higher).
    /// </summary>
    /// <remarks>
    /// A later candidate runs a quarter of the samples at a time and stops as soon as its squared error, which only
    /// grows, exceeds what it may reach to be preferred (the best one's ÷ 10^(margin/10)): the choice is exactly that of
    /// running every sample, and a candidate that clearly loses (VWW's, AD01's mse) costs about half a run.
    /// </remarks>
    private static (CalibrationOptions, IReadOnlyDictionary<int, (float Min, float Max)>, QuantizedModel, ConversionResult) ChooseAutomatically(
        FloatModel model, SampleSet calibration, CalibrationStatistics statistics, CalibrationOptions options, QuantizerOptions quantizerOptions,
        IProgress<int>? progress)
    {
        float[][] reference = statistics.Outputs ?? Evaluation.BatchRunner.RunFloat(model, calibration);
        int samples = calibration.SampleCount;
        double signal = reference.Sum(o => o.Sum(v => (double)v * v));
        var scores = new List<(CalibrationMethod Method, double Sqnr, int Samples)>();
        (CalibrationOptions, IReadOnlyDictionary<int, (float Min, float Max)>, QuantizedModel, ConversionResult)? best = null;
        double bestSqnr = double.NegativeInfinity, bestNoise = double.PositiveInfinity;
        for (int c = 0; c < AutoCandidates.Length; c++)
        {
            var method = AutoCandidates[c];
            progress?.Report(c * samples);
            var candidate = options with { Method = method };
            var ranges = statistics.Ranges(candidate);
            if (best is { } first && SameRanges(first.Item2, ranges))
            {
                // The same ranges give the same model: nothing to run (tiny models whose tensors have no tails).
                scores.Add((method, bestSqnr, samples));
                continue;
            }

            var quantized = Quantize(model, calibration, ranges, quantizerOptions);
            var conversion = Converter.Convert(quantized.Model);
            double limit = best is null ? double.PositiveInfinity : bestNoise / Math.Pow(10, AutoMarginDb / 10);
            int chunk = best is null ? samples : Math.Max(1, (samples + 3) / 4);
            double noise = 0;
            int done = 0;
            while (done < samples && noise <= limit)
            {
                int count = Math.Min(chunk, samples - done);
                var actual = Evaluation.BatchRunner.RunDevice(conversion.Bytes, calibration.Slice(done, count),
                    progress is null ? null : new OffsetProgress(progress, (c * samples) + done));
                for (int o = 0; o < actual.Length; o++)
                {
                    int length = actual[o].Length / count;
                    var expected = reference[o].AsSpan(done * length, count * length);
                    for (int e = 0; e < expected.Length; e++)
                    {
                        double d = (double)expected[e] - actual[o][e];
                        noise += d * d;
                    }
                }

                done += count;
            }

            // Stopped early, this is an upper bound of the candidate's SQNR, and already too low to be preferred.
            double sqnr = Evaluation.Metrics.Sqnr(signal, noise);
            scores.Add((method, sqnr, done));
            if (best is null || sqnr >= bestSqnr + AutoMarginDb)
            {
                best = (candidate, ranges, quantized, conversion);
                bestSqnr = sqnr;
                bestNoise = noise;
            }
        }

        progress?.Report(AutoCandidates.Length * samples);
        var (chosen, chosenRanges, chosenModel, chosenConversion) = best!.Value;
        return (chosen with { AutoCandidates = scores, AutoSamples = samples }, chosenRanges, chosenModel, chosenConversion);
    }

    private static bool SameRanges(IReadOnlyDictionary<int, (float Min, float Max)> a, IReadOnlyDictionary<int, (float Min, float Max)> b) =>
        a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var other) && other.Equals(p.Value));

    /// <summary>The int8 model for the given ranges (inputs fed by integer data keep the data's own quantization).</summary>
    public static QuantizedModel Quantize(FloatModel model, SampleSet calibration, IReadOnlyDictionary<int, (float Min, float Max)> ranges, QuantizerOptions options) =>
        Quantizer.Quantize(model, ranges, calibration.Inputs.Select(i => i.DataQuantization).ToList(), options);

    /// <summary>
    /// The per-layer report; with a clipping method, also measures the min/max model beside it. For a
    /// 16x8 model with <paramref name="compareInt8"/>, the baseline is instead the int8 model of the
    /// same ranges, so each layer shows what int16 activations buy.
    /// </summary>
    public static QuantizationReport Report(string modelName, PostTrainingResult result, SampleSet samples, IProgress<int>? progress = null, bool compareInt8 = false)
    {
        (QuantizedModel, ConversionResult)? baseline = null;
        bool int16 = result.Options.Int16Activations;
        if (int16 && compareInt8)
        {
            var int8 = Quantize(result.FloatModel, samples, result.Ranges, result.Options with { Int16Activations = false });
            baseline = (int8, Converter.Convert(int8.Model));
        }
        else if (result.Calibration.Method != CalibrationMethod.MinMax)
        {
            var minMax = Quantize(result.FloatModel, samples, result.Statistics.Ranges(new CalibrationOptions(CalibrationMethod.MinMax)), result.Options);
            baseline = (minMax, Converter.Convert(minMax.Model));
        }

        var report = QuantizationReportBuilder.Build(modelName, result.FloatModel, samples, result.Statistics, result.Calibration, result.Ranges,
            result.Quantized, result.Conversion, baseline, progress);
        return int16 ? new QuantizationReport
        {
            Model = report.Model,
            Method = report.Method,
            Samples = report.Samples,
            Layers = report.Layers,
            OutputTensors = report.OutputTensors,
            Mode = "16x8",
            BaselineName = compareInt8 ? "int8" : "min/max",
        } : report;
    }

    /// <summary>Progress of a part of a longer job: reports the part's count plus where the part starts.</summary>
    private sealed class OffsetProgress(IProgress<int> inner, int offset) : IProgress<int>
    {
        public void Report(int value) => inner.Report(offset + value);
    }
}
