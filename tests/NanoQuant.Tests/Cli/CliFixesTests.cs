using System.CommandLine;
using System.Text.RegularExpressions;
using NanoQuant.Cli;
using NanoQuant.Host.Npy;

namespace NanoQuant.Tests.Cli;

/// <summary>Behaviours that were wrong: int8 data in eval, silent successes, late or cryptic errors, option names, docs.</summary>
public sealed class CliFixesTests : CliHarness
{
    private static string Kws(string file) => Path.Combine(SharedResources.Data, "kws", file);

    [Fact]
    public void Eval_takes_int8_data_as_already_quantized_like_run()
    {
        // The same 901/1000 as TFLM's reference kernels (KwsAccuracyTests), from the .tflite and from the .nq.
        string output = Ok("eval", SharedResources.ModelPath("kws_ref_model_int8"), "--input", Kws("features_int8.npy"), "--labels", Kws("labels.npy"), "--format", "md");
        Assert.Contains($"| {KwsAccuracyTests.ReferenceCorrect / 10.0:F2}% | {KwsAccuracyTests.ReferenceCorrect}/1000 |", output);

        Ok("convert", SharedResources.ModelPath("kws_ref_model_int8"), "-o", Temp("kws.nq"));
        output = Ok("eval", Temp("kws.nq"), "--input", Kws("features_int8.npy"), "--labels", Kws("labels.npy"), "--skip", "900");
        Assert.Contains("100 samples (features_int8.npy 900..999)", output);

        // With the float model side by side, the int8 data is dequantized with the device model's input scale.
        output = Ok("eval", Temp("kws.nq"), "--input", Kws("features_int8.npy"), "--labels", Kws("labels.npy"), "--float", SharedResources.ModelPath("kws_ref_model_float32"), "--count", "200", "--format", "md");
        var match = Regex.Match(output, @"kws_ref_model_float32\.tflite \(float\) \| [0-9.]+% \| (\d+)/200 \|");
        Assert.True(match.Success, output);
        Assert.InRange(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 160, 200);
    }

    [Fact]
    public void Eval_refuses_labels_outside_the_models_classes()
    {
        var labels = NpyArray.Load(Kws("labels.npy"));
        long[] values = labels.ToInt64s();
        values[37] = 12;
        File.WriteAllBytes(Temp("labels12.npy"), new NpyArray(NpyType.Int64, labels.Shape, values.SelectMany(BitConverter.GetBytes).ToArray()).ToBytes());
        string line = AssertOneError("label 12 of sample 37", "eval", SharedResources.ModelPath("kws_ref_model_int8"), "--input", Kws("features_int8.npy"), "--labels", Temp("labels12.npy"));
        Assert.Contains("12 classes (0..11)", line);
    }

    [Fact]
    public void Eval_refuses_more_samples_than_the_data_holds()
    {
        AssertOneError("--count 2000, but the data holds 1000 samples", "eval", SharedResources.ModelPath("kws_ref_model_int8"), "--input", Kws("features_int8.npy"), "--labels", Kws("labels.npy"), "--count", "2000");
        AssertOneError("--count 200, but after --skip 900 the data holds 100 samples", "eval", SharedResources.ModelPath("kws_ref_model_int8"), "--input", Kws("features_int8.npy"), "--labels", Kws("labels.npy"), "--skip", "900", "--count", "200");
    }

    [Fact]
    public void Eval_checks_the_float_model_fits_before_running_anything()
    {
        Ok("convert", SharedResources.ModelPath("kws_ref_model_int8"), "-o", Temp("kws.nq"));
        string line = AssertOneError("--float model 'hello_world_float.tflite' does not fit device model 'kws.nq'", "eval", Temp("kws.nq"),
            "--input", Kws("features_int8.npy"), "--labels", Kws("labels.npy"), "--float", SharedResources.ModelPath("hello_world_float"));
        Assert.Contains("input 0 is (1, 1) in the float model and (1, 49, 10, 1) in the device model", line);
        AssertOneError("is not a float model", "eval", Temp("kws.nq"), "--input", Kws("features_int8.npy"), "--labels", Kws("labels.npy"), "--float", SharedResources.ModelPath("kws_ref_model_int8"));
    }

    [Fact]
    public void Convert_refuses_quantization_options_for_a_model_it_does_not_quantize()
    {
        AssertOneError(["--io applies only when quantizing a float model with --calibration", "already quantized"],
            "convert", SharedResources.ModelPath("hello_world_int8"), "--io", "float", "-o", Temp("hw.nq"));
        AssertOneError(["--method, --samples apply only", "add --calibration"],
            "convert", Sample("sine_float.tflite"), "--method", "mse", "--samples", "10", "-o", Temp("sine.nq"));
        AssertOneError("--report applies only", "convert", SharedResources.ModelPath("hello_world_int8"), "--report", Temp("r.md"), "-o", Temp("hw.nq"));
    }

    [Fact]
    public void Convert_refuses_more_calibration_samples_than_the_data_holds()
    {
        AssertOneError("--samples 501, but the calibration data holds 500 samples",
            "convert", Sample("sine_float.tflite"), "--calibration", Sample("calibration.npy"), "--samples", "501", "-o", Temp("sine.nq"));
        Assert.Contains("with 500 samples", Ok("convert", Sample("sine_float.tflite"), "--calibration", Sample("calibration.npy"), "--samples", "500", "-o", Temp("sine.nq")));
    }

    [Fact]
    public void Output_names_must_match_what_is_written()
    {
        AssertOneError(["--output", "x.tflite' would hold a device model", "name it x.nq"], "convert", SharedResources.ModelPath("hello_world_int8"), "-o", Temp("x.tflite"));
        AssertOneError(["--save-tflite", "name it q.tflite"], "convert", Sample("sine_float.tflite"), "-c", Sample("calibration.npy"), "-o", Temp("s.nq"), "--save-tflite", Temp("q.nq"));
        Ok("convert", SharedResources.ModelPath("hello_world_int8"), "-o", Temp("hw.nq"));
        AssertOneError(["--output", "name it y.npy"], "run", Temp("hw.nq"), "--input", Path.Combine(SharedResources.Golden, "hello_world_int8", "input_0_0.npy"), "-o", Temp("y.nq"));
    }

    [Fact]
    public void Bench_fails_when_a_model_does_not_convert_but_measures_the_others()
    {
        var (exit, output, error) = Cli("bench", "--shared", SharedResources.Root, "-m", "hello_world_float", "-m", "hello_world_int8", "--seconds", "0.01", "--format", "md");
        Assert.Equal(1, exit);
        Assert.Contains("| hello_world_int8 | 288 |", output);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: 1 of 2 model(s) could not be benchmarked: hello_world_float (", lines[0]);
        Assert.Contains("float model", lines[0]);
    }

    [Fact]
    public void Files_of_the_wrong_kind_get_errors_that_name_the_file_and_say_what_to_do()
    {
        Directory.CreateDirectory(Temp("folder"));
        File.WriteAllBytes(Temp("truncated.tflite"), File.ReadAllBytes(SharedResources.ModelPath("hello_world_int8"))[..500]);
        Ok("convert", SharedResources.ModelPath("hello_world_int8"), "-o", Temp("hw.nq"));
        string input = Path.Combine(SharedResources.Golden, "hello_world_int8", "input_0_0.npy");

        AssertOneError(["model", "folder' is a folder"], "convert", Temp("folder"), "-o", Temp("x.nq"));
        AssertOneError(["model", "folder' is a folder"], "run", Temp("folder"), "--input", input);
        AssertOneError(["--output", "folder' is a folder", "give a file name"], "convert", SharedResources.ModelPath("hello_world_int8"), "-o", Temp("folder"));
        AssertOneError(["--input", "folder' is a folder"], "run", Temp("hw.nq"), "--input", Temp("folder"));
        AssertOneError(["truncated.tflite' is a damaged TensorFlow Lite model", "truncated"], "convert", Temp("truncated.tflite"), "-o", Temp("x.nq"));
        AssertOneError("truncated.tflite' is a damaged TensorFlow Lite model", "inspect", Temp("truncated.tflite"));
        AssertOneError(["hw.nq' is a nanoQuant device model (.nq), not a TensorFlow Lite model", "give the .tflite"], "convert", Temp("hw.nq"), "-o", Temp("x.nq"));
        AssertOneError(["is a TensorFlow Lite model, not a nanoQuant device model", "nanoquant convert hello_world_int8.tflite -o hello_world_int8.nq"], "run", SharedResources.ModelPath("hello_world_int8"), "--input", input);
        AssertOneError(["--input", "is a TensorFlow Lite model, not a NumPy .npy file"], "run", Temp("hw.nq"), "--input", SharedResources.ModelPath("hello_world_int8"));
        AssertOneError(["--float model", "hw.nq' is a nanoQuant device model (.nq)"], "eval", Temp("hw.nq"), "--input", input, "--labels", input, "--float", Temp("hw.nq"));
        AssertOneError(["--calibration", "is a TensorFlow Lite model"], "convert", Sample("sine_float.tflite"), "-c", Sample("sine_float.tflite"), "-o", Temp("s.nq"));
    }

    [Fact]
    public void An_unwritable_output_names_the_target_not_a_temporary_file()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // /sys refuses new files on Linux, even to root.
        }

        AssertOneError(["cannot write '/sys/hw.nq' (permission denied)", "folder '/sys' is writable"], "convert", SharedResources.ModelPath("hello_world_int8"), "-o", "/sys/hw.nq");
    }

    [Fact]
    public void Every_short_option_means_the_same_long_option_in_every_command()
    {
        var meanings = new Dictionary<string, HashSet<string>>();
        foreach (var command in CliApp.BuildRoot(new CliConsole(TextWriter.Null, TextWriter.Null)).Subcommands)
        {
            foreach (var option in command.Options)
            {
                foreach (string alias in option.Aliases)
                {
                    meanings.TryAdd(alias, []);
                    meanings[alias].Add(option.Name);
                }
            }
        }

        Assert.Equal(["--model"], meanings["-m"]);
        var ambiguous = meanings.Where(m => m.Value.Count > 1).Select(m => $"{m.Key}: {string.Join(", ", m.Value)}").ToList();
        Assert.True(ambiguous.Count == 0, string.Join("; ", ambiguous));
    }

    [Fact]
    public void Readme_lists_every_command_and_docs_have_a_page_per_operator()
    {
        string readme = File.ReadAllText(Path.Combine(SharedResources.ProjectRoot, "README.md"));
        foreach (var command in CliApp.BuildRoot(new CliConsole(TextWriter.Null, TextWriter.Null)).Subcommands)
        {
            Assert.Contains($"\nnanoquant {command.Name} ", readme);
            Assert.Contains($"`{command.Name}`", readme.Split('\n').Single(l => l.StartsWith("| `host/NanoQuant.Cli`", StringComparison.Ordinal)));
        }

        // Every operator README names is documented: a page whose text names it, and a page per device kernel.
        string operators = Regex.Match(readme, @"## Operators\s+(.*?)SAME/VALID", RegexOptions.Singleline).Groups[1].Value;
        var names = Regex.Matches(operators, @"\b[A-Z][A-Z0-9_]*[A-Z0-9]\b").Select(m => m.Value).Where(n => n != "int8").Distinct().ToList();
        Assert.Contains("FULLY_CONNECTED", names);
        Assert.True(names.Count >= 25, string.Join(" ", names));
        string kernelDocs = Path.Combine(SharedResources.ProjectRoot, "docs", "kernels");
        var pages = Directory.GetFiles(kernelDocs, "*.md").ToDictionary(p => Path.GetFileNameWithoutExtension(p), File.ReadAllText);
        foreach (string name in names)
        {
            Assert.True(pages.Values.Any(text => Regex.IsMatch(text, $@"\b{name}\b")), $"no page in docs/kernels names {name}");
        }

        foreach (string kernel in Directory.GetFiles(Path.Combine(SharedResources.ProjectRoot, "device", "Kernels"), "*Kernel.cs"))
        {
            string source = File.ReadAllText(kernel);
            string type = Path.GetFileNameWithoutExtension(kernel);
            if (source.Contains($"abstract class {type}", StringComparison.Ordinal))
            {
                continue;
            }

            string page = type[..^"Kernel".Length];
            if (page.EndsWith("Int16", StringComparison.Ordinal))
            {
                // The 16x8 kernels share one page, which names each of them.
                Assert.True(pages.TryGetValue("Int16", out string? int16Page) && int16Page.Contains(type, StringComparison.Ordinal), $"docs/kernels/Int16.md does not name {type}");
                continue;
            }

            Assert.True(pages.ContainsKey(page), $"docs/kernels/{page}.md is missing ({type})");
        }

        foreach (string page in new[] { "FullyConnected", "Quantize", "Dequantize" })
        {
            Assert.True(pages.ContainsKey(page), $"docs/kernels/{page}.md is missing");
        }
    }
}
