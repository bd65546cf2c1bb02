namespace NanoQuant.Host.NanoClr;

/// <summary>Where the nanoCLR kit and the repository are, and how long a nanoCLR run may take.</summary>
public sealed record NanoClrOptions
{
    /// <summary>Environment variable naming the kit folder (bin/, lib/, mdp/); default ../shared/nanoclr beside the repository.</summary>
    public const string KitVariable = "NANOQUANT_NANOCLR_KIT";

    /// <summary>Environment variable naming a nanoCLR executable to run instead of the kit's bin/nanoclr (e.g. a build with native kernels).</summary>
    public const string NanoClrVariable = "NANOQUANT_NANOCLR";

    /// <summary>
    /// Environment variable naming where a packed tool caches what it builds on first use (nanoCLR with the native kernels,
    /// the emulated boards' firmware); default the user's cache folder (~/.cache/nanoquant/VERSION). A checkout's
    /// artifacts/ folder has the same layout, so pointing this at it reuses what the checkout built.
    /// </summary>
    public const string CacheVariable = "NANOQUANT_CACHE";

    /// <summary>Environment variable naming the folder with ARM's CMSIS-NN sources (cmsis-nn-*.tar.gz) for <see cref="CmsisNn"/>; default ../shared/nn-libs beside a checkout.</summary>
    public const string NnLibsVariable = "NANOQUANT_NN_LIBS";

    /// <summary>The kit folder; null: <see cref="KitVariable"/>, else ../shared/nanoclr beside the repository.</summary>
    public string? KitDirectory { get; init; }

    /// <summary>The nanoCLR executable (runner or wrapper); null: <see cref="NanoClrVariable"/>, else the kit's bin/nanoclr.</summary>
    public string? NanoClrPath { get; init; }

    /// <summary>The nanoQuant repository (holds nanoclr/build.sh and the device sources); null: found upwards from the current folder or this assembly.</summary>
    public string? RepositoryRoot { get; init; }

    /// <summary>Where the nanoFramework build goes; null: artifacts/nanoclr in the repository.</summary>
    public string? BuildDirectory { get; init; }

    /// <summary>
    /// A finished nanoFramework build to run as it is, without nanoclr/build.sh or a checkout: NanoQuant.Device.pe,
    /// NanoQuant.NanoClr.Runner.pe and <c>nuget/</c> (the NuGet libraries of nanoclr/libraries.txt). Null: the packed
    /// tool's own (<see cref="NanoClrHost.PackagedBuildDirectory"/>) when there is one, else the checkout's build.
    /// </summary>
    public string? PrebuiltDirectory { get; init; }

    /// <summary>A NanoQuant.Device.pe to load instead of the one nanoclr/build.sh builds (e.g. from the NuGet package); it must be that same build.</summary>
    public string? DevicePe { get; init; }

    /// <summary>Extra .pe files loaded after the device library (e.g. an Interop assembly whose natives the nanoCLR build has).</summary>
    public IReadOnlyList<string> ExtraAssemblies { get; init; } = [];

    /// <summary>
    /// Run the native kernels: nanoCLR built with native/kernels and the NanoQuant.Native Interop
    /// assembly (native/build.sh, built on first use and cached in artifacts/nanoclr-native, or the packed tool's cache; on a <see cref="Board"/>
    /// the board's native firmware, hardware/cortex-m/build.sh --kernels native), every job's
    /// interpreter handed to NativeKernels.TryUse. A run fails if the native kernels are not what ran.
    /// </summary>
    public bool NativeKernels { get; init; }

    /// <summary>
    /// With <see cref="NativeKernels"/> on an emulated <see cref="Board"/>: the firmware whose NanoQuant.Native also has
    /// ARM's CMSIS-NN (native/kernels/cmsis_nn) and gives it the conv and depthwise calls where its rule table
    /// (native/kernels/dispatch.c) finds it faster than nanoQuant's own C kernels.
    /// </summary>
    public bool CmsisNn { get; init; }

    /// <summary>The folder holding cmsis-nn-*.tar.gz for <see cref="CmsisNn"/>; null: <see cref="NnLibsVariable"/>, else ../shared/nn-libs beside a checkout.</summary>
    public string? NnLibsDirectory { get; init; }

    /// <summary>
    /// Run on an emulated Cortex-M board instead of the kit's Linux nanoCLR: <c>cortex-m7</c> (QEMU mps2-an500)
    /// or <c>cortex-m4</c> (QEMU mps2-an386). The firmware (nanoCLR for that board, hardware/cortex-m/build.sh)
    /// is built on first use and cached (a checkout's artifacts/cortex-m, the packed tool's <see cref="CacheVariable"/> folder); nanoCLR runs in QEMU with one virtual nanosecond
    /// per guest instruction, so the times it reports are instruction counts. Null: the Linux nanoCLR.
    /// </summary>
    public string? Board { get; init; }

    /// <summary>Told about slow one-time steps (the native nanoCLR build), e.g. to print them.</summary>
    public Action<string>? Progress { get; init; }

    /// <summary>The longest a single nanoCLR process may run before it is killed and the run reported as hung.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(20);
}
