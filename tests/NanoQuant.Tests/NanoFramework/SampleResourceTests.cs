using System.Globalization;
using NanoQuant.Cli;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Quantization;
using NanoQuant.Host.Runtime;
using NanoQuant.Host.TfLite;
using Xunit.Abstractions;

namespace NanoQuant.Tests.NanoFramework;

/// <summary>
/// The model and input the board samples (hardware/esp32, hardware/stm32) bundle, in
/// hardware/common/Resources: the project's own sine demo (samples/sine, made by `nanoquant sample
/// sine`) quantized with its calibration set into an int8 device model (int8 input and output), as
/// `nanoquant convert samples/sine/sine_float.tflite -c samples/sine/calibration.npy -o sine.nq` does,
/// and the demo's inputs (samples/sine/input.npy) quantized with the model's input scale and zero
/// point. Nothing shipped in hardware/ is derived from ../shared. The test fails when the committed
/// files are stale; regenerate them after a format, quantizer or converter change:
///   NANOQUANT_WRITE_SAMPLE_RESOURCES=1 dotnet test tests/NanoQuant.Tests --filter "FullyQualifiedName~SampleResourceTests"
/// </summary>
public class SampleResourceTests(ITestOutputHelper output)
{
    public const string WriteVariable = "NANOQUANT_WRITE_SAMPLE_RESOURCES";

    public const string ModelFile = "sine.nq";

    public const string InputFile = "sine.input.bin";

    public static readonly string[] Boards = ["esp32", "stm32"];

    internal static string ResourceDirectory => Path.Combine(SharedResources.ProjectRoot, "hardware", "common", "Resources");

    private static string Sample(string file) => Path.Combine(SharedResources.ProjectRoot, "samples", "sine", file);

    /// <summary>Full-integer post-training quantization of the sine demo with the converter's defaults (min/max ranges, int8 edges).</summary>
    internal static PostTrainingResult Quantize()
    {
        var floatModel = PostTrainingQuantizer.Prepare(TfLiteReader.ReadFile(Sample("sine_float.tflite")));
        var calibration = SampleSet.Load(InputSpec.Of(floatModel.Model), [Sample("calibration.npy")]);
        return PostTrainingQuantizer.Run(floatModel, calibration, new CalibrationOptions(), new QuantizerOptions());
    }

    /// <summary>The demo's inputs (x in [0, 2π)), one int8 byte per sample, quantized as TFLite's QUANTIZE does.</summary>
    internal static byte[] QuantizeInputs(byte[] model)
    {
        using var interpreter = new Interpreter(model);
        var input = interpreter.GetInput(0);
        float[] x = NpyArray.Load(Sample("input.npy")).ToFloats();
        Assert.Equal(0, x.Length % input.Length);
        return x.Select(v => unchecked((byte)EdgeConversion.Quantize(v, input.Scale, input.ZeroPoint))).ToArray();
    }

    /// <summary>Every generated file: name in hardware/common/Resources → bytes.</summary>
    internal static SortedDictionary<string, byte[]> Generate()
    {
        byte[] model = Quantize().Conversion.Bytes;
        return new SortedDictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [ModelFile] = model,
            [InputFile] = QuantizeInputs(model),
        };
    }

    [Fact]
    public void The_bundled_resources_are_generated_from_the_sine_demo_and_up_to_date()
    {
        var files = Generate();
        bool write = Environment.GetEnvironmentVariable(WriteVariable) == "1";
        var stale = new List<string>();
        foreach (var (name, bytes) in files)
        {
            string path = Path.Combine(ResourceDirectory, name);
            if (write)
            {
                Directory.CreateDirectory(ResourceDirectory);
                File.WriteAllBytes(path, bytes);
            }

            if (!File.Exists(path) || !File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes))
            {
                stale.Add(name);
            }
        }

        var unexpected = Directory.EnumerateFiles(ResourceDirectory).Select(Path.GetFileName).Except(files.Keys).ToList();
        Assert.True(stale.Count == 0, $"hardware/common/Resources is out of date ({string.Join(", ", stale)}); regenerate with {WriteVariable}=1 dotnet test tests/NanoQuant.Tests --filter \"FullyQualifiedName~SampleResourceTests\"");
        Assert.True(unexpected.Count == 0, "unexpected files in hardware/common/Resources: " + string.Join(", ", unexpected));
    }

    [Fact]
    public void Quantization_is_deterministic_and_equals_the_command_line_conversion()
    {
        byte[] first = Quantize().Conversion.Bytes;
        byte[] second = Quantize().Conversion.Bytes;
        Assert.Equal(first, second);

        string folder = Directory.CreateTempSubdirectory("nq-sample").FullName;
        try
        {
            string target = Path.Combine(folder, ModelFile);
            var stdout = new StringWriter();
            var error = new StringWriter();
            int exit = CliApp.Run(["convert", Sample("sine_float.tflite"), "--calibration", Sample("calibration.npy"), "-o", target], stdout, error);
            Assert.True(exit == 0, error.ToString());
            Assert.Equal(first, File.ReadAllBytes(target));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_bundled_model_takes_and_gives_int8_and_approximates_the_sine()
    {
        byte[] model = File.ReadAllBytes(Path.Combine(ResourceDirectory, ModelFile));
        byte[] inputs = File.ReadAllBytes(Path.Combine(ResourceDirectory, InputFile));
        using var interpreter = new Interpreter(model);
        Assert.Equal(1, interpreter.InputCount);
        Assert.Equal(1, interpreter.OutputCount);
        var input = interpreter.GetInput(0);
        var result = interpreter.GetOutput(0);
        Assert.Equal(NanoQuant.Format.TensorType.Int8, input.Type);
        Assert.Equal(NanoQuant.Format.TensorType.Int8, result.Type);
        Assert.False(input.WasFloatInput);
        Assert.False(result.WasFloatOutput);
        Assert.Equal(1, input.Length);
        Assert.Equal(1, result.Length);
        Assert.Equal(8, inputs.Length);

        foreach (var (x, y) in Run(model, inputs))
        {
            Assert.InRange(x, 0f, (float)(2 * Math.PI));
            Assert.True(Math.Abs(y - Math.Sin(x)) < 0.1, $"y({x}) = {y}, sin = {Math.Sin(x)}");
        }
    }

    /// <summary>
    /// The bundled model and input are what the board samples reference (and nothing from the test
    /// project or ../shared is), and the guide's example output holds the lines hardware/common/ModelDemo.cs
    /// prints for them (computed here on desktop with the same runtime and the same formatting).
    /// </summary>
    [Fact]
    public void The_board_samples_bundle_the_sine_model_and_the_guide_shows_its_output()
    {
        foreach (string board in Boards)
        {
            string dir = Path.Combine(SharedResources.ProjectRoot, "hardware", board);
            string resx = File.ReadAllText(Path.Combine(dir, "Resources.resx"));
            Assert.Contains(@"<value>..\common\Resources\" + ModelFile + ";System.Byte[]", resx);
            Assert.Contains(@"<value>..\common\Resources\" + InputFile + ";System.Byte[]", resx);
            Assert.DoesNotContain(@"..\..\tests", resx);
            Assert.DoesNotContain("shared", resx);
            string program = File.ReadAllText(Path.Combine(dir, "Program.cs"));
            Assert.Contains(":\\\\" + ModelFile + "\";", program);
        }

        byte[] model = File.ReadAllBytes(Path.Combine(ResourceDirectory, ModelFile));
        byte[] inputs = File.ReadAllBytes(Path.Combine(ResourceDirectory, InputFile));
        string guide = File.ReadAllText(Path.Combine(SharedResources.ProjectRoot, "hardware", "README.md"));
        using var interpreter = new Interpreter(model);
        foreach (string line in ExpectedLines(interpreter, model.Length, inputs))
        {
            output.WriteLine(line);
        }

        foreach (string line in ExpectedLines(interpreter, model.Length, inputs))
        {
            Assert.Contains(line, guide);
        }
    }

    /// <summary>The model-dependent lines ModelDemo prints (board-dependent figures excluded).</summary>
    internal static IEnumerable<string> ExpectedLines(Interpreter interpreter, int fileBytes, byte[] inputs)
    {
        yield return @"loading I:\" + ModelFile + " (" + fileBytes + " bytes) into RAM";
        yield return ": " + interpreter.OperatorCount + " operators, arena " + interpreter.ArenaBytes + " bytes, int8 weights in RAM "
            + interpreter.ConstantPoolBytes + " bytes, weight buffer 0 bytes";
        var input = interpreter.GetInput(0);
        var output = interpreter.GetOutput(0);
        for (int s = 0; s < inputs.Length; s++)
        {
            sbyte q = unchecked((sbyte)inputs[s]);
            input.SetInt8(0, q);
            interpreter.Invoke();
            float x = input.Scale * (q - input.ZeroPoint);
            float y = output.Scale * (output.GetInt8(0) - output.ZeroPoint);
            yield return "x = " + F4(x) + " (int8 " + q + ") -> y = " + F4(y) + " (int8 " + output.GetInt8(0) + ")";
        }

        yield return "(average of 100 runs, " + interpreter.MacCount + " MACs)";
    }

    private static string F4(float value) => value.ToString("F4", CultureInfo.InvariantCulture);

    /// <summary>Runs the model on each one-byte input; the dequantized (x, y) pairs.</summary>
    private static List<(float X, float Y)> Run(byte[] model, byte[] inputs)
    {
        using var interpreter = new Interpreter(model);
        var input = interpreter.GetInput(0);
        var output = interpreter.GetOutput(0);
        var result = new List<(float, float)>();
        foreach (byte b in inputs)
        {
            sbyte q = unchecked((sbyte)b);
            input.SetInt8(0, q);
            interpreter.Invoke();
            result.Add((EdgeConversion.Dequantize(q, input.Scale, input.ZeroPoint),
                EdgeConversion.Dequantize(output.GetInt8(0), output.Scale, output.ZeroPoint)));
        }

        return result;
    }
}
