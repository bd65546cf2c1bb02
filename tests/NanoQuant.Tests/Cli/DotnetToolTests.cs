using System.Diagnostics;
using System.Xml.Linq;

namespace NanoQuant.Tests.Cli;

/// <summary>The CLI as a .NET tool: packed as the `nanoquant` package, installed into a tool path, run from there.</summary>
public sealed class DotnetToolTests : CliHarness
{
    [Fact]
    public void Packs_installs_and_runs_as_a_dotnet_tool()
    {
        string project = Path.Combine(SharedResources.ProjectRoot, "host", "NanoQuant.Cli", "NanoQuant.Cli.csproj");
        string version = XDocument.Load(project).Descendants("Version").Single().Value;

        // The tests were built with the CLI in the same configuration: pack that build as it is.
        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        string packages = Temp("packages"), tools = Temp("tools");
        Run("dotnet", Folder, "pack", project, "-c", configuration, "--no-build", "-o", packages);
        Assert.True(File.Exists(Path.Combine(packages, $"nanoquant.{version}.nupkg")), string.Join(", ", Directory.GetFiles(packages)));

        Run("dotnet", Folder, "tool", "install", "nanoquant", "--tool-path", tools, "--add-source", packages, "--version", version);
        string tool = Path.Combine(tools, OperatingSystem.IsWindows() ? "nanoquant.exe" : "nanoquant");
        Assert.StartsWith(version, Run(tool, Folder, "--version").Trim());

        // The installed tool does the README's main job.
        string output = Run(tool, Folder, "convert", Sample("sine_float.tflite"), "--calibration", Sample("calibration.npy"), "--io", "float", "-o", Temp("sine.nq"));
        Assert.Contains("quantized sine_float.tflite with 500 samples", output);
        Assert.Contains("output 0: (8, 1) Float32", Run(tool, Folder, "run", Temp("sine.nq"), "--input", Sample("input.npy")));
    }

    private static string Run(string file, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), $"{file} {string.Join(" ", args)} did not finish");
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(" ", args)}: exit {process.ExitCode}\n{stdout}\n{stderr.Result}");
        return stdout;
    }
}
