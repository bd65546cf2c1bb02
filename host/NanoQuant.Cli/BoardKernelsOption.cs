using System.CommandLine;
using NanoQuant.Host.NanoClr;
using NanoQuant.Host.Runtime;

namespace NanoQuant.Cli;

/// <summary>
/// `--kernels managed|native|cmsis-nn` of `run` and `bench` with `--runtime cortex-m7|cortex-m4`: which nanoCLR
/// firmware of the emulated board runs the model (hardware/cortex-m/build.sh --kernels).
/// </summary>
internal static class BoardKernelsOption
{
    public static Option<string> Create()
    {
        var option = new Option<string>("--kernels")
        {
            Description = "with --runtime cortex-m7|cortex-m4: the firmware's kernels: managed (nanoCLR alone, as stock firmware), native (NanoQuant.Native with nanoQuant's C kernels, DSP paths) or cmsis-nn (NanoQuant.Native plus ARM's CMSIS-NN for the conv and depthwise shapes where it is faster); each firmware is built on first use, then cached",
            DefaultValueFactory = _ => "managed",
        };
        option.AcceptOnlyFromAmong("managed", "native", "cmsis-nn");
        return option;
    }

    /// <summary>
    /// The firmware kernels --kernels asks for on an emulated board (managed elsewhere: nanoclr and nanoclr-native choose
    /// their kernels by name, in <see cref="ModelRuntimes.NanoClrOptions"/>); --kernels given with a runtime other than a
    /// board is a usage error.
    /// </summary>
    public static (bool Native, bool CmsisNn) Resolve(ParseResult parse, Option<string> kernels, string? runtime)
    {
        bool board = runtime is not null && ModelRuntimes.IsBoard(runtime);
        if (parse.GetResult(kernels) is { Implicit: false } && !board)
        {
            throw new CliUsageException($"--kernels applies to --runtime {string.Join(" and ", NanoClrHost.Boards.Keys)} (for the Linux nanoCLR: --runtime nanoclr or nanoclr-native)");
        }

        string chosen = parse.GetValue(kernels) ?? "managed";
        return board ? (chosen != "managed", chosen == "cmsis-nn") : (false, false);
    }
}
