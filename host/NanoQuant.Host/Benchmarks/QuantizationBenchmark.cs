using System.Diagnostics;
using System.Text.Json;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Quantization;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Benchmarks;

/// <summary>
/// Representative datasets for the float models of ../shared: real data where shared/data has it
/// (CIFAR-10 images for ResNet-8, keyword-spotting features for the DS-CNN). VWW and anomaly
/// detection have no dataset in shared/: their sets start with the real inputs of their float
/// goldens, then (VWW) natural photos — CIFAR-10 images upsampled to 96×96 — and seeded uniform
/// noise over the range the goldens draw their random inputs from, half and half.
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
        "vww_96_float" => "the 2 real golden images, then CIFAR-10 upsampled to 96×96 and uniform noise in [0, 1), half and half",
        "ad01_fp32" => "the real golden window, then uniform noise in [−60, 10)",
        "hello_world_float" => "uniform x in [0, 2π)",
        _ => "uniform noise in [0, 1)",
    };

    /// <summary>The first <paramref name="count"/> calibration samples for <paramref name="model"/> (or fewer when the dataset is smaller).</summary>
    public static SampleSet Calibration(string model, TfLiteModel floatModel, string sharedRoot, int count, int seed = 1)
    {
        var specs = InputSpec.Of(floatModel);
        switch (model)
        {
            case "pretrainedResnet_float":
                return Load(model, floatModel, sharedRoot, 0, count);
            case "kws_ref_model_float32":
                return Load(model, floatModel, sharedRoot, 0, count);
        }

        var input = floatModel.InputTensors.First();
        int[] perSample = input.Shape.Length > 0 && input.Shape[0] == 1 ? input.Shape[1..] : input.Shape;
        int length = perSample.Aggregate(1, (a, b) => a * b);
        var values = new List<float>(count * length);
        foreach (var real in GoldenRealInputs(model, sharedRoot).Take(count))
        {
            values.AddRange(real);
        }

        int remaining = count - (values.Count / length);
        if (model == "vww_96_float" && remaining > 0)
        {
            int natural = remaining / 2;
            var cifar = NpyArray.Load(Path.Combine(sharedRoot, "data", "cifar10", "images_uint8_nhwc.npy"));
            natural = Math.Min(natural, cifar.Shape[0]);
            for (int i = 0; i < natural; i++)
            {
                values.AddRange(Upsample(cifar, i, perSample[0], perSample[1]));
            }

            remaining -= natural;
        }

        var (low, high) = model switch
        {
            "ad01_fp32" => (-60f, 10f),
            "hello_world_float" => (0f, 2 * MathF.PI),
            _ => (0f, 1f),
        };
        values.AddRange(Uniform([remaining, .. perSample], low, high, seed).ToFloats());
        return SampleSet.FromArrays(specs, [($"{model} calibration set", NpyArray.FromFloats(values.ToArray(), [count, .. perSample]))]);
    }

    /// <summary>Samples <paramref name="start"/> .. <paramref name="start"/> + <paramref name="count"/> − 1 of a real dataset (ResNet-8's CIFAR-10, the DS-CNN's features; for VWW, CIFAR-10 upsampled).</summary>
    public static SampleSet Load(string model, TfLiteModel floatModel, string sharedRoot, int start, int count)
    {
        var specs = InputSpec.Of(floatModel);
        if (model == "vww_96_float")
        {
            // No VWW data here: natural photos stand in — CIFAR-10 images upsampled to 96×96 (the calibration set uses 0 … 98).
            var cifar = NpyArray.Load(Path.Combine(sharedRoot, "data", "cifar10", "images_uint8_nhwc.npy"));
            int[] perSample = floatModel.InputTensors.First().Shape[1..];
            count = Math.Min(count, cifar.Shape[0] - start);
            var images = Enumerable.Range(start, count).SelectMany(i => Upsample(cifar, i, perSample[0], perSample[1])).ToArray();
            return SampleSet.FromArrays(specs, [($"CIFAR-10 images {start}..{start + count - 1} upsampled to 96×96", NpyArray.FromFloats(images, [count, .. perSample]))]);
        }

        var (path, encoding) = model switch
        {
            "pretrainedResnet_float" => (Path.Combine(sharedRoot, "data", "cifar10", "images_uint8_nhwc.npy"), new DataEncoding(1, 0)),
            "kws_ref_model_float32" => (Path.Combine(sharedRoot, "data", "kws", "features_int8.npy"), new DataEncoding(0.584703, 83)),
            _ => throw new ArgumentException($"no real dataset for {model} in shared/data"),
        };
        var all = SampleSet.Load(specs, [path], [encoding]);
        return all.Slice(start, Math.Min(count, all.SampleCount - start));
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

    /// <summary>The inputs of the model's float golden cases that are real samples (not random).</summary>
    public static IEnumerable<float[]> GoldenRealInputs(string model, string sharedRoot)
    {
        string folder = Path.Combine(sharedRoot, "golden", model);
        string manifest = Path.Combine(folder, "manifest.json");
        if (!File.Exists(manifest))
        {
            yield break;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(manifest));
        var cases = document.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("source").GetString()).ToList();
        for (int c = 0; c < cases.Count; c++)
        {
            if (cases[c] != "random")
            {
                yield return NpyArray.Load(Path.Combine(folder, $"input_{c}_0.npy")).ToFloats();
            }
        }
    }

    /// <summary>CIFAR-10 image <paramref name="index"/> (uint8 HWC) resized bilinearly (half-pixel centers) to height × width, in [0, 1].</summary>
    private static float[] Upsample(NpyArray images, int index, int height, int width)
    {
        int sourceHeight = images.Shape[1], sourceWidth = images.Shape[2], channels = images.Shape[3];
        var data = images.Data.AsSpan(index * sourceHeight * sourceWidth * channels, sourceHeight * sourceWidth * channels);
        var output = new float[height * width * channels];
        for (int y = 0; y < height; y++)
        {
            double sy = ((y + 0.5) * sourceHeight / height) - 0.5;
            int y0 = (int)Math.Floor(sy);
            double fy = sy - y0;
            for (int x = 0; x < width; x++)
            {
                double sx = ((x + 0.5) * sourceWidth / width) - 0.5;
                int x0 = (int)Math.Floor(sx);
                double fx = sx - x0;
                for (int c = 0; c < channels; c++)
                {
                    double v = 0;
                    for (int dy = 0; dy < 2; dy++)
                    {
                        for (int dx = 0; dx < 2; dx++)
                        {
                            int yy = Math.Clamp(y0 + dy, 0, sourceHeight - 1), xx = Math.Clamp(x0 + dx, 0, sourceWidth - 1);
                            v += (dy == 0 ? 1 - fy : fy) * (dx == 0 ? 1 - fx : fx) * data[(((yy * sourceWidth) + xx) * channels) + c];
                        }
                    }

                    output[(((y * width) + x) * channels) + c] = (float)(v / 255);
                }
            }
        }

        return output;
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

        // Calibration includes, for the auto method, quantizing and running each candidate.
        try
        {
            var result = PostTrainingQuantizer.Run(floatModel, data, options, new QuantizerOptions());
            return new QuantizationBenchmarkResult(model, data.SampleCount, load, result.CalibrationTime, result.QuantizationTime, result.ConversionTime, null);
        }
        catch (UnsupportedModelException e)
        {
            return new QuantizationBenchmarkResult(model, data.SampleCount, load, TimeSpan.Zero, TimeSpan.Zero, null, e.Message);
        }
    }
}
