using NanoQuant.Cli;

namespace NanoQuant.Tests.Cli;

/// <summary>Runs the command line in process, in a temporary folder that each test gets for itself.</summary>
public abstract class CliHarness : IDisposable
{
    protected CliHarness()
    {
        Folder = Directory.CreateTempSubdirectory("nq-cli").FullName;
    }

    protected string Folder { get; }

    public void Dispose()
    {
        Directory.Delete(Folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    protected string Temp(string file) => Path.Combine(Folder, file);

    protected static string Sample(string file) => Path.Combine(SharedResources.ProjectRoot, "samples", "sine", file);

    protected static (int Exit, string Out, string Error) Cli(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = CliApp.Run(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>Runs and checks the command succeeded; returns stdout.</summary>
    protected static string Ok(params string[] args)
    {
        var (exit, output, error) = Cli(args);
        Assert.True(exit == 0, $"exit {exit}: {error}");
        return output;
    }

    /// <summary>
    /// Asserts exit code 1, exactly one `error:` line containing every one of <paramref name="messages"/>,
    /// no .NET wording or temporary file names, and no file written or left in the temporary folder.
    /// </summary>
    protected string AssertOneError(string[] messages, params string[] args)
    {
        var before = Directory.GetFileSystemEntries(Folder).Order().ToList();
        var (exit, output, error) = Cli(args);
        Assert.True(exit == 1, $"exit {exit}; stdout: {output}; stderr: {error}");
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1 && lines[0].StartsWith("error: ", StringComparison.Ordinal), $"expected one error line, got: {error}");
        foreach (string message in messages)
        {
            Assert.Contains(message, lines[0]);
        }

        foreach (string internals in new[] { ".tmp", "Is a directory", "Access to the path", "Could not find", "Exception", "   at " })
        {
            Assert.DoesNotContain(internals, lines[0]);
        }

        Assert.DoesNotContain("wrote", output);
        Assert.Equal(before, Directory.GetFileSystemEntries(Folder).Order().ToList());
        return lines[0];
    }

    protected string AssertOneError(string message, params string[] args) => AssertOneError([message], args);
}
