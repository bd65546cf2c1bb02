using NanoQuant.Cli;
using NanoQuant.Host.Evaluation;
using NanoQuant.Host.FloatReference;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Quantization;
using NanoQuant.Host.Samples;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Tests.Quantization;

/// <summary>The command line around post-training quantization: convert --calibration, eval, sample, bench-quantize, and their errors.</summary>
public sealed class QuantizationCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nq-ptq").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Sample(string file) => Path.Combine(SharedResources.ProjectRoot, "samples", "sine", file);

    private string Temp(string file) => Path.Combine(_folder, file);

    private static (int Exit, string Out, string Error) Cli(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = CliApp.Run(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public void Convert_cluster_writes_palette_weights_and_reports_each_layer()
    {
        string model = SharedResources.ModelPath("kws_ref_model_int8");
        var (exit, output, error) = Cli("convert", model, "-o", Temp("kws_c16.nq"), "--cluster", "16", "--cluster-per-tensor");
        Assert.True(exit == 0, error);
        Assert.Contains("clustered 10 weight tensors into ≤ 16 values per tensor (kmeans):", output);
        Assert.Matches(@"operator 0 \(CONV_2D\) '[^']+' 64×10×4×1: \d+ → 1[0-6] values/channel, weight SQNR \d+\.\d dB", output);
        Assert.Contains("palette weights: 10 int8 constants (10×4-bit)", output);
        var written = NanoQuant.Host.DeviceModels.DeviceModelReader.Read(File.ReadAllBytes(Temp("kws_c16.nq")));
        Assert.Equal(10, written.Tensors.Count(t => t.Palette is { Bits: 4, Axis: null }));

        (exit, output, _) = Cli("convert", model, "-o", Temp("kws_plain.nq"), "--cluster", "16", "--cluster-per-tensor", "--no-palette");
        Assert.Equal(0, exit);
        Assert.DoesNotContain("palette weights", output);
        Assert.True(new FileInfo(Temp("kws_plain.nq")).Length > new FileInfo(Temp("kws_c16.nq")).Length * 4 / 3);

        (exit, _, error) = Cli("convert", model, "-o", Temp("bad.nq"), "--cluster", "200");
        Assert.Equal(1, exit);
        Assert.Contains("--cluster must lie in [2, 128], not 200", error);
        Assert.False(File.Exists(Temp("bad.nq")));

        // Error feedback weighs each layer's input correlation: an int8 model converted as it is has no data for it.
        foreach (var (options, message) in new (string[], string)[]
        {
            (["--cluster", "16", "--cluster-method", "gptq"], "--cluster-method gptq needs calibration data"),
            (["--cluster", "16", "--cluster-method", "lloyd"], "--cluster-method takes kmeans or gptq, not 'lloyd'"),
            (["--cluster-method", "kmeans"], "--cluster-method needs --cluster N"),
        })
        {
            (exit, output, error) = Cli(["convert", model, "-o", Temp("bad.nq"), .. options]);
            Assert.Equal(1, exit);
            Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("error: ", error);
            Assert.Contains(message, error);
            Assert.False(File.Exists(Temp("bad.nq")));
        }
    }

    [Fact]
    public void Sine_demo_quantizes_runs_and_matches_the_float_model()
    {
        var (exit, output, error) = Cli("convert", Sample("sine_float.tflite"), "--calibration", Sample("calibration.npy"), "-o", Temp("sine.nq"),
            "--report", Temp("report.md"), "--save-tflite", Temp("sine_int8.tflite"));
        Assert.True(exit == 0, error);
        Assert.Contains("quantized sine_float.tflite with 500 samples (auto → ", output);
        Assert.Contains("Output y: int8 SQNR", File.ReadAllText(Temp("report.md")));

        // Timings include everything: the parts, the report, and the whole command.
        var timing = System.Text.RegularExpressions.Regex.Match(output, @"calibration ([0-9.]+) s, quantization ([0-9.]+) s, conversion ([0-9.]+) s, report ([0-9.]+) s; ([0-9.]+) s in all, reading and writing included");
        Assert.True(timing.Success, output);
        double[] parts = Enumerable.Range(1, 4).Select(g => double.Parse(timing.Groups[g].Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.True(double.Parse(timing.Groups[5].Value, System.Globalization.CultureInfo.InvariantCulture) >= parts.Sum() - 0.02, output);

        // The written int8 .tflite converts to the same device model.
        var converted = NanoQuant.Host.Conversion.Converter.ConvertFile(Temp("sine_int8.tflite"));
        Assert.Equal(File.ReadAllBytes(Temp("sine.nq")), converted.Bytes);

        var floatModel = FloatModel.Create(TfLiteReader.ReadFile(Sample("sine_float.tflite")));
        var inputs = SampleSet.Load(InputSpec.Of(floatModel.Model), [Sample("input.npy")]);
        var expected = BatchRunner.RunFloat(floatModel, inputs)[0];
        var actual = BatchRunner.RunDevice(File.ReadAllBytes(Temp("sine.nq")), inputs)[0];
        Assert.True(Metrics.Sqnr(expected, actual) > 30, $"SQNR {Metrics.Sqnr(expected, actual):F1} dB");
        Assert.True(expected.Zip(inputs.Inputs[0].Values).All(p => Math.Abs(p.First - Math.Sin(p.Second)) < 0.05), "the float demo model fits sin(x)");

        // `run` takes the float input.npy and gives int8 outputs with the recorded scale.
        (exit, output, error) = Cli("run", Temp("sine.nq"), "--input", Sample("input.npy"), "--output", Temp("y.npy"));
        Assert.True(exit == 0, error);
        Assert.Equal(NpyType.Int8, NpyArray.Load(Temp("y.npy")).Type);
    }

    [Fact]
    public void Float_io_keeps_float_edges()
    {
        var (exit, _, error) = Cli("convert", Sample("sine_float.tflite"), "-c", Sample("calibration.npy"), "-o", Temp("sine.nq"), "--io", "float", "--method", "mse");
        Assert.True(exit == 0, error);
        (exit, _, error) = Cli("run", Temp("sine.nq"), "--input", Sample("input.npy"), "--output", Temp("y.npy"));
        Assert.True(exit == 0, error);
        var y = NpyArray.Load(Temp("y.npy"));
        Assert.Equal(NpyType.Float32, y.Type);
        Assert.True(Math.Abs(y.ToFloats()[1] - Math.Sin(2 * Math.PI * 1.5 / 8)) < 0.05);
    }

    [Fact]
    public void Sample_command_regenerates_the_committed_demo_files()
    {
        var (exit, output, error) = Cli("sample", "sine", "-o", _folder);
        Assert.True(exit == 0, error);
        Assert.Contains("training MSE", output);
        foreach (string file in new[] { "sine_float.tflite", "calibration.npy", "input.npy" })
        {
            Assert.True(File.ReadAllBytes(Sample(file)).AsSpan().SequenceEqual(File.ReadAllBytes(Temp(file))), $"{file} differs from samples/sine/{file}");
        }

        Assert.True(SineSample.Create().TrainingLoss < 1e-3);
    }

    public static TheoryData<string, string> BadCalibrations() => new()
    {
        { "shape", "must be (N, 1)" },
        { "bool", "is bool" },
        { "uint8", "--input-scale" },
        { "empty", "holds no samples" },
        { "nan", "is NaN" },
        { "inf", "must be finite" },
        { "missing", "does not exist" },
    };

    [Theory]
    [MemberData(nameof(BadCalibrations))]
    public void Bad_calibration_data_gets_one_clear_error_and_no_output(string kind, string message)
    {
        string data = Temp(kind + ".npy");
        NpyArray? array = kind switch
        {
            "shape" => NpyArray.FromFloats(new float[10], [5, 2]),
            "bool" => new NpyArray(NpyType.Bool, [3, 1], new byte[3]),
            "uint8" => new NpyArray(NpyType.UInt8, [3, 1], new byte[3]),
            "empty" => NpyArray.FromFloats([], [0, 1]),
            "nan" => NpyArray.FromFloats([1f, float.NaN], [2, 1]),
            "inf" => NpyArray.FromFloats([float.NegativeInfinity, 1f], [2, 1]),
            _ => null,
        };
        if (array is not null)
        {
            File.WriteAllBytes(data, array.ToBytes());
        }

        AssertOneErrorNoOutput(message, "convert", Sample("sine_float.tflite"), "--calibration", data, "-o", Temp("out.nq"), "--report", Temp("r.md"), "--save-tflite", Temp("q.tflite"));
    }

    [Fact]
    public void Bad_models_get_one_clear_error_and_no_output()
    {
        string nanWeights = Temp("nan.tflite");
        File.WriteAllBytes(nanWeights, TfLiteWriter.Write(SyntheticModels.Build(b => b.Outputs(b.FullyConnected(b.Input([1, 1]), 2, weight: float.NaN)))));
        string exp = Temp("exp.tflite");
        File.WriteAllBytes(exp, TfLiteWriter.Write(SyntheticModels.Build(b => b.Outputs(b.Unary(BuiltinOperator.Exp, b.Input([1, 1]))))));
        string data = Sample("calibration.npy");

        AssertOneErrorNoOutput("NaN", "convert", nanWeights, "--calibration", data, "-o", Temp("out.nq"));
        AssertOneErrorNoOutput("EXP", "convert", exp, "--calibration", data, "-o", Temp("out.nq"));
        AssertOneErrorNoOutput("already quantized", "convert", SharedResources.ModelPath("hello_world_int8"), "--calibration", data, "-o", Temp("out.nq"));
        AssertOneErrorNoOutput("does not exist", "convert", Sample("sine_float.tflite"), "--calibration", data, "-o", Path.Combine(_folder, "no", "out.nq"));
        AssertOneErrorNoOutput("--input-offset go together", "convert", Sample("sine_float.tflite"), "--calibration", data, "-o", Temp("out.nq"), "--input-scale", "1");
    }

    [Fact]
    public void Eval_prints_int8_and_float_top1_side_by_side()
    {
        // A 3-class linear classifier; labels are the float model's own answers.
        var model = SyntheticModels.Build(b => b.Outputs(b.FullyConnected(b.Input([1, 4]), 3)));
        string modelPath = Temp("classifier.tflite");
        File.WriteAllBytes(modelPath, TfLiteWriter.Write(model));
        var random = new Random(7);
        var x = Enumerable.Range(0, 400).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        File.WriteAllBytes(Temp("x.npy"), NpyArray.FromFloats(x, [100, 4]).ToBytes());
        var floatModel = FloatModel.Create(model);
        var samples = SampleSet.Load(InputSpec.Of(model), [Temp("x.npy")]);
        var labels = Metrics.ArgMax(BatchRunner.RunFloat(floatModel, samples)[0], 3);
        File.WriteAllBytes(Temp("y.npy"), new NpyArray(NpyType.Int64, [100], labels.SelectMany(l => BitConverter.GetBytes((long)l)).ToArray()).ToBytes());

        var (exit, _, error) = Cli("convert", modelPath, "--calibration", Temp("x.npy"), "-o", Temp("classifier.nq"));
        Assert.True(exit == 0, error);
        (exit, string output, error) = Cli("eval", Temp("classifier.nq"), "--input", Temp("x.npy"), "--labels", Temp("y.npy"), "--float", modelPath, "--skip", "20", "--format", "md");
        Assert.True(exit == 0, error);
        Assert.Contains("80 samples", output);
        Assert.Contains("| classifier.nq (int8) |", output);
        Assert.Contains("| classifier.tflite (float) | 100.00% | 80/80 |", output);
        Assert.Contains("int8 and float agree on", output);

        File.WriteAllBytes(Temp("short.npy"), new NpyArray(NpyType.Int32, [50], new byte[200]).ToBytes());
        AssertOneErrorNoOutput("50 labels for 100 samples", "eval", Temp("classifier.nq"), "--input", Temp("x.npy"), "--labels", Temp("short.npy"));
    }

    [Fact]
    public void Bench_quantize_prints_a_row_per_model()
    {
        var (exit, output, error) = Cli("bench-quantize", "--shared", SharedResources.Root, "--model", "hello_world_float", "--model", "ad01_fp32", "--samples", "20", "--format", "md");
        Assert.True(exit == 0, error);
        Assert.Contains("| hello_world_float | 20 |", output);
        Assert.Contains("| ad01_fp32 | 20 |", output);
    }

    private void AssertOneErrorNoOutput(string message, params string[] args)
    {
        var before = Directory.GetFiles(_folder).ToHashSet();
        var (exit, output, error) = Cli(args);
        Assert.Equal(1, exit);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1 && lines[0].StartsWith("error: ", StringComparison.Ordinal), $"expected one error line, got: {error}");
        Assert.Contains(message, lines[0]);
        Assert.DoesNotContain("wrote", output);
        Assert.Equal(before, Directory.GetFiles(_folder).ToHashSet());
    }
}
