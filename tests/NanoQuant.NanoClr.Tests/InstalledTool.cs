using System.Diagnostics;
using System.Xml.Linq;

namespace NanoQuant.Tests.NanoClr;

/// <summary>
/// The `nanoquant` tool packed from this checkout (`dotnet pack --no-build`, with the nanoCLR kit) and installed into a
/// temporary folder (`dotnet tool install --tool-path`), and a work folder with no checkout above it: what a user of
/// the installed tool has. Shared by a test class (IClassFixture), so it is packed and installed once.
/// </summary>
public sealed class InstalledTool : IDisposable
{
    /// <summary>The test collection of the classes that pack the tool: one at a time, as two packs of one project would collide.</summary>
    public const string Collection = "packs the nanoquant tool";

    private readonly string _folder = Directory.CreateTempSubdirectory("nanoquant-tool-").FullName;

    public InstalledTool()
    {
        string project = Path.Combine(SharedResources.ProjectRoot, "host", "NanoQuant.Cli", "NanoQuant.Cli.csproj");
        string version = XDocument.Load(project).Descendants("Version").Single().Value;
        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        string packages = Path.Combine(_folder, "packages"), tools = Path.Combine(_folder, "tools");
        Work = Path.Combine(_folder, "work");
        Directory.CreateDirectory(Work);
        Kit = Path.GetFullPath(Environment.GetEnvironmentVariable("NANOQUANT_NANOCLR_KIT") is { Length: > 0 } k ? k : Path.Combine(SharedResources.ProjectRoot, "..", "shared", "nanoclr"));

        Run("dotnet", "pack", project, "-c", configuration, "--no-build", "-o", packages, $"-p:NanoClrKit={Kit}");
        Run("dotnet", "tool", "install", "nanoquant", "--tool-path", tools, "--add-source", packages, "--version", version);
        Tool = Path.Combine(tools, "nanoquant");

        for (var dir = new DirectoryInfo(Work); dir is not null; dir = dir.Parent)
        {
            Assert.False(File.Exists(Path.Combine(dir.FullName, "nanoclr", "build.sh")), $"{Work} is inside a checkout");
        }
    }

    /// <summary>The installed tool's command.</summary>
    public string Tool { get; }

    /// <summary>A folder outside any checkout, the working folder of every run.</summary>
    public string Work { get; }

    /// <summary>The nanoCLR kit the tool was packed with, given to it by --nanoclr-kit (never through the environment).</summary>
    public string Kit { get; }

    /// <summary>Runs <paramref name="file"/> in <see cref="Work"/> and asserts it succeeded; its standard output.</summary>
    public string Run(string file, params string[] args) => Run(file, new Dictionary<string, string>(), args);

    /// <summary>As <see cref="Run(string, string[])"/>, with <paramref name="environment"/> set.</summary>
    public string Run(string file, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var (code, stdout, stderr) = RunRaw(file, environment, args);
        Assert.True(code == 0, $"{file} {string.Join(" ", args)}: exit {code}\n{stdout}\n{stderr}");
        return stdout + stderr;
    }

    /// <summary>Runs <paramref name="file"/> in <see cref="Work"/> without the kit variable in its environment, plus <paramref name="environment"/>.</summary>
    public (int Code, string Out, string Err) RunRaw(string file, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = Work, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment.Remove("NANOQUANT_NANOCLR_KIT");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(20)), $"{file} {string.Join(" ", args)} did not finish");
        return (process.ExitCode, stdout, stderr.Result);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
