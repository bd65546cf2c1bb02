using Xunit.Abstractions;
using System.Diagnostics;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.NanoClr;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Runtime;

namespace NanoQuant.Tests.NanoClr;

/// <summary>
/// The goldens on nanoCLR firmware for an emulated Cortex-M board (hardware/cortex-m: QEMU mps2-an500 = Cortex-M7,
/// mps2-an386 = Cortex-M4), several goldens per QEMU boot. With the managed kernels: every case of every golden whose
/// model is small, case 0 of the large ones (<see cref="EveryCaseUpToMacs"/>); through the native images (NanoQuant.Native
/// with nanoQuant's C kernels, or routed to CMSIS-NN), which execute a small fraction of the instructions: every case,
/// except where the MACs left on managed kernels (16x8 models, LSTMs) exceed <see cref="EveryCaseUpToMacs"/> — those
/// run case 0 there, as on the managed image.
/// Built (firmware included) on first use.
/// </summary>
public abstract class CortexMGoldenRun
{
    /// <summary>Models up to this many MACs run every case on the managed kernels; larger ones case 0 (QEMU runs some 10^8 guest instructions a second).</summary>
    public const long EveryCaseUpToMacs = 2_000_000;

    /// <summary>A boot takes goldens until their models and inputs reach this many bytes (the firmware's SRAM holds the .pe files twice while loading).</summary>
    public const long BytesPerBoot = 1_200_000;

    /// <summary>
    /// The goldens run: all int8 and 16x8 ones; NANOQUANT_CORTEX_M_MAX_MACS=N keeps only models up to N MACs (a quick
    /// local run on a busy machine; CI leaves it unset).
    /// </summary>
    public static IEnumerable<string> Names()
    {
        long max = long.TryParse(Environment.GetEnvironmentVariable("NANOQUANT_CORTEX_M_MAX_MACS"), out long m) ? m : long.MaxValue;
        foreach (string name in Golden.Int8Names().Concat(Golden.Int16Names()))
        {
            if (max == long.MaxValue || new Interpreter(Converter.ConvertFile(Golden.Load(name).ModelPath).Bytes).MacCount <= max)
            {
                yield return name;
            }
        }
    }

    /// <param name="board">cortex-m7 or cortex-m4.</param>
    /// <param name="kernels">managed, native or cmsis-nn: the firmware image (hardware/cortex-m/build.sh --kernels).</param>
    protected CortexMGoldenRun(string board, string kernels)
    {
        Board = board;
        Kernels = kernels;
        var host = new NanoClrHost(new NanoClrOptions
        {
            Board = board, NativeKernels = kernels != "managed", CmsisNn = kernels == "cmsis-nn", Timeout = TimeSpan.FromMinutes(30),
        });
        var jobs = new List<NanoClrJob>();
        foreach (string name in Names())
        {
            var golden = Golden.Load(name);
            var conversion = Converter.ConvertFile(golden.ModelPath);
            var probe = new Interpreter(conversion.Bytes);
            // NanoQuant.Native's kernels are int8: a 16x8 model keeps every operator managed.
            bool int8 = Golden.Int8Names().Contains(name);
            var isNative = conversion.Model.Operators.Select(o => int8 && kernels != "managed" && NanoClrNativeGoldenRun.NativeOperators.Contains(o.Type)).ToArray();
            long managedMacs = Enumerable.Range(0, isNative.Length).Where(o => !isNative[o]).Sum(o => probe.GetOperatorMacCount(o));
            int cases = managedMacs <= EveryCaseUpToMacs ? golden.CaseCount : 1;
            var sets = Enumerable.Range(0, cases).Select(c => (IReadOnlyList<NpyArray>)golden.Inputs(c)).ToList();
            var (job, local) = NanoClrModelRunner.PrepareJob(conversion.Bytes, sets);
            int native = kernels == "managed" ? 0 : isNative.Count(n => n);
            Locals[name] = (golden, local, cases, native, managedMacs);
            // The native images load every model into RAM, as the desktop native run (NanoClrNativeGoldenRun) does: with weights
            // streamed, job 20 of the second boot threw ArgumentException from the native call on both M7 native images.
            jobs.Add(job with { Mode = kernels == "managed" ? NanoClrLoadMode.Auto : NanoClrLoadMode.Ram });
        }

        var names = Locals.Keys.ToList();
        var watch = Stopwatch.StartNew();
        var results = RunInBoots(host, jobs, out int boots);
        for (int j = 0; j < jobs.Count; j++)
        {
            Results[names[j]] = results[j];
        }

        Boots = boots;
        Wall = watch.Elapsed;
        Firmware = host.NanoClrPath;
    }

    /// <summary>
    /// Runs <paramref name="jobs"/> in boots of consecutive jobs up to <see cref="BytesPerBoot"/> each; the results in job order.
    /// A <paramref name="warmUp"/> job runs first in every boot and its result is dropped.
    /// </summary>
    public static List<NanoClrJobResult> RunInBoots(NanoClrHost host, List<NanoClrJob> jobs, out int boots, NanoClrJob? warmUp = null)
    {
        var results = new List<NanoClrJobResult>();
        boots = 0;
        for (int start = 0; start < jobs.Count;)
        {
            int end = start;
            long bytes = 0;
            while (end < jobs.Count && (end == start || bytes + Size(jobs[end]) <= BytesPerBoot))
            {
                bytes += Size(jobs[end++]);
            }

            var boot = jobs.GetRange(start, end - start);
            if (warmUp is not null)
            {
                boot.Insert(0, warmUp);
            }

            results.AddRange(host.Run(boot).Jobs.Skip(warmUp is null ? 0 : 1));
            boots++;
            start = end;
        }

        return results;
    }

    private static long Size(NanoClrJob job) => job.Model.Length + job.Inputs.Sum(i => (long)i.Length);

    public string Board { get; }

    /// <summary>managed, native or cmsis-nn.</summary>
    public string Kernels { get; }

    public string Firmware { get; }

    public int Boots { get; }

    public TimeSpan Wall { get; }

    /// <summary>Per golden: the golden, the desktop runner that decodes its outputs, the cases run, the operators the native kernels take, the MACs left managed.</summary>
    public Dictionary<string, (Golden Golden, ModelRunner Local, int Cases, int NativeOperators, long ManagedMacs)> Locals { get; } = [];

    public Dictionary<string, NanoClrJobResult> Results { get; } = [];
}

public sealed class CortexM7GoldenRun() : CortexMGoldenRun("cortex-m7", "managed");

public sealed class CortexM4GoldenRun() : CortexMGoldenRun("cortex-m4", "managed");

public sealed class CortexM7NativeGoldenRun() : CortexMGoldenRun("cortex-m7", "native");

public sealed class CortexM4NativeGoldenRun() : CortexMGoldenRun("cortex-m4", "native");

public sealed class CortexM7CmsisNnGoldenRun() : CortexMGoldenRun("cortex-m7", "cmsis-nn");

public sealed class CortexM4CmsisNnGoldenRun() : CortexMGoldenRun("cortex-m4", "cmsis-nn");

[CollectionDefinition(Name)]
public sealed class CortexM7GoldenCollection : ICollectionFixture<CortexM7GoldenRun>
{
    public const string Name = "Cortex-M7 goldens";
}

/// <summary>What every golden run on an emulated board checks: TFLM's bytes for every case it ran, and that every golden ran.</summary>
public abstract class CortexMGoldenChecks(CortexMGoldenRun run, ITestOutputHelper output)
{
    public static TheoryData<string> Goldens() => new(CortexMGoldenRun.Names());

    [Theory]
    [MemberData(nameof(Goldens))]
    public void The_golden_gives_TFLMs_bytes_on_the_emulated_board(string name)
    {
        var (golden, local, cases, native, managedMacs) = run.Locals[name];
        var result = run.Results[name];
        Assert.Equal(cases, NanoClrModelRunner.SamplesIn(local, result));
        Assert.True(cases == golden.CaseCount || managedMacs > CortexMGoldenRun.EveryCaseUpToMacs);
        if (run.Kernels != "managed")
        {
            // The native images run every operator NanoQuant.Native has (int8) in C; the rest stays managed.
            Assert.Equal("native", result.Backend);
            Assert.Equal(native, result.NativeOperators);
        }

        for (int c = 0; c < cases; c++)
        {
            var actual = NanoClrModelRunner.OutputsOf(local, result, c, 1);
            var expected = golden.Outputs(c);
            Assert.Equal(expected.Length, actual.Length);
            for (int o = 0; o < expected.Length; o++)
            {
                Assert.Equal(expected[o].Shape, actual[o].Shape);
                Assert.True(expected[o].ToBytes().AsSpan().SequenceEqual(actual[o].ToBytes()), $"{name} case {c} output {o} differs from TFLM on {run.Board} ({run.Kernels} kernels)");
            }
        }

        // Instructions per Invoke (the virtual clock: 1 ns per instruction, nanoCLR's 100 ns tick): the first
        // Invoke does one-time work too, so it is at least the average.
        double perInvoke = result.SampleMillisecondsPerInvoke * NanoClrHost.InstructionsPerMillisecond;
        Assert.True(perInvoke >= 100, $"{name}: {perInvoke} instructions per Invoke");
        output.WriteLine($"{run.Board} {run.Kernels} {name}: {cases} case(s), {perInvoke:N0} instructions per Invoke, {local.Interpreter.MacCount:N0} MACs");
    }

    [Fact]
    public void Every_golden_ran_and_the_wall_time_is_reported()
    {
        int all = Golden.Int8Names().Count() + Golden.Int16Names().Count();
        int goldens = CortexMGoldenRun.Names().Count();
        Assert.True(all >= 90, $"only {all} goldens found");
        Assert.True(goldens == all || Environment.GetEnvironmentVariable("NANOQUANT_CORTEX_M_MAX_MACS") is not null);
        Assert.Equal(goldens, run.Results.Count);
        Assert.Contains(NanoClrHost.Boards[run.Board] + (run.Kernels == "managed" ? "-" : "-" + run.Kernels + "-"), run.Firmware);
        if (run.Kernels != "managed")
        {
            Assert.True(run.Results.Values.Sum(r => r.NativeOperators) > 100, "the native kernels ran fewer than 100 operators");
        }

        output.WriteLine($"{run.Board} ({run.Kernels} kernels): {goldens} of {all} goldens in {run.Boots} QEMU boots, {run.Wall.TotalSeconds:F0} s wall");
    }
}

/// <summary>Every int8 and 16x8 golden byte-exact on nanoCLR firmware for the emulated Cortex-M7 (QEMU mps2-an500), managed kernels.</summary>
[Collection(CortexM7GoldenCollection.Name)]
public sealed class CortexMGoldenTests(CortexM7GoldenRun run, ITestOutputHelper output) : CortexMGoldenChecks(run, output)
{
    [Fact]
    public void Instruction_counts_are_identical_from_boot_to_boot()
    {
        var host = new NanoClrHost(new NanoClrOptions { Board = "cortex-m7" });
        var golden = Golden.Load("op_conv_3x3_same_relu");
        byte[] model = Converter.ConvertFile(golden.ModelPath).Bytes;
        var first = new NanoClrModelRunner(host).Run(model, golden.Inputs(0), timedRuns: 3, baseline: false);
        var second = new NanoClrModelRunner(host).Run(model, golden.Inputs(0), timedRuns: 3, baseline: false);
        Assert.True(first.Job.MillisecondsPerInvoke > 0);
        Assert.Equal(first.Job.MillisecondsPerInvoke, second.Job.MillisecondsPerInvoke);
        Assert.Equal(first.Job.FirstInvokeMilliseconds, second.Job.FirstInvokeMilliseconds);
        Assert.Equal(first.Job.LoadMilliseconds, second.Job.LoadMilliseconds);
        Assert.Equal(first.Job.FreeAfterLoad, second.Job.FreeAfterLoad);
    }
}

/// <summary>Every int8 and 16x8 golden byte-exact on the emulated Cortex-M4 (QEMU mps2-an386), managed kernels.</summary>
public sealed class CortexM4GoldenTests(CortexM4GoldenRun run, ITestOutputHelper output) : CortexMGoldenChecks(run, output), IClassFixture<CortexM4GoldenRun>;

/// <summary>Every golden, every case, through the Cortex-M7 firmware with NanoQuant.Native and nanoQuant's C kernels (DSP paths).</summary>
public sealed class CortexM7NativeGoldenTests(CortexM7NativeGoldenRun run, ITestOutputHelper output) : CortexMGoldenChecks(run, output), IClassFixture<CortexM7NativeGoldenRun>;

/// <summary>Every golden, every case, through the Cortex-M4 firmware with NanoQuant.Native and nanoQuant's C kernels (DSP paths).</summary>
public sealed class CortexM4NativeGoldenTests(CortexM4NativeGoldenRun run, ITestOutputHelper output) : CortexMGoldenChecks(run, output), IClassFixture<CortexM4NativeGoldenRun>;

/// <summary>Every golden, every case, through the Cortex-M7 firmware with NanoQuant.Native routed to CMSIS-NN.</summary>
public sealed class CortexM7CmsisNnGoldenTests(CortexM7CmsisNnGoldenRun run, ITestOutputHelper output) : CortexMGoldenChecks(run, output), IClassFixture<CortexM7CmsisNnGoldenRun>;

/// <summary>Every golden, every case, through the Cortex-M4 firmware with NanoQuant.Native routed to CMSIS-NN.</summary>
public sealed class CortexM4CmsisNnGoldenTests(CortexM4CmsisNnGoldenRun run, ITestOutputHelper output) : CortexMGoldenChecks(run, output), IClassFixture<CortexM4CmsisNnGoldenRun>;
