using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Resources;
using System.Text;

namespace NanoQuant.Host.NanoClr;

/// <summary>Everything one nanoCLR process computed: one result per job, the dot-product baseline, nanoCLR's output.</summary>
public sealed record NanoClrBatchResult(IReadOnlyList<NanoClrJobResult> Jobs, long BaselineMacsPerSecond, string Output);

/// <summary>
/// Runs device models on nanoFramework's real interpreter (nanoCLR, from the kit in ../shared/nanoclr or
/// a user's own build). The device library and the nanoCLR program (nanoclr/runner) are built once by
/// nanoclr/build.sh; each run writes its models and inputs as binary resources of a small "run-data"
/// assembly (resources, unlike array initializers, have no 64 KB limit: the kit's MetadataProcessor and
/// nanoCLR take a several-MB .pe), runs nanoCLR on the whole assembly set with a time limit, and parses
/// the program's <c>nq:</c> lines. nanoCLR's exit code is 0 whatever the program did, so a run counts
/// only when the program's final <c>nq:done</c> line is there and every output has the model's size.
/// </summary>
public sealed class NanoClrHost
{
    /// <summary>
    /// The largest array the program lets the runtime allocate on this nanoCLR: an object is at most 65,535
    /// heap blocks, 24 bytes each on the 64-bit POSIX build (measured: <c>new sbyte[1572700]</c> works,
    /// 1,572,800 crashes, larger ones throw OutOfMemoryException; 12-byte blocks on 32-bit boards: about 786 KB).
    /// Larger models are streamed from their resource and a larger arena is split into several arrays.
    /// </summary>
    public const int MaxArrayBytes = 1_572_000;

    /// <summary>The same limit on a 32-bit nanoCLR (the emulated Cortex-M boards): 65,535 blocks of 12 bytes, less the array header.</summary>
    public const int MaxArrayBytes32 = 786_000;

    /// <summary>The emulated boards (<see cref="NanoClrOptions.Board"/>): runtime name → QEMU machine.</summary>
    public static readonly IReadOnlyDictionary<string, string> Boards = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["cortex-m7"] = "mps2-an500",
        ["cortex-m4"] = "mps2-an386",
    };

    /// <summary>The one Debian command that installs what the emulated boards need (the Arm toolchain with newlib, QEMU).</summary>
    public const string BoardToolsInstallCommand = "apt-get install -y gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib qemu-system-arm";

    /// <summary>Guest instructions per millisecond nanoCLR measures on an emulated board (QEMU -icount shift=0: 1 ns each).</summary>
    public const double InstructionsPerMillisecond = 1_000_000;

    /// <summary>
    /// Where a packed <c>nanoquant</c> tool carries the nanoFramework build (nanoclr/build.sh's .pe files and its
    /// <c>nuget/</c> libraries, put there at pack time): beside the tool's assemblies.
    /// </summary>
    public static string PackagedBuildDirectory => Path.Combine(AppContext.BaseDirectory, "nanoclr");

    /// <summary>
    /// Where a packed <c>nanoquant</c> tool carries the project's sources that build nanoCLR with the native kernels
    /// (native/build.sh) and the emulated boards' firmware (hardware/cortex-m/build.sh), in the repository's layout.
    /// </summary>
    public static string PackagedSourcesDirectory => Path.Combine(AppContext.BaseDirectory, "sources");

    /// <summary>
    /// Where a packed tool keeps what it builds on first use (nanoCLR with the native kernels, the boards' firmware):
    /// <see cref="NanoClrOptions.CacheVariable"/>, else the user's cache folder, one per tool version.
    /// </summary>
    public static string UserCacheDirectory =>
        NonEmpty(Environment.GetEnvironmentVariable(NanoClrOptions.CacheVariable)) is { } cache ? Path.GetFullPath(cache)
        : Path.GetFullPath(Path.Combine(OperatingSystem.IsWindows() ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify)
              : NonEmpty(Environment.GetEnvironmentVariable("XDG_CACHE_HOME"))
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify), ".cache"),
            "nanoquant", ToolVersion));

    /// <summary>The running tool's version (the entry assembly's, without its source revision), which keys <see cref="UserCacheDirectory"/>.</summary>
    private static string ToolVersion =>
        (Assembly.GetEntryAssembly()?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0").Split('+')[0];

    private const string DataAssembly = "NanoQuantRunData";
    private const long TicksPerMillisecond = 10_000;
    private static readonly Lock BuildLock = new();
    private static readonly HashSet<string> Built = [];
    private readonly NanoClrOptions _options;
    private readonly string? _repositoryRoot;

    public NanoClrHost(NanoClrOptions? options = null)
    {
        _options = options ?? new NanoClrOptions();

        // A packed tool runs its own nanoFramework build, wherever it is started, and builds nanoCLR with the native
        // kernels and the boards' firmware from the sources it carries, into the user's cache.
        string? prebuilt = _options.PrebuiltDirectory
            ?? (_options.RepositoryRoot is null && _options.BuildDirectory is null
                && File.Exists(Path.Combine(PackagedBuildDirectory, "NanoQuant.NanoClr.Runner.pe")) ? PackagedBuildDirectory : null);
        Prebuilt = prebuilt is not null;
        _repositoryRoot = _options.RepositoryRoot is { } root ? Path.GetFullPath(root) : Prebuilt ? null : FindRepositoryRoot();
        ArtifactsDirectory = Prebuilt ? UserCacheDirectory : Path.Combine(_repositoryRoot!, "artifacts");
        KitDirectory = Path.GetFullPath(_options.KitDirectory
            ?? NonEmpty(Environment.GetEnvironmentVariable(NanoClrOptions.KitVariable))
            ?? (_repositoryRoot is not null ? Path.Combine(_repositoryRoot, "..", "shared", "nanoclr")
                : throw new NanoClrException($"no nanoCLR kit given: point --nanoclr-kit or {NanoClrOptions.KitVariable} at the kit folder (bin/nanoclr, bin/nfcompile, lib/, mdp/)")));
        if (_options.Board is { } board)
        {
            if (!Boards.ContainsKey(board))
            {
                throw new NanoClrException($"unknown board '{board}' (known: {string.Join(", ", Boards.Keys)})");
            }

        }
        else if (_options.CmsisNn)
        {
            throw new NanoClrException("the CMSIS-NN kernels are built into the emulated boards' firmware only (cortex-m7, cortex-m4)");
        }

        if (_options.CmsisNn && !_options.NativeKernels)
        {
            throw new NanoClrException("the CMSIS-NN kernels run through NanoQuant.Native: they need the native kernels");
        }

        ArrayLimit = _options.Board is null ? MaxArrayBytes : MaxArrayBytes32;
        NanoClrPath = Path.GetFullPath(_options.NanoClrPath
            ?? (_options.Board is not null ? Path.Combine(ArtifactsDirectory, "cortex-m", "(built on first use)", "nanoclr") : null)
            ?? (_options.NativeKernels ? Path.Combine(NativeBuildDirectory, "clr", "nanoclr") : null)
            ?? NonEmpty(Environment.GetEnvironmentVariable(NanoClrOptions.NanoClrVariable))
            ?? Path.Combine(KitDirectory, "bin", "nanoclr"));
        BuildDirectory = Path.GetFullPath(prebuilt ?? _options.BuildDirectory ?? Path.Combine(RepositoryRoot, "artifacts", "nanoclr"));
        foreach (string part in new[] { "bin/nfcompile", "mdp/mdp.dll", "lib/mscorlib.dll", "lib/mscorlib.pe" })
        {
            if (!File.Exists(Path.Combine(KitDirectory, part)))
            {
                throw new NanoClrException($"nanoCLR kit not found or incomplete at '{KitDirectory}' ({part} is missing); point {NanoClrOptions.KitVariable} or --nanoclr-kit at the kit folder");
            }
        }

        if (!File.Exists(NanoClrPath) && !((_options.NativeKernels || _options.Board is not null) && _options.NanoClrPath is null))
        {
            throw new NanoClrException($"nanoCLR not found at '{NanoClrPath}' (set {NanoClrOptions.NanoClrVariable} or fix the kit)");
        }

        foreach (string extra in _options.ExtraAssemblies)
        {
            if (!File.Exists(extra))
            {
                throw new NanoClrException($"extra assembly '{extra}' does not exist");
            }
        }
    }

    /// <summary>The nanoQuant checkout the nanoFramework build comes from; a finished build (<see cref="Prebuilt"/>: the packed tool's) needs none.</summary>
    public string RepositoryRoot => _repositoryRoot
        ?? throw new NanoClrException("this needs a nanoQuant checkout (nanoclr/build.sh, device/): the packed tool carries a finished nanoFramework build");

    /// <summary>
    /// The build scripts and native sources nanoCLR with the native kernels and the boards' firmware are built from:
    /// the checkout, or the packed tool's copy (<see cref="PackagedSourcesDirectory"/>).
    /// </summary>
    public string SourcesDirectory => !Prebuilt ? RepositoryRoot
        : File.Exists(Path.Combine(PackagedSourcesDirectory, "hardware", "cortex-m", "build.sh")) ? PackagedSourcesDirectory
        : throw new NanoClrException($"this nanoquant carries no sources to build nanoCLR with the native kernels or the boards' firmware ('{PackagedSourcesDirectory}' is missing): install a tool packed with the nanoCLR kit");

    /// <summary>Where built nanoCLRs and firmware are cached: the checkout's artifacts/, or the packed tool's <see cref="UserCacheDirectory"/>.</summary>
    public string ArtifactsDirectory { get; }

    /// <summary>True when a finished build runs as it is (<see cref="NanoClrOptions.PrebuiltDirectory"/>: the packed tool's own), not a checkout's.</summary>
    public bool Prebuilt { get; }

    public string KitDirectory { get; }
    public string NanoClrPath { get; private set; }

    /// <summary>The emulated board (<see cref="NanoClrOptions.Board"/>), or null for the Linux nanoCLR.</summary>
    public string? Board => _options.Board;

    /// <summary>Which kernels the firmware of an emulated board runs: managed, native (nanoQuant's C kernels) or cmsis-nn.</summary>
    public string FirmwareKernels => !_options.NativeKernels ? "managed" : _options.CmsisNn ? "cmsis-nn" : "native";

    /// <summary>The largest array this nanoCLR allocates (<see cref="MaxArrayBytes"/>, or <see cref="MaxArrayBytes32"/> on a 32-bit board).</summary>
    public int ArrayLimit { get; }
    public string BuildDirectory { get; }

    /// <summary>Where native/build.sh puts NanoQuant.Native.pe and the nanoCLR with the native kernels (clr/).</summary>
    public string NativeBuildDirectory => Path.Combine(ArtifactsDirectory, "nanoclr-native");

    /// <summary>
    /// The NanoQuant.Native Interop assembly as nanoCLR loads it (built by <see cref="Build"/> with <see cref="NanoClrOptions.NativeKernels"/>;
    /// a packed tool carries it in its finished build).
    /// </summary>
    public string NativePe => Path.Combine(Prebuilt ? BuildDirectory : NativeBuildDirectory, "NanoQuant.Native.pe");

    /// <summary>The device library as nanoCLR loads it (built by <see cref="Build"/>).</summary>
    public string DevicePe => _options.DevicePe is { } pe ? Path.GetFullPath(pe) : Path.Combine(BuildDirectory, "NanoQuant.Device.pe");

    /// <summary>The nanoCLR program that runs the jobs.</summary>
    public string RunnerPe => Path.Combine(BuildDirectory, "NanoQuant.NanoClr.Runner.pe");

    /// <summary>
    /// The .pe files of the class libraries every run loads, in load order (nanoclr/libraries.txt): NuGet's from the
    /// build's <c>nuget/</c> folder (nanoclr/build.sh copies them there), the rest from the kit's <c>lib/</c>.
    /// </summary>
    public IEnumerable<string> ClassLibraryPeFiles => NanoFrameworkLibrary.All.Where(l => l.LoadedAtRuntime).Select(l =>
        Path.Combine(l.FromNuGet ? Path.Combine(BuildDirectory, "nuget") : Path.Combine(KitDirectory, "lib"), l.Assembly + ".pe"));

    /// <summary>Builds the device library and the nanoCLR program with nanoclr/build.sh (once per process; the script skips unchanged sources).</summary>
    public void Build()
    {
        if (Prebuilt)
        {
            var needed = ClassLibraryPeFiles.Append(DevicePe).Append(RunnerPe);
            foreach (string file in (_options.NativeKernels ? needed.Append(NativePe) : needed).Where(f => !File.Exists(f)))
            {
                throw new NanoClrException($"the finished nanoFramework build in '{BuildDirectory}' is incomplete: '{file}' is missing");
            }
        }
        else
        {
            BuildDeviceLibrary();
        }

        if (_options.NativeKernels)
        {
            BuildNative(peOnly: _options.Board is not null);
        }

        if (_options.Board is not null)
        {
            BuildFirmware();
        }
    }

    private void BuildDeviceLibrary()
    {
        lock (BuildLock)
        {
            if (!(Built.Contains(BuildDirectory) && File.Exists(DevicePe) && File.Exists(RunnerPe)))
            {
                string script = Path.Combine(RepositoryRoot, "nanoclr", "build.sh");
                var (code, stdout, stderr) = RunProcess("bash", [script, "--kit", KitDirectory, "-o", BuildDirectory, "--quiet"], TimeSpan.FromMinutes(10));
                if (code != 0)
                {
                    string detail = (stderr + stdout).Trim();
                    throw new NanoClrException($"the nanoFramework build (nanoclr/build.sh) failed: {LastLines(detail, 8)}");
                }

                Built.Add(BuildDirectory);
            }
        }
    }

    /// <summary>
    /// The nanoCLR firmware of the emulated board (hardware/cortex-m/build.sh: minutes the first time, then cached in
    /// <see cref="ArtifactsDirectory"/>/cortex-m, one folder per board, kernels and hash of every input; a failed build leaves none).
    /// </summary>
    private void BuildFirmware()
    {
        string board = _options.Board!;
        string machine = Boards[board];
        if (!OnPath("qemu-system-arm"))
        {
            throw new NanoClrException($"qemu-system-arm not found: --runtime {board} runs nanoCLR in QEMU ({BoardToolsInstallCommand})");
        }

        lock (BuildLock)
        {
            string key = "firmware:" + machine + ":" + FirmwareKernels;
            if (Built.Contains(key) && _options.NanoClrPath is null && File.Exists(NanoClrPath))
            {
                return;
            }

            if (!OnPath("arm-none-eabi-g++"))
            {
                throw new NanoClrException($"arm-none-eabi-g++ not found: --runtime {board} builds nanoCLR for the board with Debian's Arm toolchain ({BoardToolsInstallCommand})");
            }

            string script = Path.Combine(SourcesDirectory, "hardware", "cortex-m", "build.sh");
            string cache = Path.Combine(ArtifactsDirectory, "cortex-m");
            string[] arguments = [script, "--board", machine, "--kernels", FirmwareKernels, "--kit", KitDirectory, "-o", cache, "--quiet"];
            if (_options.CmsisNn)
            {
                arguments = [.. arguments, "--nn-libs", NnLibsDirectory];
            }

            var (_, planned, _) = RunProcess("bash", [.. arguments, "--print-dir"], TimeSpan.FromMinutes(1));
            if (!File.Exists(Path.Combine(planned.Trim(), "nanoclr.elf")))
            {
                _options.Progress?.Invoke($"building the nanoCLR firmware for {board} with {FirmwareKernels} kernels (QEMU {machine}; hardware/cortex-m/build.sh: first use, a few minutes; cached in {cache})...");
            }

            var (code, stdout, stderr) = RunProcess("bash", arguments, TimeSpan.FromMinutes(30));
            string dir = stdout.Trim().Split('\n').LastOrDefault() ?? "";
            if (code != 0 || !File.Exists(Path.Combine(dir, "nanoclr")))
            {
                throw new NanoClrException(ScriptError(stderr) ?? $"the nanoCLR firmware build for {board} with {FirmwareKernels} kernels (hardware/cortex-m/build.sh) failed: {LastLines((stderr + stdout).Trim(), 8)}");
            }

            if (_options.NanoClrPath is null)
            {
                NanoClrPath = Path.Combine(dir, "nanoclr");
            }

            Built.Add(key);
        }
    }

    /// <summary>
    /// The folder holding ARM's CMSIS-NN sources (cmsis-nn-*.tar.gz) the cmsis-nn firmware is built with:
    /// <see cref="NanoClrOptions.NnLibsDirectory"/>, <see cref="NanoClrOptions.NnLibsVariable"/>, else ../shared/nn-libs beside a checkout.
    /// </summary>
    private string NnLibsDirectory
    {
        get
        {
            string folder = Path.GetFullPath(_options.NnLibsDirectory
                ?? NonEmpty(Environment.GetEnvironmentVariable(NanoClrOptions.NnLibsVariable))
                ?? (Prebuilt ? throw new NanoClrException($"no CMSIS-NN sources given: --kernels cmsis-nn builds the firmware with ARM's CMSIS-NN; point {NanoClrOptions.NnLibsVariable} at the folder holding cmsis-nn-*.tar.gz")
                    : Path.Combine(RepositoryRoot, "..", "shared", "nn-libs")));
            return Directory.Exists(folder) && Directory.GetFiles(folder, "cmsis-nn-*.tar.gz").Length > 0 ? folder
                : throw new NanoClrException($"CMSIS-NN sources not found: no cmsis-nn-*.tar.gz in '{folder}' (point {NanoClrOptions.NnLibsVariable} at the folder holding it)");
        }
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Any(d => File.Exists(Path.Combine(d, tool)));

    /// <summary>
    /// The Interop assembly and the nanoCLR with the native kernels (native/build.sh: minutes the first time, then cached);
    /// <paramref name="peOnly"/>: the Interop assembly alone (an emulated board's firmware carries its own natives).
    /// </summary>
    private void BuildNative(bool peOnly)
    {
        if (peOnly && Prebuilt)
        {
            return;
        }

        lock (BuildLock)
        {
            string key = NativeBuildDirectory + (peOnly ? ":pe" : "");
            if (Built.Contains(key) && File.Exists(NativePe) && (peOnly || File.Exists(NanoClrPath)))
            {
                return;
            }

            if (!peOnly && !File.Exists(Path.Combine(NativeBuildDirectory, "clr", "nanoclr")))
            {
                _options.Progress?.Invoke($"building nanoCLR with the native kernels (native/build.sh: first use, a few minutes; cached in {NativeBuildDirectory})...");
            }

            // A packed tool carries NanoQuant.Native.pe: it builds the nanoCLR alone (--clr-only), with no device sources.
            string script = Path.Combine(SourcesDirectory, "native", "build.sh");
            string[] arguments = [script, "--kit", KitDirectory, "-o", NativeBuildDirectory, "--quiet"];
            var (code, stdout, stderr) = RunProcess("bash", peOnly ? [.. arguments, "--pe-only"] : Prebuilt ? [.. arguments, "--clr-only"] : arguments, TimeSpan.FromMinutes(30));
            if (code != 0)
            {
                throw new NanoClrException(ScriptError(stderr) ?? $"the native {(peOnly ? "Interop assembly" : "nanoCLR")} build (native/build.sh) failed: {LastLines((stderr + stdout).Trim(), 8)}");
            }

            if (!File.Exists(peOnly ? NativePe : NanoClrPath))
            {
                throw new NanoClrException($"'{(peOnly ? NativePe : NanoClrPath)}' not found after the native build");
            }

            Built.Add(key);
        }
    }

    /// <summary>
    /// Runs <paramref name="jobs"/> in one nanoCLR process, in order, and (when <paramref name="baselineMacs"/> &gt; 0)
    /// the plain int8 dot-product loop of hardware/common/DotProductBaseline.cs over that many MACs.
    /// Throws <see cref="NanoClrException"/> when nanoCLR fails, a job fails, or a result is malformed.
    /// </summary>
    public NanoClrBatchResult Run(IReadOnlyList<NanoClrJob> jobs, long baselineMacs = 0)
    {
        var shapes = jobs.Select(Describe).ToArray();
        Build();

        return RunProcessBatch(jobs, shapes, baselineMacs);
    }

    private NanoClrBatchResult RunProcessBatch(IReadOnlyList<NanoClrJob> jobs, JobShape[] shapes, long baselineMacs)
    {
        string work = Directory.CreateTempSubdirectory("nanoquant-nanoclr-").FullName;
        try
        {
            string dataPe = WriteDataAssembly(work, jobs, shapes, baselineMacs);
            var extra = _options.ExtraAssemblies.Select(Path.GetFullPath);
            if (_options.NativeKernels)
            {
                extra = extra.Prepend(NativePe);
            }

            var arguments = ClassLibraryPeFiles.Append(DevicePe).Concat(extra).Append(dataPe).Append(RunnerPe).ToList();
            var (code, stdout, stderr) = RunProcess(NanoClrPath, arguments, _options.Timeout);
            string output = stdout.Replace("\r", "", StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(work, "nanoclr-output.txt"), output + stderr);
            return Parse(output, stderr, code, jobs, shapes, baselineMacs > 0);
        }
        finally
        {
            try
            {
                // NANOQUANT_NANOCLR_KEEP=DIR keeps the run-data assembly and nanoCLR's output there (debugging).
                if (NonEmpty(Environment.GetEnvironmentVariable("NANOQUANT_NANOCLR_KEEP")) is { } keep)
                {
                    Directory.CreateDirectory(keep);
                    foreach (string file in Directory.GetFiles(work))
                    {
                        File.Copy(file, Path.Combine(keep, Path.GetFileName(file)), overwrite: true);
                    }
                }

                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>What the host knows of a job's model before running it: load mode, output sizes (checked with the desktop loader).</summary>
    private sealed record JobShape(NanoClrLoadMode Mode, int[] InputLengths, int[] OutputLengths);

    private JobShape Describe(NanoClrJob job)
    {
        var mode = job.Mode == NanoClrLoadMode.Auto
            ? job.Model.Length <= ArrayLimit ? NanoClrLoadMode.Ram : NanoClrLoadMode.ResourceStreamWeights
            : job.Mode;
        if (mode is not NanoClrLoadMode.ResourceStreamWeights && job.Model.Length > ArrayLimit)
        {
            throw new NanoClrException($"the model is {job.Model.Length:N0} bytes; nanoCLR holds at most {ArrayLimit:N0} bytes in one array, so it must be streamed (load mode {NanoClrLoadMode.ResourceStreamWeights} or Auto)");
        }

        // The device loader on the desktop, with nanoCLR's array limit and the same load mode: a model that
        // cannot be held (an arena that cannot be split, int8 constants or one operator's weights over the
        // limit) is refused here with the message the device would give, before nanoCLR starts.
        Interpreter interpreter;
        try
        {
            interpreter = mode is NanoClrLoadMode.Ram
                ? new Interpreter(job.Model, Interpreter.DefaultMaxArenaBytes, ArrayLimit)
                : new Interpreter(new MemoryStream(job.Model, writable: false), mode is NanoClrLoadMode.StreamCopyToRam ? ModelLoadMode.CopyToRam : ModelLoadMode.StreamWeights, Interpreter.DefaultMaxArenaBytes, ArrayLimit);
        }
        catch (InvalidModelException e)
        {
            _ = new Interpreter(job.Model); // a malformed model gets the loader's own message
            throw new NanoClrException($"the model cannot run on nanoCLR: {e.Message}");
        }

        var inputLengths = Enumerable.Range(0, interpreter.InputCount).Select(i => NanoClrJob.TensorBytes(interpreter.GetInput(i))).ToArray();
        var outputLengths = Enumerable.Range(0, interpreter.OutputCount).Select(o => NanoClrJob.TensorBytes(interpreter.GetOutput(o))).ToArray();
        if (job.Samples < 1 || job.Inputs.Count != inputLengths.Length)
        {
            throw new ArgumentException($"a nanoCLR job needs at least one sample and {inputLengths.Length} input(s); got {job.Samples} sample(s) and {job.Inputs.Count} input(s)");
        }

        for (int i = 0; i < inputLengths.Length; i++)
        {
            if (job.Inputs[i].Length != inputLengths[i] * job.Samples)
            {
                throw new ArgumentException($"input {i} holds {job.Inputs[i].Length} bytes; {job.Samples} sample(s) of {inputLengths[i]} bytes expected");
            }
        }

        if (inputLengths.Sum() * (long)job.Samples > ArrayLimit)
        {
            throw new NanoClrException($"the inputs are {inputLengths.Sum() * (long)job.Samples:N0} bytes; nanoCLR holds at most {ArrayLimit:N0} bytes in one array: run fewer samples at a time");
        }

        return new JobShape(mode, inputLengths, outputLengths);
    }

    private string WriteDataAssembly(string work, IReadOnlyList<NanoClrJob> jobs, JobShape[] shapes, long baselineMacs)
    {
        var ids = new HashSet<short> { ResourceId("config") };
        short Unique(string name)
        {
            for (int attempt = 0; ; attempt++)
            {
                short id = ResourceId(attempt == 0 ? name : name + "_" + attempt.ToString(CultureInfo.InvariantCulture));
                if (id != 0x7FFF && ids.Add(id))
                {
                    return id;
                }
            }
        }

        var config = new StringBuilder();
        string resources = Path.Combine(work, DataAssembly + ".Resources.resources");
        using (var writer = new ResourceWriter(resources))
        {
            for (int j = 0; j < jobs.Count; j++)
            {
                short modelId = Unique("m" + j.ToString(CultureInfo.InvariantCulture));
                short inputId = Unique("i" + j.ToString(CultureInfo.InvariantCulture));
                writer.AddResource(NameOf(modelId, j, "m"), jobs[j].Model);
                writer.AddResource(NameOf(inputId, j, "i"), jobs[j].Inputs.SelectMany(b => b).ToArray());
                config.Append(CultureInfo.InvariantCulture,
                    $"job={j} model={modelId} modelBytes={jobs[j].Model.Length} inputs={inputId} samples={jobs[j].Samples} inputBytes={shapes[j].InputLengths.Sum()} mode={ModeName(shapes[j].Mode)} runs={jobs[j].TimedRuns} memory={(jobs[j].MeasureMemory ? 1 : 0)} outputs={(jobs[j].ReturnOutputs ? 1 : 0)} maxArray={ArrayLimit}{(jobs[j].ResetStateEvery > 0 ? $" resetEvery={jobs[j].ResetStateEvery}" : "")}{(jobs[j].MeasureMemoryEvery > 0 ? $" memoryEvery={jobs[j].MeasureMemoryEvery}" : "")}{(_options.NativeKernels ? " backend=native" : "")}{(jobs[j].Rounds > 0 ? $" rounds={jobs[j].Rounds}" : "")}{(jobs[j].TimeOperators ? " perOp=1" : "")}\n");
            }

            if (baselineMacs > 0)
            {
                config.Append(CultureInfo.InvariantCulture, $"job=baseline macs={Math.Min(baselineMacs, int.MaxValue)}\n");
            }

            writer.AddResource("config", Encoding.ASCII.GetBytes(config.ToString()));
        }

        // The resource names are chosen so that their ids (what MetadataProcessor derives) are distinct.
        string marker = Path.Combine(work, "Marker.cs");
        File.WriteAllText(marker, $"namespace {DataAssembly}\n{{\n    internal static class Marker\n    {{\n    }}\n}}\n");
        string output = Path.Combine(work, DataAssembly);
        var (code, stdout, stderr) = RunProcess(Path.Combine(KitDirectory, "bin", "nfcompile"),
            ["-o", output, "-t", "library", "--resource", $"{resources},{DataAssembly}.Resources.resources", marker], TimeSpan.FromMinutes(5));
        if (code != 0 || !File.Exists(output + ".pe"))
        {
            throw new NanoClrException($"building the run-data assembly failed: {LastLines((stderr + stdout).Trim(), 8)}");
        }

        return output + ".pe";

        string NameOf(short id, int job, string kind)
        {
            for (int attempt = 0; ; attempt++)
            {
                string name = kind + job.ToString(CultureInfo.InvariantCulture) + (attempt == 0 ? "" : "_" + attempt.ToString(CultureInfo.InvariantCulture));
                if (ResourceId(name) == id)
                {
                    return name;
                }
            }
        }
    }

    private static string ModeName(NanoClrLoadMode mode) => mode switch
    {
        NanoClrLoadMode.Ram => "ram",
        NanoClrLoadMode.StreamCopyToRam => "stream",
        NanoClrLoadMode.StreamWeights => "stream-weights",
        NanoClrLoadMode.ResourceStreamWeights => "resource-weights",
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    private NanoClrBatchResult Parse(string output, string stderr, int exitCode, IReadOnlyList<NanoClrJob> jobs, JobShape[] shapes, bool baseline)
    {
        string[] lines = output.Split('\n');
        string[] nq = lines.Where(l => l.StartsWith("nq:", StringComparison.Ordinal)).ToArray();
        if (exitCode != 0 || !nq.Contains("nq:done"))
        {
            string what = exitCode switch
            {
                124 => "did not finish",
                3 when _options.Board is not null => $"faulted on the emulated {_options.Board} (a processor fault: HardFault, QEMU exit code 3)",
                139 => "crashed (SIGSEGV; nanoCLR's out-of-memory path crashes this way)",
                134 => "aborted (SIGABRT)",
                0 => "stopped before the program finished",
                _ => $"failed (exit code {exitCode})",
            };
            string tail = LastLines(string.Join('\n', lines.Where(l => l.Length > 0 && !l.StartsWith("   ", StringComparison.Ordinal))) + "\n" + stderr, 6);
            throw new NanoClrException($"nanoCLR {what}; last output: {tail}");
        }

        if (nq.FirstOrDefault(l => l.StartsWith("nq:error -", StringComparison.Ordinal)) is { } fatal)
        {
            throw new NanoClrException($"the nanoCLR program failed: {fatal["nq:error - ".Length..]}");
        }

        var results = new NanoClrJobResult[jobs.Count];
        long baselineRate = 0;
        for (int j = 0; j < jobs.Count; j++)
        {
            string id = j.ToString(CultureInfo.InvariantCulture);
            if (nq.FirstOrDefault(l => l.StartsWith($"nq:error {id} ", StringComparison.Ordinal)) is { } error)
            {
                throw new NanoClrException($"on nanoCLR{(jobs.Count > 1 ? $" (job {j})" : "")}: {error[$"nq:error {id} ".Length..]}");
            }

            var load = Fields(nq.FirstOrDefault(l => l.StartsWith($"nq:load {id} ", StringComparison.Ordinal)));
            var time = Fields(nq.FirstOrDefault(l => l.StartsWith($"nq:time {id} ", StringComparison.Ordinal)));
            var sampleTimes = Fields(nq.FirstOrDefault(l => l.StartsWith($"nq:samples {id} ", StringComparison.Ordinal)));
            if (load is null || sampleTimes is null || !nq.Contains($"nq:end {id}") || (jobs[j].TimedRuns > 0 && time is null))
            {
                throw new NanoClrException($"nanoCLR returned no complete result for job {j}");
            }

            var outputs = new List<sbyte[]>();
            if (jobs[j].ReturnOutputs)
            {
                for (int o = 0; o < shapes[j].OutputLengths.Length; o++)
                {
                    var bytes = new List<byte>();
                    for (int s = 0; s < jobs[j].Samples; s++)
                    {
                        string prefix = $"nq:out {id} {s} {o} ";
                        var parts = nq.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).ToArray();
                        int before = bytes.Count;
                        for (int p = 0; p < parts.Length; p++)
                        {
                            string[] f = parts[p][prefix.Length..].Split(' ');
                            if (f[0] != p.ToString(CultureInfo.InvariantCulture))
                            {
                                throw new NanoClrException($"nanoCLR output {o} of sample {s} came back out of order");
                            }

                            bytes.AddRange(f.Length > 1 ? Convert.FromHexString(f[1]) : []);
                        }

                        if (bytes.Count - before != shapes[j].OutputLengths[o])
                        {
                            throw new NanoClrException($"nanoCLR returned {bytes.Count - before} bytes for output {o} of sample {s}; the model's output has {shapes[j].OutputLengths[o]}");
                        }
                    }

                    outputs.Add(bytes.Select(b => (sbyte)b).ToArray());
                }
            }

            string backend = load.GetValueOrDefault("backend", "managed");
            if (_options.NativeKernels && backend != "native")
            {
                throw new NanoClrException($"native kernels were requested but job {j} ran on the '{backend}' kernels");
            }

            int runs = time is null ? 0 : int.Parse(time["runs"], CultureInfo.InvariantCulture);
            var during = nq.Where(l => l.StartsWith($"nq:free {id} ", StringComparison.Ordinal)).Select(Fields)
                .Select(f => (int.Parse(f!["runs"], CultureInfo.InvariantCulture), long.Parse(f["free"], CultureInfo.InvariantCulture))).ToList();
            if (jobs[j].MeasureMemory && jobs[j].MeasureMemoryEvery > 0 && during.Count != runs / jobs[j].MeasureMemoryEvery)
            {
                throw new NanoClrException($"nanoCLR returned {during.Count} free-memory figures for job {j}; {runs / jobs[j].MeasureMemoryEvery} expected");
            }

            var (rounds, operatorTimes, operatorKernels, operatorBaseline) = NanoClrRound.Parse(nq, id, TicksPerMillisecond);
            if ((runs > 0 && rounds.Count != jobs[j].Rounds) || (runs > 0 && jobs[j].TimeOperators && operatorTimes.Count == 0))
            {
                throw new NanoClrException($"nanoCLR returned no complete timing for job {j}");
            }

            results[j] = new NanoClrJobResult
            {
                Rounds = rounds,
                OperatorMilliseconds = operatorTimes,
                OperatorKernels = operatorKernels,
                OperatorBaselineMacsPerSecond = operatorBaseline,
                Mode = shapes[j].Mode,
                Outputs = outputs,
                Backend = backend,
                NativeOperators = int.Parse(load.GetValueOrDefault("nativeOperators", "0"), CultureInfo.InvariantCulture),
                LoadMilliseconds = long.Parse(load["ticks"], CultureInfo.InvariantCulture) / (double)TicksPerMillisecond,
                ArenaBytes = int.Parse(load["arena"], CultureInfo.InvariantCulture),
                Macs = long.Parse(load["macs"], CultureInfo.InvariantCulture),
                FreeBeforeLoad = long.Parse(load["freeBefore"], CultureInfo.InvariantCulture),
                FreeAfterLoad = long.Parse(load["freeAfterLoad"], CultureInfo.InvariantCulture),
                TimedRuns = runs,
                FirstInvokeMilliseconds = long.Parse(sampleTimes["first"], CultureInfo.InvariantCulture) / (double)TicksPerMillisecond,
                SampleMillisecondsPerInvoke = long.Parse(sampleTimes["ticks"], CultureInfo.InvariantCulture) / (double)TicksPerMillisecond / jobs[j].Samples,
                MillisecondsPerInvoke = runs == 0 ? double.NaN : long.Parse(time!["ticks"], CultureInfo.InvariantCulture) / (double)TicksPerMillisecond / runs,
                FreeAfterSamples = long.Parse(sampleTimes["freeAfterSamples"], CultureInfo.InvariantCulture),
                FreeBeforeRuns = time is null ? 0 : long.Parse(time["freeBeforeRuns"], CultureInfo.InvariantCulture),
                FreeAfterRuns = time is null ? 0 : long.Parse(time["freeAfterRuns"], CultureInfo.InvariantCulture),
                FreeDuringRuns = during,
            };
        }

        if (baseline)
        {
            if (nq.FirstOrDefault(l => l.StartsWith("nq:error baseline ", StringComparison.Ordinal)) is { } error)
            {
                throw new NanoClrException($"the dot-product baseline failed on nanoCLR: {error["nq:error baseline ".Length..]}");
            }

            var line = Fields(nq.FirstOrDefault(l => l.StartsWith("nq:baseline ", StringComparison.Ordinal)))
                ?? throw new NanoClrException("nanoCLR returned no dot-product baseline");
            baselineRate = long.Parse(line["macsPerSecond"], CultureInfo.InvariantCulture);
        }

        return new NanoClrBatchResult(results, baselineRate, output);
    }

    /// <summary>The <c>key=value</c> fields of one line of the runner's output (null for no line).</summary>
    internal static Dictionary<string, string>? Fields(string? line)
    {
        if (line is null)
        {
            return null;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string part in line.Split(' '))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                fields[part[..eq]] = part[(eq + 1)..];
            }
        }

        return fields;
    }

    /// <summary>The id MetadataProcessor gives a resource name (nanoFramework's 16-bit hash of it).</summary>
    public static short ResourceId(string name)
    {
        int hash1 = (5381 << 16) + 5381, hash2 = hash1;
        for (int i = 0; i < name.Length; ++i)
        {
            char c = name[i];
            if (i % 2 == 0)
            {
                hash1 = ((hash1 << 5) + hash1) ^ c;
            }
            else
            {
                hash2 = ((hash2 << 5) + hash2) ^ c;
            }
        }

        int hash = hash1 + (hash2 * 1566083941);
        return (short)((short)(hash >> 16) ^ (short)hash);
    }

    private static (int ExitCode, string Stdout, string Stderr) RunProcess(string file, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(info) ?? throw new NanoClrException($"could not start '{file}'");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }

            process.WaitForExit();
            throw new NanoClrException($"'{Path.GetFileName(file)}' did not finish within {timeout.TotalSeconds:F0} s and was stopped (a hang, or a model too slow for the time limit)");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string FindRepositoryRoot()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "nanoclr", "build.sh")) && File.Exists(Path.Combine(dir.FullName, "device", "NanoQuant.Device.nfproj")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new NanoClrException("the nanoQuant repository (nanoclr/build.sh, device/) was not found above the current folder, and this nanoquant carries no nanoFramework build (a packed tool does): run from the repository, or install the packed tool");
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    /// <summary>A build script's own <c>error:</c> line (it names what failed and where its log is), without the prefix; null when it printed none.</summary>
    private static string? ScriptError(string stderr) =>
        stderr.Split('\n').LastOrDefault(l => l.StartsWith("error: ", StringComparison.Ordinal)) is { } line ? line["error: ".Length..].Trim() : null;

    private static string LastLines(string text, int count) =>
        string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(count).Select(l => l.Trim()));
}
