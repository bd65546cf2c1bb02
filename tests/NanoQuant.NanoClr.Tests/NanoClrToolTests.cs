using System.Diagnostics;
using System.Xml.Linq;

namespace NanoQuant.Tests.NanoClr;

/// <summary>
/// The packed `nanoquant` tool on nanoCLR outside any checkout: it carries the nanoFramework build (packed by
/// nanoclr/build.sh), so only the kit comes from the user (--nanoclr-kit), and its bytes are those of --runtime dotnet.
/// </summary>
public sealed class NanoClrToolTests : CliTestFolder
{
    public NanoClrToolTests() : base("nanoquant-tool-")
    {
    }

    [Fact]
    public void The_installed_tool_runs_a_model_on_nanoCLR_from_a_folder_outside_the_checkout()
    {
        string project = Path.Combine(SharedResources.ProjectRoot, "host", "NanoQuant.Cli", "NanoQuant.Cli.csproj");
        string version = XDocument.Load(project).Descendants("Version").Single().Value;
        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        string packages = Path.Combine(_folder, "packages"), tools = Path.Combine(_folder, "tools"), work = Path.Combine(_folder, "work");
        Directory.CreateDirectory(work);
        string kit = Path.GetFullPath(Environment.GetEnvironmentVariable("NANOQUANT_NANOCLR_KIT") is { Length: > 0 } k ? k : Path.Combine(SharedResources.ProjectRoot, "..", "shared", "nanoclr"));

        Run("dotnet", work, "pack", project, "-c", configuration, "--no-build", "-o", packages, $"-p:NanoClrKit={kit}");
        Run("dotnet", work, "tool", "install", "nanoquant", "--tool-path", tools, "--add-source", packages, "--version", version);
        string tool = Path.Combine(tools, "nanoquant");

        // A folder with no checkout above it, the model and input copied in, no kit in the environment.
        for (var dir = new DirectoryInfo(work); dir is not null; dir = dir.Parent)
        {
            Assert.False(File.Exists(Path.Combine(dir.FullName, "nanoclr", "build.sh")), $"{work} is inside a checkout");
        }

        File.Copy(Path.Combine(SharedResources.Golden, "kws_ref_model_int8", "input_0_0.npy"), Path.Combine(work, "x.npy"));
        Run(tool, work, "convert", SharedResources.ModelPath("kws_ref_model_int8"), "-o", "kws.nq");
        Run(tool, work, "run", "kws.nq", "--input", "x.npy", "-o", "dotnet.npy");
        string output = Run(tool, work, "run", "kws.nq", "--input", "x.npy", "-o", "nanoclr.npy", "--runtime", "nanoclr", "--nanoclr-kit", kit);
        Assert.Contains("nanoCLR:", output);
        Assert.Equal(File.ReadAllBytes(Path.Combine(work, "dotnet.npy")), File.ReadAllBytes(Path.Combine(work, "nanoclr.npy")));

        // Without a kit: one clear error naming the option.
        var missing = RunRaw(tool, work, "run", "kws.nq", "--input", "x.npy", "--runtime", "nanoclr");
        Assert.Equal(1, missing.Code);
        Assert.StartsWith("error: no nanoCLR kit given: point --nanoclr-kit or NANOQUANT_NANOCLR_KIT", missing.Err.Trim());
    }

    private static string Run(string file, string workingDirectory, params string[] args)
    {
        var (code, stdout, stderr) = RunRaw(file, workingDirectory, args);
        Assert.True(code == 0, $"{file} {string.Join(" ", args)}: exit {code}\n{stdout}\n{stderr}");
        return stdout;
    }

    private static (int Code, string Out, string Err) RunRaw(string file, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment.Remove("NANOQUANT_NANOCLR_KIT");
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(10)), $"{file} {string.Join(" ", args)} did not finish");
        return (process.ExitCode, stdout, stderr.Result);
    }
}
