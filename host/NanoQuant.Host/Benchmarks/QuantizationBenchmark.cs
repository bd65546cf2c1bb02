using System.Diagnostics;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Quantization;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Benchmarks;

/// <summary>
/// Representative datasets for the float models of ../shared: real data where shared/data has it
/// (CIFAR-10 images for ResNet-8, keyword-spotting features for the DS-CNN), otherwise seeded
/// uniform noise over the range the float goldens draw their inputs from.
/// </summary>
public static class ReferenceDatasets
{
    /// <summary>The MLPerf Tiny float models (the benchmark's subjects).</summary>
    public static readonly string[] MlperfFloatModels = ["vww_96_float", "pretrainedResnet_float", "ad01_fp32", "kws_ref_model_float32"];

    /// <summary>Where the model's calibration data comes from, in words.</summary>
    public static string Describe(string model) => model switch
    {
        "pretrainedResnet_float" => "CIFAR-10 images (data/cifar10, uint8 pixels, scale 1, offset 0)",
        "kws_ref_model_float32" => "Speech Commands MFCC features (data/kws, int8, scale 0.584703, offset 83)",
        "vww_96_float" => "uniform noise in [0, 1) (no VWW images in shared/)",
        "ad01_fp32" => "uniform noise in [−60, 10) (no ToyADMOS data in shared/)",
        "hello_world_float" => "uniform x in [0, 2π)",
        _ => "uniform noise in [0, 1)",
    };

    /// <summary>The first <paramref name="count"/> calibration samples for <paramref name="model"/> (or fewer when the dataset is smaller).</summary>
    public static SampleSet Calibration(string model, TfLiteModel floatModel, string sharedRoot, int count, int seed = 1) =>
        Load(model, floatModel, sharedRoot, 0, count, seed);

    /// <summary>Samples <paramref name="start"/> .. <paramref name="start"/> + <paramref name="count"/> − 1 of the model's dataset.</summary>
    public static SampleSet Load(string model, TfLiteModel floatModel, string sharedRoot, int start, int count, int seed = 1)
    {
        var specs = InputSpec.Of(floatModel);
        switch (model)
        {
            case "pretrainedResnet_float":
                return Real(specs, Path.Combine(sharedRoot, "data", "cifar10", "images_uint8_nhwc.npy"), new DataEncoding(1, 0), start, count);
            case "kws_ref_model_float32":
                return Real(specs, Path.Combine(sharedRoot, "data", "kws", "features_int8.npy"), new DataEncoding(0.584703, 83), start, count);
        }

        var (low, high) = model switch
        {
            "ad01_fp32" => (-60f, 10f),
            "hello_world_float" => (0f, 2 * MathF.PI),
            _ => (0f, 1f),
        };
        var input = floatModel.InputTensors.First();
        int[] perSample = input.Shape.Length > 0 && input.Shape[0] == 1 ? input.Shape[1..] : input.Shape;
        var array = Uniform([count, .. perSample], low, high, seed + start);
        return SampleSet.FromArrays(specs, [($"uniform[{low}, {high}) seed {seed + start}", array)]);
    }

    /// <summary>Seeded uniform float32 noise in [low, high).</summary>
    public static NpyArray Uniform(int[] shape, float low, float high, int seed)
    {
        var random = new Random(seed);
        var values = new float[shape.Aggregate(1, (a, b) => a * b)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = low + ((high - low) * random.NextSingle());
        }

        return NpyArray.FromFloats(values, shape);
    }

    private static SampleSet Real(IReadOnlyList<InputSpec> specs, string path, DataEncoding encoding, int start, int count)
    {
        var all = SampleSet.Load(specs, [path], [encoding]);
        int take = Math.Min(count, all.SampleCount - start);
        return all.Slice(start, take);
    }
}

/// <summary>Time to calibrate, quantize and convert one float model.</summary>
public sealed record QuantizationBenchmarkResult(string Model, int Samples, TimeSpan Load, TimeSpan Calibration, TimeSpan Quantization, TimeSpan? Conversion, string? Failure)
{
    public TimeSpan Total => Load + Calibration + Quantization + (Conversion ?? TimeSpan.Zero);
}

/// <summary>`nanoquant bench-quantize`: calibration + conversion time of each float model with N samples.</summary>
public static class QuantizationBenchmark
{
    public static QuantizationBenchmarkResult Measure(string model, string sharedRoot, int samples, CalibrationOptions options)
    {
        var stopwatch = Stopwatch.StartNew();
        var floatModel = PostTrainingQuantizer.Prepare(TfLiteReader.ReadFile(Path.Combine(sharedRoot, "models", model + ".tflite")));
        var data = ReferenceDatasets.Calibration(model, floatModel.Model, sharedRoot, samples);
        var load = stopwatch.Elapsed;

        stopwatch.Restart();
        var statistics = Calibrator.Run(floatModel, data, options.NeedsHistogram);
        var ranges = statistics.Ranges(options);
        var calibration = stopwatch.Elapsed;

        stopwatch.Restart();
        var quantized = PostTrainingQuantizer.Quantize(floatModel, data, ranges, new QuantizerOptions());
        var quantization = stopwatch.Elapsed;

        stopwatch.Restart();
        try
        {
            Converter.Convert(quantized.Model);
            return new QuantizationBenchmarkResult(model, data.SampleCount, load, calibration, quantization, stopwatch.Elapsed, null);
        }
        catch (UnsupportedModelException e)
        {
            return new QuantizationBenchmarkResult(model, data.SampleCount, load, calibration, quantization, null, e.Message);
        }
    }
}
