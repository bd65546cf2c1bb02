using NanoQuant.Host.Benchmarks;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.Evaluation;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Quantization;
using NanoQuant.Host.Runtime;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Tests;

/// <summary>The int8 models of ../shared/models/extra (no goldens) convert and run; the CIFAR ResNets classify real images.</summary>
public class ExtraModelTests
{
    public static TheoryData<string> Int8Extras() =>
        new("mobilenet_v2_quantized_1x3x224x224", "pretrainedResnet_large_int8", "resnet_eb78d0e_int8", "str_ww_ref_model");

    [Theory]
    [MemberData(nameof(Int8Extras))]
    public void Converts_and_runs(string name)
    {
        var conversion = Converter.ConvertFile(SharedResources.ModelPath(name));
        var interpreter = new Interpreter(conversion.Bytes);
        var random = new Random(3);
        var input = interpreter.GetInput(0);
        for (int i = 0; i < input.Length; i++)
        {
            input.SetInt8(i, (sbyte)random.Next(-128, 128));
        }

        interpreter.Invoke();
        var output = interpreter.GetOutput(0);
        var values = new sbyte[output.Length];
        output.CopyTo(values, 0);
        Assert.True(values.Distinct().Count() > 1 || output.Length == 1, "output is constant");
        Assert.True(conversion.Plan.ArenaBytes >= conversion.Plan.LowerBound);
    }

    [Theory]
    [InlineData("pretrainedResnet_large_int8")]
    [InlineData("resnet_eb78d0e_int8")]
    public void Cifar_resnets_classify_real_images(string name)
    {
        var images = NpyArray.Load(Path.Combine(SharedResources.Data, "cifar10", "images_uint8_nhwc.npy"));
        var labels = NpyArray.Load(Path.Combine(SharedResources.Data, "cifar10", "labels.npy")).ToInt64s();
        const int count = 300;

        // The int8 models take pixel − 128 (scale 1, zero point −128).
        var pixels = images.Data.AsSpan(0, count * 32 * 32 * 3).ToArray().Select(p => unchecked((sbyte)(p - 128))).ToArray();
        var runner = new ModelRunner(Converter.ConvertFile(SharedResources.ModelPath(name)).Bytes);
        var scores = runner.Run([NpyArray.FromSBytes(pixels, [count, 32, 32, 3])])[0].ToSBytes();
        int correct = Enumerable.Range(0, count).Count(i => Enumerable.Range(0, 10).MaxBy(k => scores[(i * 10) + k]) == labels[i]);
        Assert.True(correct > count * 0.7, $"{name}: {correct}/{count} correct");
    }

    /// <summary>The float CIFAR ResNets of extra/ quantize (200 calibration images) and keep their float accuracy within 3 points on 300 others.</summary>
    [Theory]
    [InlineData("pretrainedResnet_large_float")]
    [InlineData("resnet_eb78d0e_float")]
    public void Float_cifar_resnets_quantize_and_classify(string name)
    {
        const int calibrationCount = 200, evaluationCount = 300;
        var model = PostTrainingQuantizer.Prepare(TfLiteReader.ReadFile(SharedResources.ModelPath(name)));

        // Same input as ResNet-8's float model: raw CIFAR-10 pixels 0..255 as float32.
        var calibration = ReferenceDatasets.Load("pretrainedResnet_float", model.Model, SharedResources.Root, 0, calibrationCount);
        var evaluation = ReferenceDatasets.Load("pretrainedResnet_float", model.Model, SharedResources.Root, calibrationCount, evaluationCount);
        var labels = Metrics.Labels(NpyArray.Load(Path.Combine(SharedResources.Data, "cifar10", "labels.npy"))).Skip(calibrationCount).Take(evaluationCount).ToArray();
        var result = PostTrainingQuantizer.Run(model, calibration, new CalibrationOptions(), new QuantizerOptions());
        var int8 = Top1Evaluator.Device(name, result.Conversion.Bytes, evaluation, labels);
        var reference = Top1Evaluator.Float("float", model, evaluation, labels);
        Assert.True(reference.Correct > evaluationCount * 0.8, $"float {reference.Correct}/{evaluationCount}");
        Assert.True(int8.Correct >= reference.Correct - (evaluationCount * 3 / 100), $"{name}: int8 {int8.Correct}, float {reference.Correct} of {evaluationCount}");
    }
}
