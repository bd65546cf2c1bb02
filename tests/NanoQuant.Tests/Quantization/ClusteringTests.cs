using NanoQuant.Host.Benchmarks;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.DeviceModels;
using NanoQuant.Host.Evaluation;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Quantization;
using NanoQuant.Host.Runtime;
using NanoQuant.Host.TfLite;
using Xunit.Abstractions;

namespace NanoQuant.Tests.Quantization;

/// <summary>
/// Weight clustering (`convert --cluster N`) and the palettes it leads to: the clustering is the
/// exact 1-D optimum, the clustered models' size and accuracy (figures in docs/quantization.md), and
/// lossless palettes on a model whose weights already have ≤ 16 values.
/// </summary>
public class ClusteringTests(ITestOutputHelper log)
{
    private const int CalibrationSamples = 200;

    [Fact]
    public void Optimal_map_matches_a_brute_force_search_over_every_partition()
    {
        var random = new Random(7);
        for (int trial = 0; trial < 40; trial++)
        {
            var histogram = new double[256];
            int occupied = 3 + random.Next(7);
            var values = Enumerable.Range(0, 256).OrderBy(_ => random.Next()).Take(occupied).Order().ToArray();
            foreach (int v in values)
            {
                histogram[v] = 1 + random.Next(20) + (trial % 2 == 0 ? 0 : random.NextDouble());
            }

            int clusters = 1 + random.Next(occupied);
            int[] map = WeightClustering.OptimalMap(histogram, clusters);
            Assert.True(map.Where((_, v) => histogram[v] > 0).Distinct().Count() <= clusters);
            double best = BruteForce(values, histogram, clusters);
            Assert.Equal(best, Cost(map, histogram), 6);
        }

        static double Cost(int[] map, double[] histogram) =>
            Enumerable.Range(0, 256).Sum(v => histogram[v] * Math.Pow(map[v] - (v - 128), 2));

        // Every split of the sorted values into at most `clusters` runs, each run's centroid its rounded weighted mean.
        static double BruteForce(int[] values, double[] histogram, int clusters)
        {
            double best = double.MaxValue;
            int m = values.Length;
            for (int mask = 0; mask < 1 << (m - 1); mask++)
            {
                if (System.Numerics.BitOperations.PopCount((uint)mask) + 1 > clusters)
                {
                    continue;
                }

                double cost = 0;
                int start = 0;
                for (int i = 0; i < m; i++)
                {
                    if (i == m - 1 || (mask & (1 << i)) != 0)
                    {
                        var run = values[start..(i + 1)];
                        double weight = run.Sum(v => histogram[v]);
                        double centroid = Math.Round(run.Sum(v => histogram[v] * (v - 128)) / weight, MidpointRounding.AwayFromZero);
                        cost += run.Sum(v => histogram[v] * Math.Pow(centroid - (v - 128), 2));
                        start = i + 1;
                    }
                }

                best = Math.Min(best, cost);
            }

            return best;
        }
    }

    [Fact]
    public void Clustering_leaves_at_most_N_values_per_channel_and_small_layers_alone()
    {
        var source = TfLiteReader.ReadFile(SharedResources.ModelPath("pretrainedResnet_quant"));
        var (clustered, layers) = WeightClustering.Apply(source, 16);
        Assert.NotEmpty(layers);
        foreach (var layer in layers)
        {
            Assert.InRange(layer.DistinctAfter, 1, 16);
            Assert.True(layer.DistinctBefore <= 16 && !layer.SharedTable ? double.IsPositiveInfinity(layer.SqnrDb) : layer.SqnrDb is > 10 and < 60, $"{layer.Operator}: {layer.SqnrDb} dB");
        }

        // The first conv (16 channels of 27 weights, under 1/16 of the weights) reads the model input: left as it was.
        var firstConv = source.Operators.First(o => o.Code == BuiltinOperator.Conv2d).Inputs[1];
        Assert.Equal(source.Tensors[firstConv].Data, clustered.Tensors[firstConv].Data);
        Assert.DoesNotContain(layers, l => l.Tensor.Contains($"'{source.Tensors[firstConv].Name}'", StringComparison.Ordinal));
    }

    /// <summary>
    /// ResNet-8: `--method mse --cluster 16` (per-channel tables where channels are long, shared ones where they
    /// are short, compact int32 constants) against the same conversion without clustering or compaction, on the
    /// 1,002 evaluation images: at most 0.55× the bytes, top-1 within 1.5 points.
    /// </summary>
    [Fact]
    public void ResNet_with_16_clusters_is_at_most_055x_and_keeps_top1_within_one_and_a_half_points()
    {
        var model = PostTrainingQuantizer.Prepare(TfLiteReader.ReadFile(SharedResources.ModelPath("pretrainedResnet_float")));
        var calibration = ReferenceDatasets.Load("pretrainedResnet_float", model.Model, SharedResources.Root, 0, CalibrationSamples);
        var evaluation = ReferenceDatasets.Load("pretrainedResnet_float", model.Model, SharedResources.Root, CalibrationSamples, 1002);
        var labels = Metrics.Labels(NpyArray.Load(Path.Combine(SharedResources.Data, "cifar10", "labels.npy"))).Skip(CalibrationSamples).ToArray();
        var options = new CalibrationOptions(CalibrationMethod.Mse);

        var plain = PostTrainingQuantizer.Run(model, calibration, options, new QuantizerOptions());
        var clustered = PostTrainingQuantizer.Run(model, calibration, options, new QuantizerOptions { Clusters = 16 });
        var a = Top1Evaluator.Device("int8", plain.Conversion.Bytes, evaluation, labels);
        var b = Top1Evaluator.Device("clustered", clustered.Conversion.Bytes, evaluation, labels);
        double ratio = (double)clustered.Conversion.Bytes.Length / plain.Conversion.Bytes.Length;
        log.WriteLine($"ResNet-8: int8 {a.Correct}/1002 in {plain.Conversion.Bytes.Length} bytes; --cluster 16 {b.Correct}/1002 in {clustered.Conversion.Bytes.Length} bytes ({ratio:F3}×)");
        Assert.True(100.0 * (a.Correct - b.Correct) / 1002 <= 1.5, $"clustered top-1 {b.Correct} vs {a.Correct}");
        Assert.True(ratio <= 0.55, $"size ratio {ratio:F3}");
        Assert.Contains(clustered.Conversion.Model.Tensors, t => t.Palette is { Bits: 4, Axis: 0 });
        Assert.Contains(clustered.Conversion.Model.Tensors, t => t.Palette is { Bits: 4, Axis: null });
        Assert.Contains(clustered.Conversion.Model.Tensors, t => t.IsDerived);
    }

    /// <summary>KWS (hybrid float → int8): `--cluster 16` on the 800 evaluation feature sets: at most 0.55× the bytes, top-1 within 1.5 points.</summary>
    [Fact]
    public void Kws_with_16_clusters_is_at_most_055x_and_keeps_top1_within_one_and_a_half_points()
    {
        var model = PostTrainingQuantizer.Prepare(TfLiteReader.ReadFile(SharedResources.ModelPath("kws_ref_model_float32")));
        var calibration = ReferenceDatasets.Load("kws_ref_model_float32", model.Model, SharedResources.Root, 0, CalibrationSamples);
        var evaluation = ReferenceDatasets.Load("kws_ref_model_float32", model.Model, SharedResources.Root, CalibrationSamples, 800);
        var labels = Metrics.Labels(NpyArray.Load(Path.Combine(SharedResources.Data, "kws", "labels.npy"))).Skip(CalibrationSamples).ToArray();

        var plain = PostTrainingQuantizer.Run(model, calibration, new CalibrationOptions(), new QuantizerOptions());
        var clustered = PostTrainingQuantizer.Run(model, calibration, new CalibrationOptions(), new QuantizerOptions { Clusters = 16 });
        var a = Top1Evaluator.Device("int8", plain.Conversion.Bytes, evaluation, labels);
        var b = Top1Evaluator.Device("clustered", clustered.Conversion.Bytes, evaluation, labels);
        double ratio = (double)clustered.Conversion.Bytes.Length / plain.Conversion.Bytes.Length;
        log.WriteLine($"KWS: int8 {a.Correct}/800 in {plain.Conversion.Bytes.Length} bytes; --cluster 16 {b.Correct}/800 in {clustered.Conversion.Bytes.Length} bytes ({ratio:F3}×)");
        Assert.True(100.0 * (a.Correct - b.Correct) / 800 <= 1.5, $"clustered top-1 {b.Correct} vs {a.Correct}");
        Assert.True(ratio <= 0.55, $"size ratio {ratio:F3}");
    }

    /// <summary>
    /// ad01 (TensorFlow's int8 model) clustered to 16 values per tensor and saved as an ordinary int8 model;
    /// converting that model stores every weight tensor as a 4-bit palette by itself, losslessly: the
    /// outputs equal those of the same model with palettes off, byte for byte, in ≤ 0.55× the bytes.
    /// The output SQNR the clustering costs against the unclustered model is reported.
    /// </summary>
    [Fact]
    public void Lossless_palettes_on_a_model_with_16_values_per_tensor_are_byte_exact_and_at_most_055x()
    {
        var golden = Golden.Load("ad01_int8");
        var original = TfLiteReader.ReadFile(golden.ModelPath);
        var (clusteredModel, _) = WeightClustering.Apply(original, 16, perTensor: true);
        var reread = TfLiteReader.Read(TfLiteWriter.Write(clusteredModel));
        var palettes = Converter.Convert(reread);
        var off = Converter.Convert(reread, PaletteMode.Off);
        var unclustered = Converter.Convert(original);
        Assert.Equal(unclustered.Bytes.Length, off.Bytes.Length);
        Assert.True(palettes.Model.Tensors.Count(t => t.Palette is { Bits: 4 }) >= 10);
        double ratio = (double)palettes.Bytes.Length / off.Bytes.Length;
        Assert.True(ratio <= 0.55, $"size ratio {ratio:F3}");

        var withPalettes = new ModelRunner(palettes.Bytes);
        var plain = new ModelRunner(off.Bytes);
        var reference = new ModelRunner(unclustered.Bytes);
        double signal = 0, noise = 0;
        for (int c = 0; c < golden.CaseCount; c++)
        {
            var x = withPalettes.Run(golden.Inputs(c))[0];
            Assert.Equal(plain.Run(golden.Inputs(c))[0].Data, x.Data);
            var y = reference.Run(golden.Inputs(c))[0];
            var scale = unclustered.Model.Tensors[unclustered.Model.Outputs[0]];
            for (int i = 0; i < x.Data.Length; i++)
            {
                double expected = scale.Scale * (unchecked((sbyte)y.Data[i]) - scale.ZeroPoint);
                double actual = scale.Scale * (unchecked((sbyte)x.Data[i]) - scale.ZeroPoint);
                signal += expected * expected;
                noise += (expected - actual) * (expected - actual);
            }
        }

        double sqnr = Metrics.Sqnr(signal, noise);
        log.WriteLine($"ad01: {off.Bytes.Length} → {palettes.Bytes.Length} bytes ({ratio:F3}×); output SQNR against the unclustered int8 model {sqnr:F1} dB over {golden.CaseCount} golden inputs");
        Assert.True(sqnr > 15, $"output SQNR {sqnr:F1} dB");
    }
}
