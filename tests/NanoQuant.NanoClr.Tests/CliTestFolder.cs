using NanoQuant.Cli;

namespace NanoQuant.Tests.NanoClr;

/// <summary>
/// What the command-line tests on nanoCLR and on the emulated boards share: a temporary folder, the CLI run in
/// process, kws converted once, a stand-in nanoCLR script, and the one-error-line check.
/// </summary>
public abstract class CliTestFolder : IDisposable
{
    protected CliTestFolder(string prefix) => _folder = Directory.CreateTempSubdirectory(prefix).FullName;

    protected readonly string _folder;

    public void Dispose()
    {
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    protected static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>kws_ref_model_int8 converted into the folder (once), its golden input 0, and an output path.</summary>
    protected (string Model, string Input, string Output) Kws()
    {
        string model = Path.Combine(_folder, "kws.nq");
        if (!File.Exists(model))
        {
            Assert.Equal(0, Cli("convert", SharedResources.ModelPath("kws_ref_model_int8"), "-o", model).Code);
        }

        return (model, Path.Combine(SharedResources.Golden, "kws_ref_model_int8", "input_0_0.npy"), Path.Combine(_folder, "out.npy"));
    }

    /// <summary>An executable shell script standing in for nanoCLR (or the board's QEMU wrapper).</summary>
    protected string FakeNanoClr(string name, string body)
    {
        string path = Path.Combine(_folder, name + ".sh");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    /// <summary>Exit 1, one `error:` line containing <paramref name="expected"/>, no output file and no temporary file beside it.</summary>
    protected static void AssertOneError((int Code, string Out, string Err) run, string expected, string output)
    {
        Assert.Equal(1, run.Code);
        var lines = run.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1 && lines[0].StartsWith("error: ", StringComparison.Ordinal), run.Err);
        Assert.Contains(expected, lines[0]);
        Assert.False(File.Exists(output), "an output file was written");
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(output)!, "*.tmp"));
    }
}
