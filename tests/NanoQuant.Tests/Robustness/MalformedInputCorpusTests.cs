using System.Text;
using NanoQuant.Cli;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.Fuzzing;
using NanoQuant.Host.Npy;

namespace NanoQuant.Tests.Robustness;

/// <summary>
/// A corpus of malformed .tflite and .npy files, generated here from valid ones: the command line
/// answers each with exactly one "error:" line and exit code 1, and leaves the output path untouched.
/// </summary>
public sealed class MalformedInputCorpusTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("nanoquant-corpus-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static IEnumerable<(string Name, byte[] Bytes)> TfLiteCorpus()
    {
        byte[] valid = File.ReadAllBytes(SharedResources.ModelPath("hello_world_int8"));
        yield return ("empty", []);
        yield return ("text", Encoding.ASCII.GetBytes("this is not a model\n"));
        yield return ("header only", valid[..8]);
        yield return ("half", valid[..(valid.Length / 2)]);
        var badRoot = (byte[])valid.Clone();
        BitConverter.GetBytes(int.MaxValue).CopyTo(badRoot, 0);
        yield return ("root offset out of range", badRoot);
        var mutator = new Mutator(7);
        int produced = 0;
        for (int i = 0; produced < 40 && i < 10_000; i++)
        {
            byte[] mutant = mutator.Mutate(valid, out string description);
            if (!Converts(mutant))
            {
                produced++;
                yield return ($"mutant {i}: {description}", mutant);
            }
        }

        yield return ("float LSTM model without calibration", File.ReadAllBytes(SharedResources.ModelPath("trained_lstm")));
        yield return ("hybrid model", File.ReadAllBytes(SharedResources.ModelPath("kws_ref_model_float32")));
    }

    private static bool Converts(byte[] model)
    {
        try
        {
            Converter.Convert(Host.TfLite.TfLiteReader.Read(model));
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }

    public static IEnumerable<(string Name, byte[] Bytes)> NpyCorpus()
    {
        byte[] valid = File.ReadAllBytes(Path.Combine(SharedResources.Golden, "hello_world_int8", "input_0_0.npy"));
        yield return ("empty", []);
        yield return ("bad magic", [.. "NOTNPY"u8, .. valid[6..]]);
        yield return ("truncated header", valid[..12]);
        yield return ("short data", valid[..^1]);
        yield return ("extra data", [.. valid, 0]);
        yield return ("unsupported dtype", new NpyArray(NpyType.Int16, [1, 1], new byte[2]).ToBytes());
        yield return ("wrong shape", NpyArray.FromSBytes([1, 2, 3], [1, 3]).ToBytes());
        yield return ("fortran order", Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(valid).Replace("'fortran_order': False", "'fortran_order': True ")));
        yield return ("version 9", [.. valid[..6], 9, .. valid[7..]]);
        var hugeLength = (byte[])valid.Clone();
        hugeLength[8] = 0xFF;
        hugeLength[9] = 0xFF;
        yield return ("header length past end", hugeLength);
    }

    [Fact]
    public void Every_malformed_tflite_gets_one_error_line_and_no_output()
    {
        int count = 0;
        foreach (var (name, bytes) in TfLiteCorpus())
        {
            string model = Path.Combine(_directory, "bad.tflite");
            File.WriteAllBytes(model, bytes);
            AssertFailsCleanly(["convert", model, "-o", "{out}"], name);
            count++;
        }

        Assert.True(count >= 45, $"corpus has {count} files");
    }

    [Fact]
    public void Every_malformed_npy_gets_one_error_line_and_no_output()
    {
        string model = Path.Combine(_directory, "model.nq");
        File.WriteAllBytes(model, Converter.ConvertFile(SharedResources.ModelPath("hello_world_int8")).Bytes);
        foreach (var (name, bytes) in NpyCorpus())
        {
            string input = Path.Combine(_directory, "bad.npy");
            File.WriteAllBytes(input, bytes);
            AssertFailsCleanly(["run", model, "--input", input, "--output", "{out}"], name);
        }
    }

    [Fact]
    public void A_corrupted_device_model_gets_one_error_line_and_no_output()
    {
        byte[] model = Converter.ConvertFile(SharedResources.ModelPath("hello_world_int8")).Bytes;
        model[^1] ^= 1;
        string path = Path.Combine(_directory, "bad.nq");
        File.WriteAllBytes(path, model);
        string input = Path.Combine(SharedResources.Golden, "hello_world_int8", "input_0_0.npy");
        string error = AssertFailsCleanly(["run", path, "--input", input, "--output", "{out}"], "corrupted .nq");
        Assert.Contains("checksum", error);
        AssertFailsCleanly(["inspect", path], "corrupted .nq inspect");
    }

    [Fact]
    public void Wrong_arguments_get_clear_errors()
    {
        string model = Path.Combine(_directory, "model.nq");
        File.WriteAllBytes(model, Converter.ConvertFile(SharedResources.ModelPath("hello_world_int8")).Bytes);
        string input = Path.Combine(SharedResources.Golden, "hello_world_int8", "input_0_0.npy");
        Assert.Contains("2 given", AssertFailsCleanly(["run", model, "--input", input, "--input", input], "two inputs for one"), StringComparison.Ordinal);
        Assert.Contains("does not exist", AssertFailsCleanly(["run", Path.Combine(_directory, "missing.nq"), "--input", input], "missing model"), StringComparison.Ordinal);
        Assert.Contains("does not exist", AssertFailsCleanly(["convert", Path.Combine(_directory, "missing.tflite"), "-o", "{out}"], "missing tflite"), StringComparison.Ordinal);
        AssertFailsCleanly(["convert", SharedResources.ModelPath("hello_world_int8"), "-o", Path.Combine(_directory, "no-such-folder", "x.nq")], "missing output folder");
    }

    /// <summary>Runs the CLI twice (output absent, output pre-existing) and checks exit code, one error line, untouched output.</summary>
    private string AssertFailsCleanly(string[] args, string what)
    {
        string output = Path.Combine(_directory, "out.bin");
        string lastError = "";
        foreach (bool preexisting in new[] { false, true })
        {
            File.Delete(output);
            if (preexisting)
            {
                File.WriteAllText(output, "sentinel");
            }

            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int code = CliApp.Run(args.Select(a => a.Replace("{out}", output)).ToArray(), stdout, stderr);
            string[] lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(code != 0, $"{what}: exit code 0");
            Assert.True(lines.Length == 1 && lines[0].StartsWith("error: ", StringComparison.Ordinal), $"{what}: stderr was '{stderr}'");
            Assert.Equal(preexisting, File.Exists(output));
            if (preexisting)
            {
                Assert.Equal("sentinel", File.ReadAllText(output));
            }

            Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));
            lastError = lines[0];
        }

        return lastError;
    }
}
