using NanoQuant.Cli;
using NanoQuant.Format;
using NanoQuant.Host.Benchmarks;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.Evaluation;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Quantization;
using NanoQuant.Host.TfLite;
using Xunit.Abstractions;

namespace NanoQuant.Tests.Quantization;

/// <summary>
/// 16x8 post-training quantization (int16 activations, int8 weights, int64 biases): what it buys over
/// int8 on the MLPerf Tiny float models (figures in docs/quantization.md), its rules, and the CLI.
/// </summary>
public sealed class Int16QuantizationTests(ITestOutputHelper log) : IDisposable
{
    private const int CalibrationSamples = 200;
    private readonly string _folder = Directory.CreateTempSubdirectory("nq-16x8").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (int Exit, string Out, string Error) Cli(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = CliApp.Run(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    private static readonly QuantizerOptions Int16Float = new() { Int16Activations = true, FloatEdges = true };

    /// <summary>Output SQNR against the float model over every golden case: 16x8 at least 5 dB above our int8 (the default method).</summary>
    [Theory]
    [InlineData("ad01_fp32")]
    public void Output_SQNR_of_16x8_is_at_least_5_dB_above_int8(string floatName)
    {
        var golden = Golden.Load(floatName);
        var model = PostTrainingQuantizer.Prepare(TfLiteReader.ReadFile(golden.ModelPath), int16Activations: true);
        var calibration = ReferenceDatasets.Calibration(floatName, model.Model, SharedResources.Root, CalibrationSamples);
        var int8 = PostTrainingQuantizer.Run(model, calibration, new CalibrationOptions(), new QuantizerOptions()).Conversion.Bytes;
        var int16 = PostTrainingQuantizer.Run(model, calibration, new CalibrationOptions(), Int16Float).Conversion.Bytes;

        double signal = 0, noise8 = 0, noise16 = 0;
        for (int c = 0; c < golden.CaseCount; c++)
        {
            var input = golden.Inputs(c)[0];
            var samples = SampleSet.FromArrays(InputSpec.Of(model.Model), [($"case {c}", new NpyArray(input.Type, [1, .. input.Shape[1..]], input.Data))]);
            var expected = golden.Outputs(c)[0].ToFloats();
            var a = BatchRunner.RunDevice(int8, samples)[0];
            var b = BatchRunner.RunDevice(int16, samples)[0];
            for (int i = 0; i < expected.Length; i++)
            {
                signal += (double)expected[i] * expected[i];
                noise8 += Math.Pow(expected[i] - a[i], 2);
                noise16 += Math.Pow(expected[i] - b[i], 2);
            }
        }

        double sqnr8 = Metrics.Sqnr(signal, noise8), sqnr16 = Metrics.Sqnr(signal, noise16);
        log.WriteLine($"{floatName} over {golden.CaseCount} golden cases: int8 {sqnr8:F2} dB, 16x8 {sqnr16:F2} dB");
        Assert.True(sqnr16 >= sqnr8 + 5, $"16x8 {sqnr16:F2} dB is not 5 dB above int8 {sqnr8:F2} dB");
    }

    /// <summary>ResNet-8 16x8, calibrated on the first 200 CIFAR-10 images, evaluated on the other 1,002.</summary>
    [Fact]
    public void ResNet_16x8_scores_at_least_the_float_model_and_5_dB_above_int8()
    {
        var model = PostTrainingQuantizer.Prepare(TfLiteReader.ReadFile(SharedResources.ModelPath("pretrainedResnet_float")), int16Activations: true);
        var calibration = ReferenceDatasets.Load("pretrainedResnet_float", model.Model, SharedResources.Root, 0, CalibrationSamples);
        var evaluation = ReferenceDatasets.Load("pretrainedResnet_float", model.Model, SharedResources.Root, CalibrationSamples, 1002);
        var labels = Metrics.Labels(NpyArray.Load(Path.Combine(SharedResources.Data, "cifar10", "labels.npy"))).Skip(CalibrationSamples).ToArray();

        var result = PostTrainingQuantizer.Run(model, calibration, new CalibrationOptions(), Int16Float);
        var conversion = result.Conversion;
        Assert.All(conversion.Model.Tensors.Where(t => t.IsArena), t => Assert.Equal(TensorType.Int16, t.Type));
        Assert.Contains(conversion.Model.Tensors, t => t.Type == TensorType.Int64);
        Assert.Equal(1f / 32768, result.Quantized.Activation(model.Model.Outputs[0]).Scale);

        var int8 = PostTrainingQuantizer.Run(model, calibration, new CalibrationOptions(), new QuantizerOptions());
        var ours16 = Top1Evaluator.Device("16x8", conversion.Bytes, evaluation, labels);
        var ours8 = Top1Evaluator.Device("int8", int8.Conversion.Bytes, evaluation, labels);
        var reference = Top1Evaluator.Float("float", model, evaluation, labels);
        double sqnr16 = Metrics.Sqnr(reference.Outputs, ours16.Outputs), sqnr8 = Metrics.Sqnr(reference.Outputs, ours8.Outputs);
        log.WriteLine($"top-1 on 1,002 images: float {reference.Correct}, int8 {ours8.Correct} ({sqnr8:F2} dB), 16x8 {ours16.Correct} ({sqnr16:F2} dB)");
        Assert.True(ours16.Correct >= reference.Correct, $"16x8 {ours16.Correct} < float {reference.Correct}");
        Assert.True(sqnr16 >= sqnr8 + 5, $"16x8 {sqnr16:F2} dB is not 5 dB above int8 {sqnr8:F2} dB");
    }

    [Fact]
    public void HARD_SWISH_is_refused_for_16x8_with_a_message()
    {
        var model = SyntheticModels.Build(b => b.Outputs(b.Unary(BuiltinOperator.HardSwish, b.Input([1, 4]))));
        PostTrainingQuantizer.Prepare(model);   // int8 has a HARD_SWISH kernel
        var e = Assert.Throws<UnsupportedModelException>(() => PostTrainingQuantizer.Prepare(model, int16Activations: true));
        Assert.Contains("HARD_SWISH has no int16 kernel", e.Message);
    }

    [Fact]
    public void Cli_quantizes_16x8_with_int16_or_float_edges_and_compares_with_int8()
    {
        string sine = Path.Combine(SharedResources.ProjectRoot, "samples", "sine");
        string nq = Path.Combine(_folder, "sine16.nq"), report = Path.Combine(_folder, "r.md"), y = Path.Combine(_folder, "y.npy");
        var (exit, output, error) = Cli("convert", Path.Combine(sine, "sine_float.tflite"), "-c", Path.Combine(sine, "calibration.npy"), "-o", nq,
            "--activations", "int16", "--report", report, "--compare-int8");
        Assert.True(exit == 0, error);
        Assert.Contains("input  int16 scale", output);
        string text = File.ReadAllText(report);
        Assert.Contains("16x8 SQNR", text);
        Assert.Contains("(int8: ", text);

        (exit, _, error) = Cli("run", nq, "--input", Path.Combine(sine, "input.npy"), "--output", y);
        Assert.True(exit == 0, error);
        Assert.Equal(NpyType.Int16, NpyArray.Load(y).Type);

        (exit, _, error) = Cli("convert", Path.Combine(sine, "sine_float.tflite"), "-c", Path.Combine(sine, "calibration.npy"), "-o", nq, "--activations", "int16", "--io", "int8");
        Assert.NotEqual(0, exit);
        Assert.Contains("--io int8 does not fit --activations int16", error);
        (exit, _, error) = Cli("convert", Path.Combine(sine, "sine_float.tflite"), "-c", Path.Combine(sine, "calibration.npy"), "-o", nq, "--compare-int8");
        Assert.NotEqual(0, exit);
        Assert.Contains("--compare-int8 needs --activations int16", error);
    }
}
