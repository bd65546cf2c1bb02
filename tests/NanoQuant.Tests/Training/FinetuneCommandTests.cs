using System.Text.Json;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Runtime;
using NanoQuant.Host.Samples;
using NanoQuant.Host.TfLite;
using NanoQuant.Host.Training;
using NanoQuant.Tests.Cli;

namespace NanoQuant.Tests.Training;

/// <summary>`nanoquant finetune`: a real run on synthetic data, and one clear error for every bad input with nothing written.</summary>
public class FinetuneCommandTests : FinetuneHarness
{
    [Fact]
    public void Fine_tunes_and_writes_an_int8_device_model_with_json_figures()
    {
        string output = Ok("finetune", _model, "--train", _x, "--labels", _y, "--val", _vx, "--val-labels", _vy,
            "--epochs", "3", "--lr", "0.01", "--calibration-samples", "128", "-o", Temp("out.nq"), "--save-tflite", Temp("q.tflite"), "--save-float", Temp("f.tflite"), "--json");
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(3, root.GetProperty("epochs").GetArrayLength());
        Assert.True(root.GetProperty("quantizationAware").GetBoolean());
        double fineTuned = root.GetProperty("fineTunedInt8Top1").GetDouble();
        Assert.True(fineTuned > 0.85, $"fine-tuned int8 top-1 {fineTuned}");
        Assert.True(fineTuned > root.GetProperty("floatTop1").GetDouble() + 0.2);

        // An ordinary int8 device model: it loads and runs on the device runtime.
        var runner = new ModelRunner(File.ReadAllBytes(Temp("out.nq")));
        Assert.NotNull(runner);
        Assert.Equal(TfLiteType.Int8, TfLiteReader.Read(File.ReadAllBytes(Temp("q.tflite"))).InputTensors.Single().Type);
        Assert.Equal(TfLiteType.Float32, TfLiteReader.Read(File.ReadAllBytes(Temp("f.tflite"))).InputTensors.Single().Type);
    }

    [Fact]
    public void Prints_a_line_per_epoch_and_the_top1_figures()
    {
        string output = Ok("finetune", _model, "--train", _x, "--labels", _y, "--val", _vx, "--val-labels", _vy, "--epochs", "2", "--lr", "0.01", "-o", Temp("out.nq"));
        Assert.Contains("epoch 1: loss ", output);
        Assert.Contains("epoch 2: loss ", output);
        Assert.Contains("fine-tuned int8", output);
        Assert.Contains("wrote ", output);
    }

    [Theory]
    [InlineData(new[] { "--distill", "0" }, "--distill must lie in (0, 100] (the softmax temperature), not 0")]
    [InlineData(new[] { "--distill", "500" }, "--distill must lie in (0, 100]")]
    [InlineData(new[] { "--distill-weight", "0.5" }, "--distill-weight needs --distill T")]
    [InlineData(new[] { "--distill", "4", "--distill-weight", "1.5" }, "--distill-weight must lie in [0, 1], not 1.5")]
    [InlineData(new[] { "--augment", "rotate" }, "--augment takes flip, crop or flip,crop, not 'rotate'")]
    [InlineData(new[] { "--augment", "flip,," }, "--augment takes flip, crop or flip,crop, not 'flip,,'")]
    [InlineData(new[] { "--distill", "2", "--distill-teacher", "int16" }, "--distill-teacher takes float or int8, not 'int16'")]
    [InlineData(new[] { "--distill-teacher", "int8" }, "--distill-teacher needs --distill T")]
    [InlineData(new[] { "--distill", "2", "--distill-teacher", "int8", "--augment", "flip" }, "--distill-teacher int8 takes no --augment")]
    [InlineData(new[] { "--requantize" }, "--requantize needs --cluster N")]
    [InlineData(new[] { "--cluster", "4", "--cluster-method", "median" }, "--cluster-method takes kmeans or gptq, not 'median'")]
    [InlineData(new[] { "--cluster-method", "gptq" }, "--cluster-method needs --cluster N")]
    [InlineData(new[] { "--augment", "flip" }, "image augmentation needs one image input of shape [1, height, width, channels]")]
    public void Distillation_and_augmentation_options_out_of_range(string[] options, string message)
    {
        AssertOneError(message, ["finetune", _model, "--train", _x, "--labels", _y, .. options, "-o", Temp("out.nq")]);
    }

    [Fact]
    public void Distils_with_json_figures()
    {
        string output = Ok("finetune", _model, "--train", _x, "--labels", _y, "--val", _vx, "--val-labels", _vy,
            "--epochs", "2", "--lr", "0.01", "--distill", "2", "--distill-weight", "0.25", "-o", Temp("out.nq"), "--json");
        using var json = JsonDocument.Parse(output);
        Assert.Equal(2.0, json.RootElement.GetProperty("distillTemperature").GetDouble());
        Assert.Equal(0.25, json.RootElement.GetProperty("distillWeight").GetDouble());
        Assert.Equal("float", json.RootElement.GetProperty("distillTeacher").GetString());
        Assert.True(File.Exists(Temp("out.nq")));

        string int8 = Ok("finetune", _model, "--train", _x, "--labels", _y, "--val", _vx, "--val-labels", _vy,
            "--epochs", "2", "--lr", "0.01", "--distill", "2", "--distill-weight", "0.25", "--distill-teacher", "int8", "-o", Temp("int8.nq"), "--json");
        using var int8Json = JsonDocument.Parse(int8);
        Assert.Equal("int8", int8Json.RootElement.GetProperty("distillTeacher").GetString());
        Assert.NotEqual(File.ReadAllBytes(Temp("out.nq")), File.ReadAllBytes(Temp("int8.nq")));
    }

    [Fact]
    public void Cluster_method_is_in_the_json_and_chooses_the_start()
    {
        string gptq = Ok("finetune", _model, "--train", _x, "--labels", _y, "--epochs", "1", "--lr", "0.01", "--cluster", "4", "--cluster-method", "gptq", "-o", Temp("gptq.nq"), "--json");
        using var gptqJson = JsonDocument.Parse(gptq);
        Assert.Equal("gptq", gptqJson.RootElement.GetProperty("clusterMethod").GetString());

        // Without --cluster-method: kmeans, the default, byte for byte as when it is named.
        string byDefault = Ok("finetune", _model, "--train", _x, "--labels", _y, "--epochs", "1", "--lr", "0.01", "--cluster", "4", "-o", Temp("default.nq"), "--json");
        using var defaultJson = JsonDocument.Parse(byDefault);
        Assert.Equal("kmeans", defaultJson.RootElement.GetProperty("clusterMethod").GetString());
        string kmeans = Ok("finetune", _model, "--train", _x, "--labels", _y, "--epochs", "1", "--lr", "0.01", "--cluster", "4", "--cluster-method", "kmeans", "-o", Temp("kmeans.nq"), "--json");
        using var kmeansJson = JsonDocument.Parse(kmeans);
        Assert.Equal("kmeans", kmeansJson.RootElement.GetProperty("clusterMethod").GetString());
        Assert.Equal(File.ReadAllBytes(Temp("default.nq")), File.ReadAllBytes(Temp("kmeans.nq")));
        Assert.NotEqual(File.ReadAllBytes(Temp("gptq.nq")), File.ReadAllBytes(Temp("kmeans.nq")));

        string plain = Ok("finetune", _model, "--train", _x, "--labels", _y, "--epochs", "1", "--lr", "0.01", "-o", Temp("plain.nq"), "--json");
        using var plainJson = JsonDocument.Parse(plain);
        Assert.Equal(JsonValueKind.Null, plainJson.RootElement.GetProperty("clusterMethod").ValueKind);
    }

    [Fact]
    public void Labels_of_the_wrong_count()
    {
        string few = Write("few.npy", Labels([0, 1, 2]));
        AssertOneError(["3 labels for 512 samples"], "finetune", _model, "--train", _x, "--labels", few, "-o", Temp("out.nq"));
    }

    [Fact]
    public void Class_ids_outside_the_model_outputs()
    {
        var (_, y) = TrainingData.Linear(512, 4);
        y[7] = 9;
        string bad = Write("bad.npy", Labels(y));
        AssertOneError(["label 9 of sample 7", "4 classes"], "finetune", _model, "--train", _x, "--labels", bad, "-o", Temp("out.nq"));
    }

    [Fact]
    public void Non_finite_data()
    {
        var (x, _) = TrainingData.Linear(512, 4);
        x[20] = float.NaN;
        string bad = Write("nan.npy", NpyArray.FromFloats(x, [512, TrainingData.Features]).ToBytes());
        AssertOneError(["sample 2, element 4", "NaN", "finite"], "finetune", _model, "--train", bad, "--labels", _y, "-o", Temp("out.nq"));
    }

    [Theory]
    [InlineData("--lr", "0", "--lr must lie in (0, 1], not 0")]
    [InlineData("--lr", "1.5", "--lr must lie in (0, 1], not 1.5")]
    [InlineData("--lr", "NaN", "--lr must lie in (0, 1]")]
    [InlineData("--epochs", "0", "--epochs must lie in [1, 1000], not 0")]
    [InlineData("--epochs", "5000", "--epochs must lie in [1, 1000], not 5000")]
    [InlineData("--batch", "0", "--batch must lie in")]
    public void Learning_rate_epochs_and_batch_out_of_range(string option, string value, string message)
    {
        AssertOneError(message, "finetune", _model, "--train", _x, "--labels", _y, option, value, "-o", Temp("out.nq"));
    }

    [Fact]
    public void An_operator_the_trainer_lacks_is_named_with_its_index()
    {
        // x (1,2,4) → TRANSPOSE → (1,4,2) → FC: the float reference runs TRANSPOSE, the trainer has no gradient for it.
        var g = new GraphBuilder();
        int x = g.Input("x", 1, 2, 4);
        var built = g.Build("t", x);
        var tensors = built.Tensors.ToList();
        tensors.Add(new TfLiteTensor(1, "perm", TfLiteType.Int32, [3], [0, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0], null, false));
        tensors.Add(new TfLiteTensor(2, "t", TfLiteType.Float32, [1, 4, 2], null, null, false));
        var weights = new byte[4 * 8 * 4];
        tensors.Add(new TfLiteTensor(3, "w", TfLiteType.Float32, [4, 8], weights, null, false));
        tensors.Add(new TfLiteTensor(4, "y", TfLiteType.Float32, [1, 4], null, null, false));
        var model = new TfLiteModel
        {
            SchemaVersion = 3, Description = null, Tensors = tensors, Inputs = [0], Outputs = [4], SubgraphCount = 1,
            Operators =
            [
                new TfLiteOperator(0, BuiltinOperator.Transpose, 1, null, [0, 1], [2], 0, null),
                new TfLiteOperator(1, BuiltinOperator.FullyConnected, 1, null, [2, 3], [4], 8, TfLiteTable.Build(b => { b.StartTable(1); b.AddByte(0, 0, 0); return b.EndTable(); })),
            ],
        };
        string path = Write("transpose.tflite", TfLiteWriter.Write(model));
        string xs = Write("x8.npy", NpyArray.FromFloats(new float[16], [2, 2, 4]).ToBytes());
        string ys = Write("y8.npy", Labels([0, 1]));
        AssertOneError(["operator 0 (TRANSPOSE)", "no gradient"], "finetune", path, "--train", xs, "--labels", ys, "-o", Temp("out.nq"));
    }

    [Fact]
    public void A_model_with_no_float_weights()
    {
        var g = new GraphBuilder();
        int x = g.Input("x", 1, 4);
        string path = Write("noweights.tflite", TfLiteWriter.Write(g.Build("relu", g.Softmax(g.Unary(BuiltinOperator.Relu, x)))));
        string xs = Write("x4.npy", NpyArray.FromFloats(new float[8], [2, 4]).ToBytes());
        string ys = Write("y4.npy", Labels([0, 1]));
        AssertOneError("no float weights", "finetune", path, "--train", xs, "--labels", ys, "-o", Temp("out.nq"));
    }

    [Fact]
    public void An_int8_model_is_not_a_float_model()
    {
        string int8 = SharedResources.ModelPath("kws_ref_model_int8");
        AssertOneError("not a float model", "finetune", int8, "--train", _x, "--labels", _y, "-o", Temp("out.nq"));
    }

    [Fact]
    public void Validation_samples_need_their_labels()
    {
        AssertOneError("--val and --val-labels go together", "finetune", _model, "--train", _x, "--labels", _y, "--val", _vx, "-o", Temp("out.nq"));
    }

    [Fact]
    public void Validation_on_the_training_file_must_skip_the_samples_trained_on()
    {
        AssertOneError(["--val-skip 100 is below the 200 samples trained on"], "finetune", _model, "--train", _x, "--labels", _y, "--train-samples", "200",
            "--val", _x, "--val-labels", _y, "--val-skip", "100", "-o", Temp("out.nq"));
        AssertOneError(["--train-samples must lie in [1, 512]", "not 600"], "finetune", _model, "--train", _x, "--labels", _y, "--train-samples", "600", "-o", Temp("out.nq"));
        AssertOneError("--val-skip 512 leaves no validation samples", "finetune", _model, "--train", _x, "--labels", _y, "--train-samples", "200",
            "--val", _x, "--val-labels", _y, "--val-skip", "512", "-o", Temp("out.nq"));
    }

    [Fact]
    public void A_disjoint_split_of_one_file_trains_on_the_first_part_and_validates_on_the_rest()
    {
        string output = Ok("finetune", _model, "--train", _x, "--labels", _y, "--train-samples", "384", "--val", _x, "--val-labels", _y, "--val-skip", "384",
            "--epochs", "1", "--lr", "0.01", "--calibration-samples", "64", "-o", Temp("out.nq"), "--json");
        using var json = JsonDocument.Parse(output);
        Assert.Equal(384, json.RootElement.GetProperty("trainingSamples").GetInt32());
        Assert.Equal(128, json.RootElement.GetProperty("validationSamples").GetInt32());
    }

    [Fact]
    public void Data_of_the_wrong_shape()
    {
        string wide = Write("wide.npy", NpyArray.FromFloats(new float[10 * 9], [10, 9]).ToBytes());
        AssertOneError("wide.npy", "finetune", _model, "--train", wide, "--labels", _y, "-o", Temp("out.nq"));
    }
}

/// <summary>A [Fact] skipped, with the apt line, where Debian's dataset-fashion-mnist package is not installed.</summary>
public sealed class FashionFactAttribute : FactAttribute
{
    public FashionFactAttribute()
    {
        if (!FashionSample.IsAvailable())
        {
            Skip = $"Fashion-MNIST is not installed in {FashionSample.DefaultFolder}: apt-get install -y dataset-fashion-mnist";
        }
    }
}

/// <summary>The Fashion-MNIST sample, trained and fine-tuned on small subsets (seconds).</summary>
public class FashionTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [FashionFact]
    public void Sample_cnn_trains_and_quantization_aware_fine_tuning_keeps_int8_at_float_accuracy()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var train = FashionSample.Load(FashionSample.DefaultFolder, train: true, count: 2000);
        var test = FashionSample.Load(FashionSample.DefaultFolder, train: false, count: 300);
        Assert.Equal(2000, train.Count);
        Assert.Equal(784 * 2000, train.Images.Length);
        Assert.Equal(9, train.Labels[0]);   // the first training image is an ankle boot

        var initial = FashionSample.Initial(1);
        var trainer = Trainer.Create(initial, new TrainingOptions { Epochs = 1, QuantizationAware = false });
        var first = train.Take(1500);
        var epochs = trainer.Fit(first.ToSamples(initial), test.ToSamples(initial));
        Assert.True(epochs[0].ValidationAccuracy > 0.6, $"float top-1 after one epoch on 1,500 images: {epochs[0].ValidationAccuracy}");

        output.WriteLine($"loaded and trained {clock.Elapsed.TotalSeconds:F1} s");
        var floatModel = trainer.TrainedModel();
        var fineTuner = FineTuning.Prepare(floatModel, new TrainingOptions { Epochs = 1, LearningRate = 1e-4 });
        var next = new FashionData(train.Images.AsSpan(1500 * 784, 500 * 784).ToArray(), train.Labels.AsSpan(1500, 500).ToArray());
        var result = FineTuning.Run(fineTuner, next.ToSamples(floatModel), test.ToSamples(floatModel), 200,
            new NanoQuant.Host.Quantization.CalibrationOptions(NanoQuant.Host.Quantization.CalibrationMethod.MinMax, 99.99), new NanoQuant.Host.Quantization.QuantizerOptions());
        output.WriteLine($"fine-tuned and evaluated {clock.Elapsed.TotalSeconds:F1} s: float {result.FloatTop1}, ptq {result.PostTrainingTop1}, qat {result.FineTunedTop1}");
        Assert.True(result.FineTunedTop1 >= result.FloatTop1 - 0.01, $"fine-tuned int8 {result.FineTunedTop1}, float {result.FloatTop1}");
    }
}
