using NanoQuant.Host.Conversion;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Quantization;
using NanoQuant.Host.TfLite;
using NanoQuant.Host.Training;

namespace NanoQuant.Tests.Training;

/// <summary>Distillation from the float teacher (loss and gradient) and image augmentation (deterministic, label-preserving).</summary>
public class DistillationTests
{
    private static float[] Random(Random random, int count, float scale = 1f) => TrainingData.Uniform(random, count, scale);

    [Theory]
    [InlineData(1f)]
    [InlineData(4f)]
    [InlineData(0.5f)]
    public void Distillation_gradient_equals_finite_differences(float temperature)
    {
        var random = new Random(21);
        var student = Random(random, 6, 3f);
        var teacher = Random(random, 6, 3f);
        var targets = new float[6];
        var analytic = new float[6];
        Distillation.Loss(student, teacher, temperature, targets);
        Distillation.Gradient(student, targets, temperature, analytic);
        Assert.True(analytic.Max(Math.Abs) > 1e-3);
        Assert.Equal(0, analytic.Sum(), 4);   // softmax minus a distribution: sums to 0
        const float epsilon = 1e-3f;
        for (int c = 0; c < student.Length; c++)
        {
            var plus = (float[])student.Clone();
            var minus = (float[])student.Clone();
            plus[c] += epsilon;
            minus[c] -= epsilon;
            double numeric = (Distillation.Loss(plus, teacher, temperature, new float[6]) - Distillation.Loss(minus, teacher, temperature, new float[6])) / (2 * epsilon);
            Assert.True(Math.Abs(numeric - analytic[c]) < 2e-3 + (0.01 * Math.Abs(analytic[c])), $"logit {c}: analytic {analytic[c]}, finite difference {numeric}");
        }
    }

    [Fact]
    public void Distillation_loss_is_zero_where_student_equals_teacher_and_positive_elsewhere()
    {
        float[] logits = [1f, -2f, 0.5f, 3f];
        var targets = new float[4];
        var gradient = new float[4];
        Assert.Equal(0, Distillation.Loss(logits, logits, 4f, targets), 6);
        Distillation.Gradient(logits, targets, 4f, gradient);
        Assert.All(gradient, g => Assert.Equal(0f, g, 6));
        Assert.True(Distillation.Loss([0f, 0f, 0f, 0f], logits, 4f, targets) > 0.1);
    }

    /// <summary>The trainer's combined loss (1 − α)·cross-entropy + α·distillation: its weight gradients against finite differences.</summary>
    [Fact]
    public void Trainer_distillation_loss_gradient_equals_finite_differences()
    {
        var model = TrainingData.Mlp();
        var trainer = Trainer.Create(model, new TrainingOptions { QuantizationAware = false, DistillTemperature = 3, DistillWeight = 0.7 });
        var random = new Random(22);

        // Move the student away from the teacher (the source model), else the distillation term sits at its minimum.
        foreach (var p in trainer.Parameters)
        {
            for (int i = 0; i < p.Values.Length; i++)
            {
                p.Values[i] += (float)((random.NextDouble() * 2) - 1) * 0.3f;
            }
        }

        trainer.Reload();
        float[][] inputs = [Random(random, TrainingData.Features)];
        const int label = 2;
        var worker = new Trainer.Worker(trainer);
        worker.Forward(inputs);
        var teacher = worker.Teach();
        worker.Loss(label, 1f, teacher);
        worker.Backward();

        double Loss()
        {
            var w = new Trainer.Worker(trainer);
            w.Forward(inputs);
            w.Loss(label, 0f, w.Teach());
            return w.LossSum;
        }

        const float epsilon = 1e-3f;
        int compared = 0;
        foreach (var p in trainer.Parameters)
        {
            var analytic = worker.Gradients[p.Tensor.Index];
            double largest = analytic.Max(Math.Abs);
            Assert.True(largest > 0, $"{p.Tensor.Name}: every gradient is 0");
            for (int i = 0; i < p.Values.Length; i++)
            {
                float original = p.Values[i];
                p.Values[i] = original + epsilon;
                trainer.Reload();
                double plus = Loss();
                p.Values[i] = original - epsilon;
                trainer.Reload();
                double minus = Loss();
                p.Values[i] = original;
                trainer.Reload();
                double numeric = (plus - minus) / (2 * epsilon);
                Assert.True(Math.Abs(numeric - analytic[i]) <= (0.02 * largest) + 2e-3, $"{p.Tensor.Name}[{i}]: analytic {analytic[i]}, finite difference {numeric}");
                compared++;
            }
        }

        Assert.True(compared > 100);
    }

    [Fact]
    public void Teacher_logits_are_the_source_model_softmax_input_whatever_the_student_weights()
    {
        var model = TrainingData.Mlp();
        var trainer = Trainer.Create(model, new TrainingOptions { QuantizationAware = false, DistillTemperature = 2 });
        float[][] inputs = [[0.1f, -0.4f, 0.9f, 0.3f, -0.7f, 0.2f, 0.5f, -0.1f]];
        var before = new Trainer.Worker(trainer);
        before.Forward(inputs);
        var teacher = before.Teach();

        // The student's softmax input equals the teacher's logits before training (beta 1) …
        int logits = model.Operators[^1].Inputs[0];
        Assert.Equal(before.Run.Values[logits].ToArray(), teacher);

        // … and the teacher stays the source model when the student's weights move.
        foreach (var p in trainer.Parameters)
        {
            Array.Fill(p.Values, 0.05f);
        }

        trainer.Reload();
        var after = new Trainer.Worker(trainer);
        after.Forward(inputs);
        Assert.Equal(teacher, after.Teach());
        Assert.NotEqual(teacher, after.Run.Values[logits].ToArray());
    }

    [Fact]
    public void Augmented_views_move_pixels_and_pad_with_zeros()
    {
        // 3 × 4 image, 2 channels: value = 100 y + 10 x + c + 1 (never 0).
        const int height = 3, width = 4, channels = 2;
        var image = new float[height * width * channels];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                for (int c = 0; c < channels; c++)
                {
                    image[(((y * width) + x) * channels) + c] = (100 * y) + (10 * x) + c + 1;
                }
            }
        }

        float At(float[] view, int y, int x, int c) => view[(((y * width) + x) * channels) + c];
        var target = new float[image.Length];
        ImageAugmentation.Apply(image, target, height, width, channels, AugmentedView.Identity);
        Assert.Equal(image, target);

        ImageAugmentation.Apply(image, target, height, width, channels, AugmentedView.Identity with { Flip = true });
        Assert.Equal(At(image, 1, 0, 1), At(target, 1, 3, 1));
        Assert.Equal(At(image, 2, 3, 0), At(target, 2, 0, 0));
        var back = new float[image.Length];
        ImageAugmentation.Apply(target, back, height, width, channels, AugmentedView.Identity with { Flip = true });
        Assert.Equal(image, back);

        // Crop one row down and two columns right of the unshifted one: pixel (y, x) shows (y + 1, x + 2).
        int p = ImageAugmentation.CropPadding;
        ImageAugmentation.Apply(image, target, height, width, channels, new AugmentedView(false, p + 1, p + 2));
        Assert.Equal(At(image, 1, 2, 1), At(target, 0, 0, 1));
        Assert.Equal(At(image, 2, 3, 0), At(target, 1, 1, 0));
        Assert.Equal(0f, At(target, 2, 0, 0));      // below the image: padding
        Assert.Equal(0f, At(target, 0, 2, 1));      // right of the image: padding
        Assert.Equal((12 - 4) * channels, target.Count(v => v == 0f));   // 2 rows × 2 columns of the image remain
    }

    [Fact]
    public void Views_are_deterministic_with_the_seed_and_cover_every_shift()
    {
        var a = new Random(7);
        var b = new Random(7);
        var views = new List<AugmentedView>();
        for (int i = 0; i < 2000; i++)
        {
            var view = ImageAugmentation.Draw(a, Augmentation.Flip | Augmentation.Crop);
            Assert.Equal(view, ImageAugmentation.Draw(b, Augmentation.Flip | Augmentation.Crop));
            views.Add(view);
        }

        int shifts = (2 * ImageAugmentation.CropPadding) + 1;
        Assert.Equal(shifts * shifts * 2, views.Distinct().Count());
        Assert.All(Enumerable.Range(0, 100).Select(_ => ImageAugmentation.Draw(a, Augmentation.Flip)), v => Assert.Equal(AugmentedView.Identity, v with { Flip = false }));
        Assert.All(Enumerable.Range(0, 100).Select(_ => ImageAugmentation.Draw(a, Augmentation.Crop)), v => Assert.False(v.Flip));
    }

    /// <summary>A small image classifier: conv 3×3 (4 filters, ReLU) → mean → FC 4 → softmax.</summary>
    private static TfLiteModel ImageModel()
    {
        var random = new Random(23);
        var g = new GraphBuilder();
        int x = g.Input("x", 1, 6, 6, 1);
        int c = g.Conv2D(x, Random(random, 4 * 3 * 3, 0.5f), Random(random, 4, 0.1f), 4, 3, 3, activation: FusedActivation.Relu);
        int m = g.Mean(c, [1, 2]);
        int flat = g.Reshape(m, [1, 4]);
        int logits = g.FullyConnected(flat, Random(random, 3 * 4, 0.8f), Random(random, 3, 0.1f), 3, name: "logits");
        return g.Build("image", g.Softmax(logits));
    }

    private static LabeledSamples Images(TfLiteModel model, int count)
    {
        var random = new Random(24);
        var x = Random(random, count * 36);
        var y = Enumerable.Range(0, count).Select(i => x[i * 36] > 0 ? 1 : (x[(i * 36) + 35] > 0 ? 2 : 0)).ToArray();
        return new(SampleSet.FromArrays(InputSpec.Of(model), [("images", NpyArray.FromFloats(x, [count, 6, 6, 1]))]), y);
    }

    private static float[][] Train(TfLiteModel model, LabeledSamples data, Augmentation augmentation, double? temperature)
    {
        var trainer = Trainer.Create(model, new TrainingOptions { Epochs = 2, BatchSize = 8, LearningRate = 0.01, Augmentation = augmentation, DistillTemperature = temperature });
        trainer.Fit(data, null);
        return trainer.Parameters.Select(p => (float[])p.Values.Clone()).ToArray();
    }

    [Fact]
    public void Training_with_augmentation_and_distillation_is_deterministic_and_differs_from_without()
    {
        var model = ImageModel();
        var data = Images(model, 48);
        var augmented = Train(model, data, Augmentation.Flip | Augmentation.Crop, 4);
        Assert.Equal(augmented, Train(model, data, Augmentation.Flip | Augmentation.Crop, 4));
        Assert.NotEqual(augmented, Train(model, data, Augmentation.None, 4));
        Assert.NotEqual(augmented, Train(model, data, Augmentation.Flip | Augmentation.Crop, null));
    }

    /// <summary>
    /// The int8 teacher: its soft targets are softmax(beta × the post-training int8 model's SOFTMAX input, dequantized, / T),
    /// the device interpreter's tensor read here independently, operator by operator; the float teacher's differ.
    /// </summary>
    [Fact]
    public void Int8_teacher_soft_targets_are_a_softmax_of_the_ptq_model_dequantized_softmax_input()
    {
        var model = ImageModel();
        var data = Images(model, 16);
        var ptq = PostTrainingQuantizer.Run(PostTrainingQuantizer.Prepare(model), data.Samples, new CalibrationOptions(), new QuantizerOptions());
        const float temperature = 2f;
        var trainer = Trainer.Create(model, new TrainingOptions { DistillTemperature = temperature, DistillTeacher = DistillationTeacher.Int8 });
        trainer.TeachFrom(ptq.Conversion.Bytes, data.Samples);

        var device = NanoQuant.Host.DeviceModels.DeviceModelReader.Read(ptq.Conversion.Bytes);
        int softmax = device.Operators.Count - 1;
        Assert.Equal(NanoQuant.Format.OperatorType.Softmax, device.Operators[softmax].Type);
        int logits = device.Operators[softmax].Inputs[0];
        bool differs = false;
        for (int s = 0; s < data.Count; s++)
        {
            using var interpreter = new NanoQuant.Interpreter(ptq.Conversion.Bytes);
            NanoQuant.Host.Evaluation.BatchRunner.SetInput(interpreter.GetInput(0), data.Samples.Sample(0, s));
            for (int o = 0; o < softmax; o++)
            {
                interpreter.InvokeOperator(o);
            }

            var tensor = interpreter.GetTensor(logits);
            var dequantized = Enumerable.Range(0, 3).Select(c => tensor.Scale * (tensor.GetInt8(c) - tensor.ZeroPoint)).ToArray();
            double max = dequantized.Max();
            var expected = dequantized.Select(z => Math.Exp((z - max) / temperature)).ToArray();
            double sum = expected.Sum();
            var targets = new float[3];
            Distillation.Loss(new float[3], trainer.Taught(s), temperature, targets);
            for (int c = 0; c < 3; c++)
            {
                Assert.Equal(expected[c] / sum, targets[c], 5);
            }

            // The device's own softmax of that tensor (T = 1) agrees to its int8 step: the tensor read is the softmax's input.
            interpreter.InvokeOperator(softmax);
            var output = interpreter.GetOutput(0);
            var probabilities = dequantized.Select(z => Math.Exp(z - max)).ToArray();
            for (int c = 0; c < 3; c++)
            {
                double onDevice = output.Scale * (output.GetInt8(c) - output.ZeroPoint), exact = probabilities[c] / probabilities.Sum();
                Assert.True(Math.Abs(onDevice - exact) <= 1.5 / 256, $"sample {s}, class {c}: device softmax {onDevice}, softmax of the tensor read {exact}");
            }

            var worker = new Trainer.Worker(trainer);
            worker.Forward(data.Samples, s, collectRanges: false);
            differs |= !worker.Teach().SequenceEqual(trainer.Taught(s));
        }

        Assert.True(differs, "the int8 teacher gave the float teacher's logits on every sample");
    }

    [Fact]
    public void Int8_teacher_needs_its_soft_targets_for_the_training_samples_and_a_temperature_and_no_augmentation()
    {
        var model = ImageModel();
        var data = Images(model, 16);
        var trainer = Trainer.Create(model, new TrainingOptions { DistillTemperature = 2, DistillTeacher = DistillationTeacher.Int8, BatchSize = 8 });
        Assert.Contains("call TeachFrom", Assert.Throws<InvalidOperationException>(() => trainer.Fit(data, null)).Message);
        Assert.Contains("needs a distillation temperature", Assert.Throws<ArgumentException>(() => new TrainingOptions { DistillTeacher = DistillationTeacher.Int8 }.Validate()).Message);
        Assert.Contains("augmented", Assert.Throws<ArgumentException>(() => new TrainingOptions { DistillTemperature = 2, DistillTeacher = DistillationTeacher.Int8, Augmentation = Augmentation.Flip }.Validate()).Message);
    }

    [Fact]
    public void Int8_teacher_training_is_deterministic_and_differs_from_the_float_teacher()
    {
        var model = ImageModel();
        var data = Images(model, 48);
        var ptq = PostTrainingQuantizer.Run(PostTrainingQuantizer.Prepare(model), data.Samples, new CalibrationOptions(), new QuantizerOptions());
        float[][] Train(DistillationTeacher teacher)
        {
            var trainer = Trainer.Create(model, new TrainingOptions { Epochs = 2, BatchSize = 8, LearningRate = 0.01, DistillTemperature = 4, DistillTeacher = teacher });
            if (teacher == DistillationTeacher.Int8)
            {
                trainer.TeachFrom(ptq.Conversion.Bytes, data.Samples);
            }

            trainer.Fit(data, null);
            return trainer.Parameters.Select(p => (float[])p.Values.Clone()).ToArray();
        }

        var int8 = Train(DistillationTeacher.Int8);
        Assert.Equal(int8, Train(DistillationTeacher.Int8));
        Assert.NotEqual(int8, Train(DistillationTeacher.Float));
    }

    [Fact]
    public void Augmentation_needs_an_image_input()
    {
        var error = Assert.Throws<UnsupportedModelException>(() => Trainer.Create(TrainingData.Mlp(), new TrainingOptions { Augmentation = Augmentation.Flip }));
        Assert.Contains("[1, height, width, channels]", error.Message);
        Assert.Contains("[1, 8]", error.Message);
    }
}
