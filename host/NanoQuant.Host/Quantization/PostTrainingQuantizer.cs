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
}

/// <summary>
/// Float .tflite + representative dataset → integer-only device model: calibrate with the float
/// reference, choose ranges, quantize to an int8 TFLite model, and lower it with the very
/// <see cref="Converter"/> used for TensorFlow-made int8 models.
/// </summary>
public static class PostTrainingQuantizer
{
    /// <summary>Reads a float (or hybrid) model and checks that it can be quantized, before any data is read.</summary>
    public static FloatModel Prepare(TfLiteModel model)
    {
        var floatModel = FloatModel.Create(model);
        Quantizer.CheckRules(floatModel.Model);
        return floatModel;
    }

    public static PostTrainingResult Run(FloatModel model, SampleSet calibration, CalibrationOptions calibrationOptions,
        QuantizerOptions quantizerOptions, IProgress<int>? progress = null)
    {
        var stopwatch = Stopwatch.StartNew();
        var statistics = Calibrator.Run(model, calibration, calibrationOptions.NeedsHistogram, progress);
        var ranges = statistics.Ranges(calibrationOptions);
        var calibrationTime = stopwatch.Elapsed;

        stopwatch.Restart();
        var quantized = Quantize(model, calibration, ranges, quantizerOptions);
        IReadOnlyList<ClusteredLayer> clustering = [];
        if (quantizerOptions.Clusters is { } clusters)
        {
            (var clustered, clustering) = WeightClustering.Apply(quantized.Model, clusters);
            quantized = new QuantizedModel { Model = clustered, Int8Tensors = quantized.Int8Tensors };
        }

        var quantizationTime = stopwatch.Elapsed;

        stopwatch.Restart();
        var conversion = Converter.Convert(quantized.Model, quantizerOptions.Palettes);
        var conversionTime = stopwatch.Elapsed;
        return new PostTrainingResult(model, statistics, calibrationOptions, quantizerOptions, ranges, quantized, conversion, calibrationTime, quantizationTime, conversionTime)
        {
            Clustering = clustering,
        };
    }

    /// <summary>The int8 model for the given ranges (inputs fed by integer data keep the data's own quantization).</summary>
    public static QuantizedModel Quantize(FloatModel model, SampleSet calibration, IReadOnlyDictionary<int, (float Min, float Max)> ranges, QuantizerOptions options) =>
        Quantizer.Quantize(model, ranges, calibration.Inputs.Select(i => i.DataQuantization).ToList(), options);

    /// <summary>The per-layer report; with a clipping method, also measures the min/max model beside it.</summary>
    public static QuantizationReport Report(string modelName, PostTrainingResult result, SampleSet samples, IProgress<int>? progress = null)
    {
        (QuantizedModel, ConversionResult)? baseline = null;
        if (result.Calibration.Method != CalibrationMethod.MinMax)
        {
            var minMax = Quantize(result.FloatModel, samples, result.Statistics.Ranges(new CalibrationOptions()), result.Options);
            baseline = (minMax, Converter.Convert(minMax.Model));
        }

        return QuantizationReportBuilder.Build(modelName, result.FloatModel, samples, result.Statistics, result.Calibration, result.Ranges,
            result.Quantized, result.Conversion, baseline, progress);
    }
}
