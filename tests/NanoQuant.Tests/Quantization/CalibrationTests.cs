using NanoQuant.Host.Benchmarks;
using NanoQuant.Host.FloatReference;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Quantization;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Tests.Quantization;

/// <summary>Calibration data loading (one clear error per problem), range observers and range methods.</summary>
public class CalibrationTests
{
    private static readonly IReadOnlyList<InputSpec> Images = [new InputSpec("image", [1, 4, 4, 3])];

    private static SampleSet Load(NpyArray array, DataEncoding? encoding = null) =>
        SampleSet.FromArrays(Images, [("data.npy", array)], encoding is null ? null : [encoding]);

    [Fact]
    public void Float_samples_are_taken_as_they_are()
    {
        var values = Enumerable.Range(0, 2 * 48).Select(i => i / 10f).ToArray();
        var set = Load(NpyArray.FromFloats(values, [2, 4, 4, 3]));
        Assert.Equal(2, set.SampleCount);
        Assert.Equal(values.AsSpan(48, 48).ToArray(), set.Sample(0, 1).ToArray());
        Assert.Null(set.Inputs[0].DataQuantization);
    }

    [Fact]
    public void Integer_samples_are_decoded_and_keep_their_quantization()
    {
        var bytes = Enumerable.Range(0, 48).Select(i => (byte)(i * 5)).ToArray();
        var set = Load(new NpyArray(NpyType.UInt8, [1, 4, 4, 3], bytes), new DataEncoding(1, 0));
        Assert.Equal(bytes.Select(b => (float)b), set.Sample(0, 0).ToArray());
        Assert.Equal((1f, -128), set.Inputs[0].DataQuantization);

        var int8 = Load(new NpyArray(NpyType.Int8, [1, 4, 4, 3], new byte[48]), new DataEncoding(0.5, 83));
        Assert.Equal((0.5f, 83), int8.Inputs[0].DataQuantization);
        Assert.Equal(-41.5f, int8.Sample(0, 0)[0]);
    }

    [Theory]
    [InlineData(new[] { 2, 4, 4 }, "must be (N, 4, 4, 3)")]
    [InlineData(new[] { 2, 4, 4, 1 }, "must be (N, 4, 4, 3)")]
    [InlineData(new[] { 48 }, "must be (N, 4, 4, 3)")]
    public void Wrong_shape_is_refused_with_the_expected_shape(int[] shape, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => Load(NpyArray.FromFloats(new float[shape.Aggregate(1, (a, b) => a * b)], shape)));
        Assert.Contains(message, e.Message);
        Assert.Contains("data.npy", e.Message);
    }

    [Fact]
    public void Empty_data_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => Load(NpyArray.FromFloats([], [0, 4, 4, 3])));
        Assert.Contains("holds no samples", e.Message);
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "∞")]
    public void Non_finite_data_is_refused_with_its_position(float bad, string shown)
    {
        var values = new float[2 * 48];
        values[48 + 5] = bad;
        var e = Assert.Throws<ArgumentException>(() => Load(NpyArray.FromFloats(values, [2, 4, 4, 3])));
        Assert.Contains("sample 1, element 5", e.Message);
        Assert.Contains("finite", e.Message);
        Assert.True(e.Message.Contains(shown) || e.Message.Contains("Infinity"), e.Message);
    }

    [Fact]
    public void Integers_without_an_encoding_and_other_types_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => Load(new NpyArray(NpyType.UInt8, [1, 4, 4, 3], new byte[48])));
        Assert.Contains("--input-scale", e.Message);
        e = Assert.Throws<ArgumentException>(() => Load(new NpyArray(NpyType.Bool, [1, 4, 4, 3], new byte[48])));
        Assert.Contains("bool", e.Message);
        e = Assert.Throws<ArgumentException>(() => Load(NpyArray.FromFloats(new float[48], [1, 4, 4, 3]), new DataEncoding(1, 0)));
        Assert.Contains("integer data only", e.Message);
    }

    [Fact]
    public void A_folder_of_files_is_one_dataset_in_name_order()
    {
        string folder = Directory.CreateTempSubdirectory("nq-cal").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(folder, "b.npy"), NpyArray.FromFloats(Enumerable.Repeat(2f, 48).ToArray(), [1, 4, 4, 3]).ToBytes());
            File.WriteAllBytes(Path.Combine(folder, "a.npy"), NpyArray.FromFloats(Enumerable.Repeat(1f, 96).ToArray(), [2, 4, 4, 3]).ToBytes());
            var set = SampleSet.Load(Images, [folder]);
            Assert.Equal(3, set.SampleCount);
            Assert.Equal(1f, set.Sample(0, 1)[0]);
            Assert.Equal(2f, set.Sample(0, 2)[0]);

            File.WriteAllBytes(Path.Combine(folder, "c.npy"), NpyArray.FromFloats(new float[16], [1, 4, 4, 1]).ToBytes());
            var e = Assert.Throws<ArgumentException>(() => SampleSet.Load(Images, [folder]));
            Assert.Contains("must agree", e.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        Assert.Throws<ArgumentException>(() => SampleSet.Load(Images, [Path.Combine(folder, "missing")]));
    }

    [Fact]
    public void Statistics_do_not_depend_on_the_number_of_threads()
    {
        var model = FloatModel.Create(TfLiteReader.ReadFile(SharedResources.ModelPath("ad01_fp32")));
        var data = ReferenceDatasets.Calibration("ad01_fp32", model.Model, SharedResources.Root, 40);
        var one = Calibrator.Run(model, data, histograms: true, maxThreads: 1);
        var many = Calibrator.Run(model, data, histograms: true, maxThreads: 4);
        foreach (int t in model.ActivationTensors)
        {
            Assert.Equal(one.Tensors[t].Min, many.Tensors[t].Min);
            Assert.Equal(one.Tensors[t].Max, many.Tensors[t].Max);
            Assert.Equal(one.Tensors[t].Histogram, many.Tensors[t].Histogram);
        }

        // The input's range is the data's.
        var input = data.Inputs[0].Values;
        Assert.Equal(input.Min(), one.Tensors[model.Model.Inputs[0]].Min);
        Assert.Equal(input.Max(), one.Tensors[model.Model.Inputs[0]].Max);
    }

    [Fact]
    public void Percentile_cuts_outliers_that_min_max_keeps()
    {
        // 100,000 values in [−1, 1] and ten outliers at 50.
        var random = new Random(3);
        var values = Enumerable.Range(0, 100_000).Select(_ => (float)((random.NextDouble() * 2) - 1)).Concat(Enumerable.Repeat(50f, 10)).ToArray();
        var statistics = new TensorStatistics(histogram: true);
        statistics.Add(values);

        Assert.Equal((values.Min(), 50f), RangeSelection.Select(statistics, new CalibrationOptions(CalibrationMethod.MinMax)));
        var (low, high) = RangeSelection.Select(statistics, new CalibrationOptions(CalibrationMethod.Percentile, 99.9));
        Assert.InRange(high, 0.99f, 1.02f);
        Assert.InRange(low, -1.02f, -0.99f);
    }

    [Fact]
    public void Mse_clips_a_long_tail_but_keeps_a_short_one()
    {
        // Laplace(0, 1): the squared-error optimum for 8 bits clips near 10, well inside the largest of 100,000 samples.
        var random = new Random(5);
        var laplace = Enumerable.Range(0, 100_000).Select(_ => (float)(Math.Log(1 - random.NextDouble()) * (random.Next(2) * 2 - 1))).ToArray();
        var tail = new TensorStatistics(histogram: true);
        tail.Add(laplace);
        var (low, high) = RangeSelection.Select(tail, new CalibrationOptions(CalibrationMethod.Mse));
        Assert.InRange(high, 6f, 0.95f * laplace.Max());
        Assert.InRange(low, 0.95f * laplace.Min(), -6f);

        // Uniform values: nothing to gain by clipping.
        var uniform = new TensorStatistics(histogram: true);
        uniform.Add(Enumerable.Range(0, 100_000).Select(_ => (float)random.NextDouble()).ToArray());
        var (_, uniformHigh) = RangeSelection.Select(uniform, new CalibrationOptions(CalibrationMethod.Mse));
        Assert.InRange(uniformHigh, 0.98f, 1.0f);
    }

    [Fact]
    public void Histogram_bins_cover_every_value_once()
    {
        var statistics = new TensorStatistics(histogram: true);
        float[] values = [-3.5f, -0f, 0f, 1e-30f, 0.5f, 0.5f, 1000f];
        statistics.Add(values);
        var bins = statistics.SortedBins();
        Assert.Equal(values.Length, bins.Sum(b => b.Count));
        for (int i = 1; i < bins.Count; i++)
        {
            Assert.True(bins[i - 1].High <= bins[i].Low);
        }

        foreach (float v in values)
        {
            Assert.Contains(bins, b => b.Low <= v && v <= b.High);
        }
    }
}
