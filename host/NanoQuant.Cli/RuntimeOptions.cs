using System.CommandLine;
using NanoQuant.Host.NanoClr;
using NanoQuant.Host.Runtime;

namespace NanoQuant.Cli;

/// <summary>
/// `--runtime` and the options that configure a nanoCLR runtime (`--kernels`, `--nanoclr-kit`, `--nanoclr`), as
/// `run`, `eval` and `validate` take them; <see cref="Create"/> gives the chosen <see cref="IModelRuntime"/>.
/// </summary>
internal sealed class RuntimeOptions
{
    public Option<string> Runtime { get; } = CreateRuntime();

    public Option<string> Kernels { get; } = BoardKernelsOption.Create();

    public Option<DirectoryInfo> Kit { get; } = new("--nanoclr-kit") { Description = $"nanoCLR kit folder for --runtime nanoclr (default: ${NanoClrOptions.KitVariable}, else ../shared/nanoclr beside the repository)" };

    public Option<FileInfo> NanoClr { get; } = new("--nanoclr") { Description = $"nanoCLR executable for --runtime nanoclr, e.g. your own build (default: ${NanoClrOptions.NanoClrVariable}, else the kit's bin/nanoclr)" };

    /// <summary>The options, to add to a command.</summary>
    public IEnumerable<Option> All => [Runtime, Kernels, Kit, NanoClr];

    /// <summary>The runtime name given (dotnet by default).</summary>
    public string Name(ParseResult parse) => parse.GetValue(Runtime)!;

    /// <summary>The runtime the options choose; nanoCLR's messages (building firmware, booting a board) go to stderr.</summary>
    public IModelRuntime Create(ParseResult parse, CliConsole console)
    {
        var (native, cmsisNn) = BoardKernelsOption.Resolve(parse, Kernels, Name(parse));
        return ModelRuntimes.Create(Name(parse), new NanoClrOptions
        {
            KitDirectory = parse.GetValue(Kit)?.FullName,
            NanoClrPath = parse.GetValue(NanoClr)?.FullName,
            NativeKernels = native,
            CmsisNn = cmsisNn,
            Progress = message => console.Error.WriteLine(message),
        });
    }

    private static Option<string> CreateRuntime()
    {
        var runtime = new Option<string>("--runtime") { Description = "where the device runtime runs: dotnet (in this process), nanoclr (nanoFramework's real interpreter, from the nanoCLR kit) nanoclr-native (nanoCLR built with the native C kernels: built on first use, then cached), or cortex-m7 / cortex-m4 (nanoCLR firmware on an emulated STM32-class board in QEMU: built on first use, then cached; times are instruction counts)", DefaultValueFactory = _ => ModelRuntimes.DotNet };
        runtime.AcceptOnlyFromAmong([.. ModelRuntimes.Names]);
        return runtime;
    }
}
