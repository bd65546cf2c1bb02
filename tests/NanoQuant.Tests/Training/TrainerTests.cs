using NanoQuant.Host.Conversion;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Quantization;
using NanoQuant.Host.TfLite;
using NanoQuant.Host.Training;

namespace NanoQuant.Tests.Training;

public class TrainerTests
{
    [Fact]
    public void Quantization_aware_forward_uses_the_int8_weights_the_quantizer_will_store()
    {
        var random = new Random(5);
        var g = new GraphBuilder();
        int x = g.Input("x", 1, 4, 4, 2);
        var weights = Enumerable.Range(0, 3 * 3 * 3 * 2).Select(i => (float)(random.NextDouble() - 0.5) * (1 + (i / 18))).ToArray();
        int y = g.Conv2D(x, weights, [0.1f, 0.2f, 0.3f], 3, 3, 3);
        var model = g.Build("conv", y);
        var trainer = Trainer.Create(model, new TrainingOptions());
        int tensor = model.Operators[0].Inputs[1];
        var forward = trainer.Current.Constants[tensor]!;
        var (q, scales) = QuantizationParameters.Weights(weights, [3, 3, 3, 2], 0);
        Assert.Equal(3, scales.Length);
        for (int i = 0; i < weights.Length; i++)
        {
            Assert.Equal(q[i] * scales[i / 18], forward[i]);
        }

        Assert.True(weights.Zip(forward).Count(p => p.First != p.Second) > weights.Length / 2);

        // Each channel's largest weight is exactly ±127 steps of its own scale.
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(127, q.Skip(c * 18).Take(18).Max(v => Math.Abs((int)v)));
        }

        // The biases stay float (int32 on the device), and the master weights are untouched.
        Assert.Equal([0.1f, 0.2f, 0.3f], trainer.Current.Constants[model.Operators[0].Inputs[2]]!);
        Assert.Equal(weights, trainer.Parameters.Single(p => p.Tensor.Index == tensor).Values);
    }

    [Fact]
    public void Activation_ranges_are_moving_averages_and_activations_are_rounded_to_their_grid()
    {
        var model = TrainingData.Mlp();
        var (xs, ys) = TrainingData.Linear(64, 1);
        var data = TrainingData.Samples(model, xs, ys);
        var trainer = Trainer.Create(model, new TrainingOptions { RangeDecay = 0.9 });
        int hidden = model.Operators[0].Outputs[0];
        Assert.Null(trainer.Range(hidden));

        // First step: the range is the batch's min and max (here over the hidden layer's ReLU outputs).
        var first = Enumerable.Range(0, 32).ToArray();
        var probe = new Trainer.Worker(trainer);
        foreach (int s in first)
        {
            probe.Forward(data.Samples, s, collectRanges: true);
        }

        trainer.Step(data, first);
        var range1 = trainer.Range(hidden)!.Value;
        Assert.Equal(0.0, range1.Min);
        Assert.Equal(probe.Max[hidden], range1.Max, 6);

        var second = Enumerable.Range(32, 32).ToArray();
        probe = new Trainer.Worker(trainer);
        foreach (int s in second)
        {
            probe.Forward(data.Samples, s, collectRanges: true);
        }

        trainer.Step(data, second);
        var range2 = trainer.Range(hidden)!.Value;
        Assert.Equal((0.9 * range1.Max) + (0.1 * probe.Max[hidden]), range2.Max, 5);

        // The forward pass now rounds the hidden layer to the int8 grid of that range, as QuantizationParameters does.
        var (scale, zeroPoint) = trainer.ActivationQuantization(hidden)!.Value;
        Assert.Equal(QuantizationParameters.Activation(range2.Min, range2.Max), (scale, zeroPoint));
        var worker = new Trainer.Worker(trainer);
        worker.Forward(data.Samples, 0, collectRanges: false);
        foreach (float v in worker.Run.Tensor(hidden))
        {
            double steps = (v / scale) + zeroPoint;
            Assert.Equal(Math.Round(steps), steps, 3);
        }

        // Softmax outputs are not rounded (the loss reads them); the model input is.
        Assert.Null(trainer.ActivationQuantization(model.Outputs[0]));
        Assert.NotNull(trainer.ActivationQuantization(model.Inputs[0]));
    }

    [Fact]
    public void Straight_through_estimator_passes_gradients_inside_the_range_and_stops_them_outside()
    {
        // x → FC (identity) → FC. One step learns the ranges from two samples (hidden layer: [−1, 1]);
        // then a bias of 2 pushes hidden element 1 beyond its range, where its gradient stops.
        var g = new GraphBuilder();
        int x = g.Input("x", 1, 2);
        int h = g.FullyConnected(x, [1f, 0f, 0f, 1f], [0f, 0f], 2, name: "identity");
        int y = g.FullyConnected(h, [1f, 2f, 3f, 4f], [0f, 0f], 2, name: "y");
        var model = g.Build("ste", y);
        var trainer = Trainer.Create(model, new TrainingOptions { LearningRate = 1e-9 });
        var batch = new LabeledSamples(SampleSet.FromArrays(InputSpec.Of(model), [("batch", NpyArray.FromFloats([1f, 1f, -1f, -1f], [2, 2]))]), [0, 1]);
        trainer.Step(batch, [0, 1]);
        Assert.Equal(1.0, trainer.Range(h)!.Value.Max, 5);
        var bias = trainer.Parameters.Single(p => p.Tensor.Name == "identity/bias");
        bias.Values[1] = 2f;
        trainer.Reload();

        var worker = new Trainer.Worker(trainer);
        worker.Forward([[0.5f, 0.5f]]);   // hidden = (0.5, 2.5): element 1 is clamped to 1
        worker.SeedOutput([1f, 1f]);
        worker.Backward(throughLossOperator: true);
        // dL/dh = Wᵀ·(1, 1) = (1 + 3, 2 + 4) with the int8 weights; element 0 passes (rounding is ignored), element 1 is stopped.
        var dx = worker.Gradients[model.Inputs[0]];
        Assert.Equal(4f, dx[0], 2);
        Assert.Equal(0f, dx[1]);
        var db = worker.Gradients[bias.Tensor.Index];
        Assert.Equal(4f, db[0], 2);
        Assert.Equal(0f, db[1]);
        var (scale, zeroPoint) = trainer.ActivationQuantization(h)!.Value;
        Assert.Equal(QuantizationParameters.Covered(scale, zeroPoint).Max, worker.Run.Tensor(h)[1], 5);
    }

    [Fact]
    public void Training_is_deterministic_for_a_seed()
    {
        var model = TrainingData.Mlp();
        var (xs, ys) = TrainingData.Linear(200, 2);
        float[] Train(int seed)
        {
            var trainer = Trainer.Create(model, new TrainingOptions { Epochs = 2, Seed = seed, BatchSize = 16, LearningRate = 1e-2 });
            trainer.Fit(TrainingData.Samples(model, xs, ys), null);
            return trainer.Parameters.SelectMany(p => p.Values).ToArray();
        }

        var a = Train(1);
        Assert.Equal(a, Train(1));
        Assert.NotEqual(a, Train(2));
    }

    [Fact]
    public void Fine_tuning_learns_and_the_int8_device_model_keeps_what_the_fake_quantized_model_learnt()
    {
        var model = TrainingData.Mlp();
        var (xs, ys) = TrainingData.Linear(1024, 4);
        var (vx, vy) = TrainingData.Linear(512, 5);
        var training = TrainingData.Samples(model, xs, ys);
        var validation = TrainingData.Samples(model, vx, vy);
        var trainer = FineTuning.Prepare(model, new TrainingOptions { Epochs = 4, LearningRate = 1e-2, BatchSize = 32 });
        var result = FineTuning.Run(trainer, training, validation, 256, new CalibrationOptions(CalibrationMethod.MinMax, 99.99), new QuantizerOptions());

        Assert.Equal(4, result.Epochs.Count);
        Assert.True(result.Epochs[^1].Loss < result.Epochs[0].Loss, $"loss {result.Epochs[0].Loss} → {result.Epochs[^1].Loss}");
        Assert.True(result.FloatTop1 < 0.6, $"the random model already scores {result.FloatTop1}");
        Assert.True(result.FineTunedTop1 >= 0.9, $"fine-tuned int8 top-1 {result.FineTunedTop1}");
        Assert.True(result.FineTunedTop1 > result.PostTrainingTop1);

        // The device model's top-1 is within a point of what the fake-quantized model reported in training.
        Assert.InRange(result.FineTunedTop1!.Value, result.Epochs[^1].ValidationAccuracy!.Value - 0.01, result.Epochs[^1].ValidationAccuracy!.Value + 0.01);
    }
}
