using System.Text.Json;
using NanoQuant.Host.TfLite;
using NanoQuant.Host.Training;

namespace NanoQuant.Tests.Training;

/// <summary>
/// The training controls beside the learning rate: the centroids' own rate (`--centroid-lr`), the cosine schedule
/// (`--lr-schedule`), frozen layers (`--freeze`) and early stopping on a slice of the training data (`--val-from-train`).
/// </summary>
public class FineTuningControlsTests : FinetuneHarness
{
    private static Parameter Named(Trainer trainer, string name) => trainer.Parameters.Single(p => p.Tensor.Name == name);

    [Fact]
    public void The_centroids_step_with_their_own_learning_rate_and_the_biases_with_the_other()
    {
        var model = TrainingData.Mlp();
        var data = TrainingData.LinearSamples(model, 64, 4);
        var trainer = Trainer.Create(model, new TrainingOptions { LearningRate = 1e-4, CentroidLearningRate = 1e-2, Clusters = 4, BatchSize = 64 });
        var hidden = Named(trainer, "hidden/weights");
        var bias = Named(trainer, "hidden/bias");
        var centroids = (float[])hidden.Ties!.Values.Clone();
        var biases = (float[])bias.Values.Clone();
        trainer.Step(data, Enumerable.Range(0, 64).ToArray());

        // Adam's first step moves a value by its rate × g / (|g| + ε): the rate itself wherever the gradient is not ~0.
        for (int k = 0; k < centroids.Length; k++)
        {
            Assert.InRange(Math.Abs(hidden.Ties.Values[k] - centroids[k]), 0.99e-2, 1.001e-2);
        }

        var moved = biases.Select((b, i) => Math.Abs(bias.Values[i] - b)).ToArray();
        Assert.All(moved, m => Assert.True(m <= 1.001e-4, $"a bias moved {m}"));
        Assert.Contains(moved, m => m >= 0.99e-4);
    }

    [Fact]
    public void Cosine_decay_halves_the_second_of_two_steps()
    {
        Assert.Equal(1.0, LearningRateSchedule.Cosine.Factor(0, 4));
        Assert.Equal(0.5 * (1 + Math.Cos(Math.PI / 4)), LearningRateSchedule.Cosine.Factor(1, 4), 12);
        Assert.Equal(0.5, LearningRateSchedule.Cosine.Factor(2, 4), 12);
        Assert.Equal(1.0, LearningRateSchedule.Constant.Factor(3, 4));

        // Two epochs of one step each (the batch is the whole set): the cosine run's first step is the constant run's,
        // its second step half of it (same weights, gradients and Adam moments, half the rate).
        var model = TrainingData.Mlp();
        var data = TrainingData.LinearSamples(model, 64, 4);
        float[] Trained(int epochs, LearningRateSchedule schedule)
        {
            var trainer = Trainer.Create(model, new TrainingOptions { Epochs = epochs, LearningRate = 1e-2, BatchSize = 64, Schedule = schedule });
            trainer.Fit(data, null);
            return (float[])Named(trainer, "hidden/weights").Values.Clone();
        }

        var first = Trained(1, LearningRateSchedule.Constant);
        Assert.Equal(first, Trained(1, LearningRateSchedule.Cosine));
        var constant = Trained(2, LearningRateSchedule.Constant);
        var cosine = Trained(2, LearningRateSchedule.Cosine);
        for (int i = 0; i < first.Length; i++)
        {
            Assert.Equal(0.5 * (constant[i] - first[i]), cosine[i] - first[i], 5);
        }

        Assert.Contains(Enumerable.Range(0, first.Length), i => Math.Abs(constant[i] - first[i]) > 1e-3);
    }

    [Theory]
    [InlineData(FrozenLayers.First, "hidden/weights", "hidden/bias", "logits/weights")]
    [InlineData(FrozenLayers.Last, "logits/weights", "logits/bias", "hidden/weights")]
    public void Frozen_layers_keep_their_weights_and_biases_bit_for_bit(FrozenLayers frozen, string weights, string bias, string trained)
    {
        var model = TrainingData.Mlp();
        var trainer = Trainer.Create(model, new TrainingOptions { Epochs = 2, LearningRate = 1e-2, Frozen = frozen });
        var before = trainer.Parameters.ToDictionary(p => p.Tensor.Name, p => (float[])p.Values.Clone());
        trainer.Fit(TrainingData.LinearSamples(model, 256, 4), null);
        Assert.Equal(before[weights], Named(trainer, weights).Values);
        Assert.Equal(before[bias], Named(trainer, bias).Values);
        Assert.NotEqual(before[trained], Named(trainer, trained).Values);
    }

    [Fact]
    public void Freezing_the_unclustered_weights_trains_only_the_centroids_and_the_biases()
    {
        // 16 clusters: the hidden layer's 128 weights are tied to a palette, the logits' 64 are too few for one.
        var model = TrainingData.Mlp();
        var trainer = Trainer.Create(model, new TrainingOptions { Epochs = 2, LearningRate = 1e-2, Clusters = 16, Frozen = FrozenLayers.Unclustered });
        Assert.Null(Named(trainer, "logits/weights").Ties);
        Assert.NotNull(Named(trainer, "hidden/weights").Ties);
        var before = trainer.Parameters.ToDictionary(p => p.Tensor.Name, p => (float[])p.Values.Clone());
        trainer.Fit(TrainingData.LinearSamples(model, 256, 4), null);
        Assert.Equal(before["logits/weights"], Named(trainer, "logits/weights").Values);
        Assert.NotEqual(before["logits/bias"], Named(trainer, "logits/bias").Values);
        Assert.NotEqual(before["hidden/weights"], Named(trainer, "hidden/weights").Values);
        Assert.NotEqual(before["hidden/bias"], Named(trainer, "hidden/bias").Values);
    }

    [Fact]
    public void Early_stopping_keeps_the_weights_of_the_epoch_best_on_the_selection_slice()
    {
        var model = TrainingData.Mlp();
        var training = TrainingData.LinearSamples(model, 128, 4);
        var selection = TrainingData.LinearSamples(model, 64, 6);
        var options = new TrainingOptions { Epochs = 8, LearningRate = 0.05, BatchSize = 16 };
        var trainer = Trainer.Create(model, options);
        var epochs = trainer.Fit(training, null, selection: selection);

        // The best top-1 on the slice, the lower loss between equal top-1, the earlier epoch between equal both.
        var best = epochs.OrderByDescending(e => e.SelectionAccuracy).ThenBy(e => e.SelectionLoss).ThenBy(e => e.Epoch).First();
        Assert.Equal(best.Epoch, trainer.SelectedEpoch);
        Assert.NotEqual(options.Epochs, trainer.SelectedEpoch);

        // The weights kept are exactly that epoch's: a run stopped there by its epoch count gives the same bits and figures.
        var stopped = Trainer.Create(model, options with { Epochs = best.Epoch });
        stopped.Fit(training, null);
        for (int n = 0; n < trainer.Parameters.Count; n++)
        {
            Assert.Equal(stopped.Parameters[n].Values, trainer.Parameters[n].Values);
        }

        Assert.Equal((best.SelectionLoss!.Value, best.SelectionAccuracy!.Value), trainer.Evaluate(selection));
        Assert.Null(Trainer.Create(model, options).SelectedEpoch);
    }

    [Fact]
    public void Early_stopping_with_pruning_keeps_only_an_epoch_at_the_target_sparsity()
    {
        // 4 epochs of 8 steps: the sparsity reaches its target at step 16, the end of epoch 2; epoch 1 is no candidate.
        var model = TrainingData.Mlp();
        var trainer = Trainer.Create(model, new TrainingOptions { Epochs = 4, LearningRate = 0.05, BatchSize = 16, Sparsity = 0.75 });
        var epochs = trainer.Fit(TrainingData.LinearSamples(model, 128, 4), null, selection: TrainingData.LinearSamples(model, 64, 6));
        Assert.Equal(16, trainer.Pruning!.EndStep);
        var best = epochs.Skip(1).OrderByDescending(e => e.SelectionAccuracy).ThenBy(e => e.SelectionLoss).ThenBy(e => e.Epoch).First();
        Assert.Equal(best.Epoch, trainer.SelectedEpoch);
        Assert.Equal(96, Named(trainer, "hidden/weights").Values.Count(v => v == 0));
    }

    [Fact]
    public void Finetune_val_from_train_reports_the_slice_and_the_epoch_kept()
    {
        string output = Ok("finetune", _model, "--train", _x, "--labels", _y, "--val", _vx, "--val-labels", _vy, "--val-from-train", "128",
            "--epochs", "3", "--lr", "0.01", "--lr-schedule", "cosine", "--cluster", "4", "--centroid-lr", "0.02", "--freeze", "first",
            "--calibration-samples", "128", "-o", Temp("out.nq"), "--json");
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(384, root.GetProperty("trainingSamples").GetInt32());
        Assert.Equal(128, root.GetProperty("selectionSamples").GetInt32());
        var figures = root.GetProperty("epochs").EnumerateArray().Select(e => e.GetProperty("selectionAccuracy").GetDouble()).ToArray();
        Assert.Equal(3, figures.Length);
        int kept = root.GetProperty("selectedEpoch").GetInt32();
        Assert.Equal(figures.Max(), figures[kept - 1]);
        Assert.Equal(0.02, root.GetProperty("centroidLearningRate").GetDouble());
        Assert.Equal("cosine", root.GetProperty("lrSchedule").GetString());
        Assert.Equal("first", root.GetProperty("freeze").GetString());
        Assert.True(File.Exists(Temp("out.nq")));

        string text = Ok("finetune", _model, "--train", _x, "--labels", _y, "--val-from-train", "128", "--epochs", "2", "--lr", "0.01", "-o", Temp("text.nq"));
        Assert.Contains("held-out training slice loss ", text);
        Assert.Contains("kept the weights of epoch ", text);
    }

    [Theory]
    [InlineData(new[] { "--centroid-lr", "0.01" }, "--centroid-lr needs --cluster N")]
    [InlineData(new[] { "--cluster", "4", "--centroid-lr", "0" }, "--centroid-lr must lie in (0, 1], not 0")]
    [InlineData(new[] { "--cluster", "4", "--centroid-lr", "2" }, "--centroid-lr must lie in (0, 1], not 2")]
    [InlineData(new[] { "--freeze", "middle" }, "--freeze takes first, last and unclustered, comma-separated, not 'middle'")]
    [InlineData(new[] { "--freeze", "unclustered" }, "--freeze unclustered needs --cluster N")]
    [InlineData(new[] { "--val-from-train", "0" }, "--val-from-train must lie in [1, 511] (it keeps that many of the 512 training samples out of training), not 0")]
    [InlineData(new[] { "--val-from-train", "512" }, "--val-from-train must lie in [1, 511]")]
    [InlineData(new[] { "--train-samples", "100", "--val-from-train", "100" }, "--val-from-train must lie in [1, 99]")]
    public void Controls_out_of_range(string[] options, string message)
    {
        AssertOneError(message, ["finetune", _model, "--train", _x, "--labels", _y, .. options, "-o", Temp("out.nq")]);
    }
}
