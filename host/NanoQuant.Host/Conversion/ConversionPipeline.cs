using System.Diagnostics;
using NanoQuant.Host.Quantization;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Conversion;

/// <summary>
/// `convert` without the command line: a quantized TFLite model (<see cref="ConvertQuantized"/>) or a float one with
/// calibration data (<see cref="Prepare"/>, then <see cref="Quantize"/>) → device model, with the uint8 edges,
/// clustering, palettes and compaction <see cref="ConversionOptions"/> ask for. Nothing here writes a file.
/// </summary>
public static class ConversionPipeline
{
    /// <summary>
    /// Converts a model TensorFlow already quantized (int8 or 16x8) with the arithmetic it has; only its storage changes:
    /// uint8 edges (<see cref="ModelEdges.UInt8"/>), clustered weights, palettes and compact constants.
    /// </summary>
    /// <exception cref="ArgumentException">The model cannot take the options (uint8 edges on a model whose edges are not int8).</exception>
    public static ConversionOutcome ConvertQuantized(TfLiteModel model, ConversionOptions options)
    {
        if (options.Edges == ModelEdges.UInt8)
        {
            try
            {
                model = Quantizer.WithUInt8Edges(model);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException("--io uint8: " + e.Message, e);
            }
        }

        IReadOnlyList<ClusteredLayer> clustered = [];
        if (options.Clusters is { } clusters)
        {
            (model, clustered) = WeightClustering.Apply(model, clusters, perTensor: options.ClusterPerTensor);
        }

        return new ConversionOutcome(Converter.Convert(model, options.Palettes, options.CompactsConstants), clustered);
    }

    /// <summary>Reads a float (or hybrid) model and checks that it can be quantized as asked, before any data is read.</summary>
    public static FloatReference.FloatModel Prepare(TfLiteModel model, ConversionOptions options) =>
        PostTrainingQuantizer.Prepare(model, options.Int16Activations);

    /// <summary>
    /// Full-integer post-training quantization of <paramref name="model"/> over <paramref name="calibration"/>, then
    /// conversion, and the per-layer report when asked. <paramref name="startStep"/> is told each long step's name and
    /// sample count and gives the progress to report into; a progress that is <see cref="IDisposable"/> is disposed when
    /// its step ends.
    /// </summary>
    public static ConversionOutcome Quantize(FloatReference.FloatModel model, SampleSet calibration, ConversionOptions options, string modelName,
        Func<string, int, IProgress<int>>? startStep = null)
    {
        PostTrainingResult quantization;
        var calibrating = startStep?.Invoke("calibrating", calibration.SampleCount);
        using (calibrating as IDisposable)
        {
            quantization = PostTrainingQuantizer.Run(model, calibration, options.Calibration, options.QuantizerOptions, calibrating,
                calibrating is IPhasedProgress phased ? phased.StartPhase : null);
        }

        QuantizationReport? report = null;
        var reportTime = Stopwatch.StartNew();
        if (options.Report)
        {
            var measuring = startStep?.Invoke("measuring", calibration.SampleCount);
            using (measuring as IDisposable)
            {
                report = PostTrainingQuantizer.Report(modelName, quantization, calibration, measuring, options.CompareInt8);
            }
        }

        return new ConversionOutcome(quantization.Conversion, quantization.Clustering)
        {
            Quantization = quantization,
            Report = report,
            ReportTime = reportTime.Elapsed,
        };
    }
}
