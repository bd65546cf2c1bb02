using System.Text.Json;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.DeviceModels;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Quantization;
using NanoQuant.Host.Runtime;
using NanoQuant.Host.TfLite;
using NanoQuant.Host.Training;
using NanoQuant.Tests.Cli;

namespace NanoQuant.Tests.Training;

/// <summary>Cluster-preserving fine-tuning (tied weights) and magnitude pruning on a schedule: the trainer, the schedule, `finetune --cluster/--prune` and their bad input.</summary>
public class ClusterPruneTests : FinetuneHarness
{
    // The hidden layer's weights (128: a 16-entry palette pays, one shared table); for the logits' 64 only a 4-entry one does.
    private static Parameter Hidden(Trainer trainer) => trainer.Parameters.Single(p => p.Tensor.Name == "hidden/weights");

    private static sbyte[] Int8Weights(TfLiteModel quantized, string name) =>
        quantized.Tensors.Single(t => t.Name == name).Data!.Select(b => unchecked((sbyte)b)).ToArray();

    [Fact]
    public void Tied_weights_keep_at_most_n_int8_values_that_the_quantizer_and_the_palette_keep_exactly()
    {
        var model = TrainingData.Mlp();
        var trainer = FineTuning.Prepare(model, new TrainingOptions { Epochs = 2, LearningRate = 0.01, Clusters = 4, KeepQuantizerGrid = false });
        var hidden = Hidden(trainer);
        Assert.NotNull(hidden.Ties);
        Assert.NotNull(trainer.Parameters.Single(p => p.Tensor.Name == "logits/weights").Ties);
        Assert.All(trainer.Parameters.Where(p => p.Tensor.Name.EndsWith("/bias", StringComparison.Ordinal)), p => Assert.Null(p.Ties));
        var before = (float[])hidden.Values.Clone();
        var training = TrainingData.LinearSamples(model, 512, 4);
        var result = FineTuning.Run(trainer, training, TrainingData.LinearSamples(model, 256, 5), 128,
            new CalibrationOptions(CalibrationMethod.MinMax, 99.99), new QuantizerOptions());

        // The centroids trained: the weights moved, and still take ≤ 4 values (one table: FC weights share one scale),
        // which the quantizer maps to ≤ 4 int8 values.
        Assert.NotEqual(before, hidden.Values);
        Assert.False(hidden.Ties!.OnGrid);
        Assert.InRange(hidden.Values.Distinct().Count(), 2, 4);
        var (q, _) = QuantizationParameters.Weights(hidden.Values, hidden.Tensor.Shape, -1);
        Assert.InRange(q.Distinct().Count(), 2, 4);

        // The quantizer stores exactly those int8 values, and the device model holds them as a 2-bit palette.
        Assert.Equal(q, Int8Weights(result.Quantization.Quantized.Model, "hidden/weights"));
        Assert.Contains(result.Quantization.Conversion.Model.Tensors, t => t.Palette is { Bits: 2 });
        Assert.True(result.FineTunedTop1 > result.PostTrainingClusteredTop1, $"fine-tuned {result.FineTunedTop1}, post-training clustered {result.PostTrainingClusteredTop1}");
        Assert.True(result.Quantization.Conversion.Bytes.Length < result.PlainBytes);
    }

    [Fact]
    public void On_the_quantizer_grid_training_starts_from_exactly_the_post_training_clustered_model_and_improves_it()
    {
        var model = TrainingData.Mlp();
        var training = TrainingData.LinearSamples(model, 512, 4);
        var validation = TrainingData.LinearSamples(model, 256, 5);
        var calibration = new CalibrationOptions(CalibrationMethod.MinMax, 99.99);
        var clustered = PostTrainingQuantizer.Run(PostTrainingQuantizer.Prepare(model), training.Samples.Slice(0, 128), calibration, new QuantizerOptions { Clusters = 4 });

        // A step too small to move any centroid by half an int8 step: the device model is convert --cluster's, byte for byte.
        var still = FineTuning.Prepare(model, new TrainingOptions { Epochs = 1, LearningRate = 1e-12, Clusters = 4 });
        var unchanged = FineTuning.Run(still, training, validation, 128, calibration, new QuantizerOptions());
        Assert.True(Hidden(still).Ties!.OnGrid);
        Assert.Equal(clustered.Conversion.Bytes, unchanged.Quantization.Conversion.Bytes);
        Assert.Equal(unchanged.PostTrainingClusteredTop1, unchanged.FineTunedTop1);

        // Trained: the same scales and activation quantization, other int8 weights (still ≤ 4 a table), a better top-1.
        var trainer = FineTuning.Prepare(model, new TrainingOptions { Epochs = 2, LearningRate = 0.01, Clusters = 4 });
        var result = FineTuning.Run(trainer, training, validation, 128, calibration, new QuantizerOptions());
        var start = Int8Weights(clustered.Quantized.Model, "hidden/weights");
        var trained = Int8Weights(result.Quantization.Quantized.Model, "hidden/weights");
        Assert.NotEqual(start, trained);
        Assert.InRange(trained.Distinct().Count(), 2, 4);
        Assert.Equal(clustered.Quantized.Model.Tensors.Select(t => t.Quantization?.Scale), result.Quantization.Quantized.Model.Tensors.Select(t => t.Quantization?.Scale));
        Assert.True(result.FineTunedTop1 > result.PostTrainingClusteredTop1, $"fine-tuned {result.FineTunedTop1}, post-training clustered {result.PostTrainingClusteredTop1}");
    }

    [Fact]
    public void A_table_shared_by_channels_of_different_scales_stays_on_their_int8_grid_with_one_weight_pinned_at_127()
    {
        // Two output channels (scales 0.5/127 and 1/127: int8 127, −64, 66 and 127, −127, 62) sharing one 3-entry table.
        float[] weights = [0.5f, -0.25f, 0.26f, 1f, -1f, 0.49f];
        var ties = TiedWeights.Create(weights, [2, 3], dimension: 0, axis: 0, shared: true, clusters: 3, pruned: null);
        Assert.True(ties.OnGrid);
        var tied = new float[6];
        ties.Write(tied);
        float[] scales = [0.5f / 127, 1f / 127];
        var ints = tied.Select((w, i) => MathF.Round(w / scales[i / 3])).ToArray();
        Assert.InRange(ints.Distinct().Count(), 2, 3);
        Assert.Equal(127f, ints[0]);
        Assert.Equal(127f, ints[3]);
        Assert.True(ties.Pinned(ties.CentroidOf(0)) && ties.Pinned(ties.CentroidOf(3)));
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(ints[i] * scales[i / 3], tied[i], 6);
        }

        // A free centroid's gradient: Σ over its weights of (g0 + g1) × the weight's scale ÷ the centroid's unit
        // (the mean scale of its weights); pinned ones get none.
        float[] g0 = [1, 2, 3, 4, 5, 6], g1 = [0.5f, 0, 0, 0, 0, 1];
        var gradient = ties.Gradient(g0, g1);
        for (int k = 0; k < ties.Centroids; k++)
        {
            var members = Enumerable.Range(0, 6).Where(i => ties.CentroidOf(i) == k).ToArray();
            double unit = members.Average(i => (double)scales[i / 3]);
            double expected = ties.Pinned(k) ? 0 : members.Sum(i => (g0[i] + g1[i]) * scales[i / 3] / unit);
            Assert.Equal(expected, gradient[k], 4);
        }
    }

    [Fact]
    public void The_pruning_schedule_is_polynomial_and_reaches_its_target_halfway()
    {
        var schedule = PruningSchedule.For(0.75, 200);
        Assert.Equal(100, schedule.EndStep);
        Assert.Equal(10, schedule.Frequency);
        Assert.Equal(0, schedule.SparsityAt(0));
        Assert.Equal(0.75 * (1 - 0.125), schedule.SparsityAt(50), 12);
        Assert.Equal(0.75, schedule.SparsityAt(100));
        Assert.Equal(0.75, schedule.SparsityAt(150));
        Assert.True(schedule.Updates(10) && schedule.Updates(100) && !schedule.Updates(15) && !schedule.Updates(110));

        float[] values = [0.3f, -0.1f, 0.2f, -0.4f, 0.1f, 0f];
        var mask = new bool[6];
        PruningSchedule.Mask(values, mask, 0.5);
        Assert.Equal([false, true, false, false, true, true], mask);
    }

    [Fact]
    public void Pruning_zeros_the_target_fraction_of_the_palette_tensors_and_keeps_them_zero()
    {
        var model = TrainingData.Mlp();
        var trainer = FineTuning.Prepare(model, new TrainingOptions { Epochs = 2, LearningRate = 0.01, Sparsity = 0.75 });
        var result = FineTuning.Run(trainer, TrainingData.LinearSamples(model, 512, 4), null, 128, new CalibrationOptions(CalibrationMethod.MinMax, 99.99), new QuantizerOptions());
        Assert.Equal(16, trainer.Pruning!.EndStep);   // 2 epochs × 16 steps: halfway
        var hidden = Hidden(trainer);
        Assert.Equal(96, hidden.Values.Count(v => v == 0));
        Assert.Equal(96, hidden.Mask!.Count(m => m));
        Assert.Equal(96, Int8Weights(result.Quantization.Quantized.Model, "hidden/weights").Count(v => v == 0));

        // The logits' weights are too few for a palette: pruning them would save nothing, so they are not.
        Assert.Null(trainer.Parameters.Single(p => p.Tensor.Name == "logits/weights").Mask);
    }

    [Fact]
    public void Pruning_with_clustering_keeps_the_zeros_as_one_palette_value()
    {
        var model = TrainingData.Mlp();
        var trainer = FineTuning.Prepare(model, new TrainingOptions { Epochs = 2, LearningRate = 0.01, Sparsity = 0.5, Clusters = 4 });
        var result = FineTuning.Run(trainer, TrainingData.LinearSamples(model, 512, 4), null, 128, new CalibrationOptions(CalibrationMethod.MinMax, 99.99), new QuantizerOptions());
        var q = Int8Weights(result.Quantization.Quantized.Model, "hidden/weights");
        Assert.Equal(64, q.Count(v => v == 0));
        Assert.InRange(q.Distinct().Count(), 2, 4);
        Assert.Contains((sbyte)0, q);
        Assert.Contains(result.Quantization.Conversion.Model.Tensors, t => t.Palette is { Bits: 2 });
    }

    [Fact]
    public void Finetune_cluster_and_prune_write_the_palette_model_and_report_its_size()
    {
        string output = Ok("finetune", _model, "--train", _x, "--labels", _y, "--val", _vx, "--val-labels", _vy, "--epochs", "2", "--lr", "0.01",
            "--cluster", "4", "--prune", "0.5", "-o", Temp("out.nq"), "--json");
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(4, root.GetProperty("clusters").GetInt32());
        Assert.Equal(0.5, root.GetProperty("sparsity").GetDouble());
        Assert.True(root.GetProperty("postTrainingClusteredTop1").GetDouble() > 0);
        var bytes = File.ReadAllBytes(Temp("out.nq"));
        Assert.True(bytes.Length < root.GetProperty("plainInt8Bytes").GetInt32());
        Assert.Contains(DeviceModelReader.Read(bytes).Tensors, t => t.Palette is { Bits: 2 });
        Assert.NotNull(new ModelRunner(bytes));

        string text = Ok("finetune", _model, "--train", _x, "--labels", _y, "--epochs", "1", "--cluster", "4", "-o", Temp("text.nq"));
        Assert.Contains("× the plain post-training int8 model", text);
    }

    [Theory]
    [InlineData(new[] { "--prune", "0" }, "--prune must lie strictly between 0 and 1", "not 0")]
    [InlineData(new[] { "--prune", "1" }, "--prune must lie strictly between 0 and 1", "not 1")]
    [InlineData(new[] { "--prune", "-0.5" }, "--prune must lie strictly between 0 and 1", "not -0.5")]
    [InlineData(new[] { "--prune", "NaN" }, "--prune must lie strictly between 0 and 1", "NaN")]
    [InlineData(new[] { "--cluster", "1" }, "--cluster must lie in [2, 128], not 1", "")]
    [InlineData(new[] { "--cluster", "129" }, "--cluster must lie in [2, 128], not 129", "")]
    [InlineData(new[] { "--cluster", "2", "--prune", "0.5" }, "--cluster must lie in [3, 128] with --prune", "one value is the pruned zeros")]
    [InlineData(new[] { "--cluster-per-tensor" }, "--cluster-per-tensor needs --cluster N", "")]
    public void Cluster_count_and_sparsity_out_of_range(string[] options, string message, string detail)
    {
        AssertOneError(detail.Length == 0 ? [message] : [message, detail],
            ["finetune", _model, "--train", _x, "--labels", _y, .. options, "-o", Temp("out.nq")]);
    }

    [Fact]
    public void A_model_with_no_tensor_a_palette_pays_for()
    {
        var g = new GraphBuilder();
        int x = g.Input("x", 1, 4);
        int y = g.FullyConnected(x, new float[8], new float[2], 2, name: "tiny");
        string path = Write("tiny.tflite", TfLiteWriter.Write(g.Build("tiny", g.Softmax(y))));
        string xs = Write("x4.npy", NpyArray.FromFloats(new float[8], [2, 4]).ToBytes());
        string ys = Write("y4.npy", Labels([0, 1]));
        AssertOneError(["no weight tensor", "16-entry palette", "pruning would save no byte"], "finetune", path, "--train", xs, "--labels", ys, "--prune", "0.5", "-o", Temp("out.nq"));
        AssertOneError(["no weight tensor", "4-entry palette", "clustering would save no byte"], "finetune", path, "--train", xs, "--labels", ys, "--cluster", "4", "-o", Temp("out.nq"));
    }

    [Fact]
    public void Cluster_per_tensor_ties_every_channel_to_one_set_of_centroids_that_the_palette_stores_as_one_table()
    {
        // FC 8→256 ReLU → FC 256→4: the logits' channels (256 weights) are long enough for a 4-entry table each,
        // so by default they are clustered per channel; --cluster-per-tensor shares one table for the tensor.
        var random = new Random(7);
        float[] R(int n, double scale) => Enumerable.Range(0, n).Select(_ => (float)(((random.NextDouble() * 2) - 1) * scale)).ToArray();
        var g = new GraphBuilder();
        int x = g.Input("x", 1, TrainingData.Features);
        int h = g.FullyConnected(x, R(256 * TrainingData.Features, 0.6), R(256, 0.1), 256, FusedActivation.Relu, "hidden");
        int logits = g.FullyConnected(h, R(TrainingData.Classes * 256, 0.1), R(TrainingData.Classes, 0.1), TrainingData.Classes, name: "logits");
        var model = g.Build("wide", g.Softmax(logits));
        var calibration = new CalibrationOptions(CalibrationMethod.MinMax, 99.99);
        var quantizer = new QuantizerOptions { PerChannelFullyConnected = true };
        sbyte[] Logits(bool perTensor, out PaletteEncoding? palette)
        {
            var options = new TrainingOptions { Epochs = 1, LearningRate = 0.01, Clusters = 4, ClusterPerTensor = perTensor, PerChannelFullyConnected = true };
            var trainer = FineTuning.Prepare(model, options);
            Assert.Equal(perTensor, trainer.Parameters.Single(p => p.Tensor.Name == "logits/weights").Table!.Value.Shared);
            var result = FineTuning.Run(trainer, TrainingData.LinearSamples(model, 256, 4), null, 128, calibration, quantizer);
            var device = result.Quantization.Conversion.Model;
            palette = device.Tensors.Single(t => t.Shape.SequenceEqual([TrainingData.Classes, 256]) && t.Type == NanoQuant.Format.TensorType.Int8 && t.ConstantData is not null).Palette;
            return Int8Weights(result.Quantization.Quantized.Model, "logits/weights");
        }

        var perChannel = Logits(false, out var channelPalette);
        var perTensor = Logits(true, out var tensorPalette);
        Assert.Equal(0, channelPalette!.Axis);
        Assert.Null(tensorPalette!.Axis);
        Assert.Equal(2, tensorPalette.Bits);
        Assert.InRange(perTensor.Distinct().Count(), 2, 4);
        Assert.True(perChannel.Distinct().Count() > 4, $"per channel: {perChannel.Distinct().Count()} distinct int8 values over the tensor");
        for (int c = 0; c < TrainingData.Classes; c++)
        {
            Assert.InRange(perChannel.Skip(c * 256).Take(256).Distinct().Count(), 2, 4);
        }
    }
}
