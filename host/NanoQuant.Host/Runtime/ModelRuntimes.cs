using NanoQuant.Host.NanoClr;

namespace NanoQuant.Host.Runtime;

/// <summary>The runtimes `run` and `bench` offer (`--runtime`), chosen here and nowhere else.</summary>
public static class ModelRuntimes
{
    public const string DotNet = "dotnet";
    public const string NanoClr = "nanoclr";
    public const string NanoClrNative = "nanoclr-native";

    /// <summary>Every runtime name, in the order help lists them.</summary>
    public static readonly IReadOnlyList<string> Names = [DotNet, NanoClr, NanoClrNative, .. NanoClrHost.Boards.Keys];

    /// <summary>Whether runtime <paramref name="name"/> runs in this process (sample by sample: progress per sample, state reset between samples).</summary>
    public static bool RunsInProcess(string name) => name == DotNet;

    /// <summary>Whether <paramref name="name"/> is an emulated board (instruction counts instead of times).</summary>
    public static bool IsBoard(string name) => NanoClrHost.Boards.ContainsKey(name);

    /// <summary>
    /// The nanoCLR settings for runtime <paramref name="name"/>: <paramref name="options"/> (kit, executable, progress,
    /// and for an emulated board its firmware's kernels) with the native kernels for <see cref="NanoClrNative"/> and the
    /// board for an emulated one.
    /// </summary>
    public static NanoClrOptions NanoClrOptions(string name, NanoClrOptions? options = null)
    {
        var given = options ?? new NanoClrOptions();
        bool board = IsBoard(name);
        return given with
        {
            NativeKernels = name == NanoClrNative || (board && given.NativeKernels),
            CmsisNn = board && given.CmsisNn,
            Board = board ? name : null,
        };
    }

    /// <summary>The runtime called <paramref name="name"/>; <paramref name="options"/> configures the nanoCLR ones.</summary>
    public static IModelRuntime Create(string name, NanoClrOptions? options = null) =>
        RunsInProcess(name) ? new DotNetRuntime()
        : Names.Contains(name) ? new NanoClrRuntime(name, new NanoClrHost(NanoClrOptions(name, options)))
        : throw new ArgumentException($"unknown runtime '{name}' (known: {string.Join(", ", Names)})");
}
