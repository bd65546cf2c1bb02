using NanoQuant.Format;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.NanoClr;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Runtime;

namespace NanoQuant.Tests.NanoClr;

/// <summary>
/// Every int8 golden model, every case, in one run of the nanoCLR built with the native kernels and the
/// NanoQuant.Native Interop assembly (native/build.sh; built on first use, then cached).
/// </summary>
public sealed class NanoClrNativeGoldenRun
{
    public static readonly OperatorType[] NativeOperators =
    [
        OperatorType.Conv2D, OperatorType.DepthwiseConv2D, OperatorType.FullyConnected, OperatorType.AveragePool2D,
        OperatorType.MaxPool2D, OperatorType.Add, OperatorType.Sub, OperatorType.Mul, OperatorType.Softmax, OperatorType.Mean,
    ];

    public NanoClrNativeGoldenRun()
    {
        var host = new NanoClrHost(new NanoClrOptions { NativeKernels = true });
        var jobs = new List<NanoClrJob>();
        foreach (string name in Golden.Int8Names())
        {
            var golden = Golden.Load(name);
            var conversion = Converter.ConvertFile(golden.ModelPath);
            var cases = Enumerable.Range(0, golden.CaseCount).Select(c => (IReadOnlyList<NpyArray>)golden.Inputs(c)).ToList();
            var (job, local) = NanoClrModelRunner.PrepareJob(conversion.Bytes, cases);
            int native = conversion.Model.Operators.Count(o => NativeOperators.Contains(o.Type));
            Locals[name] = (golden, local, jobs.Count, native);
            jobs.Add(job with { Mode = NanoClrLoadMode.Ram });
        }

        Batch = host.Run(jobs);
    }

    public Dictionary<string, (Golden Golden, ModelRunner Local, int Job, int NativeOperators)> Locals { get; } = [];

    public NanoClrBatchResult Batch { get; }
}

/// <summary>
/// The native backend on nanoCLR: every int8 golden byte-exact with the C kernels running inside nanoCLR;
/// and the Interop assembly on the kit's stock nanoCLR (no native part) falls back to the managed kernels.
/// </summary>
public sealed class NanoClrNativeGoldenTests(NanoClrNativeGoldenRun run) : IClassFixture<NanoClrNativeGoldenRun>
{
    public static TheoryData<string> Int8Goldens() => new(Golden.Int8Names());

    [Theory]
    [MemberData(nameof(Int8Goldens))]
    public void Every_case_gives_TFLMs_bytes_through_the_native_kernels(string name)
    {
        var (golden, local, job, native) = run.Locals[name];
        var result = run.Batch.Jobs[job];
        Assert.Equal("native", result.Backend);
        Assert.Equal(native, result.NativeOperators);
        for (int c = 0; c < golden.CaseCount; c++)
        {
            var actual = NanoClrModelRunner.OutputsOf(local, result, c, 1);
            var expected = golden.Outputs(c);
            Assert.Equal(expected.Length, actual.Length);
            for (int o = 0; o < expected.Length; o++)
            {
                Assert.True(expected[o].ToBytes().AsSpan().SequenceEqual(actual[o].ToBytes()),
                    $"{name} case {c} output {o} differs from TFLM through the native kernels on nanoCLR");
            }
        }
    }

    [Fact]
    public void Every_int8_golden_ran_natively()
    {
        Assert.True(run.Locals.Count >= 60, $"only {run.Locals.Count} int8 goldens found");
        Assert.Equal(run.Locals.Count, run.Batch.Jobs.Count);
        Assert.All(run.Batch.Jobs, j => Assert.Equal("native", j.Backend));
        Assert.True(run.Batch.Jobs.Sum(j => j.NativeOperators) > 100);
    }

    [Fact]
    public void On_the_stock_nanoCLR_the_Interop_assembly_finds_no_native_part()
    {
        // The kit's nanoCLR has no NanoQuant.Native table: NativeKernels.IsAvailable is false (the probe's
        // NotSupportedException is caught), so TryUse leaves the managed kernels; the runner then refuses
        // the native run it was asked for, which is what this checks.
        var stock = new NanoClrHost();
        var host = new NanoClrHost(new NanoClrOptions { NativeKernels = true, NanoClrPath = stock.NanoClrPath });
        host.Build();
        var golden = Golden.Load("op_conv_3x3_same_relu");
        byte[] model = Converter.ConvertFile(golden.ModelPath).Bytes;
        var error = Assert.Throws<NanoClrException>(() => new NanoClrModelRunner(host).Run(model, golden.Inputs(0), timedRuns: 0, baseline: false));
        Assert.Contains("no NanoQuant.Native native part", error.Message);

        // The same model, managed, on the same stock nanoCLR: byte-exact, managed kernels.
        var managed = new NanoClrModelRunner(stock).Run(model, golden.Inputs(0), timedRuns: 0, baseline: false);
        Assert.Equal("managed", managed.Job.Backend);
        Assert.True(golden.Outputs(0)[0].ToBytes().AsSpan().SequenceEqual(managed.Outputs[0].ToBytes()));
    }
}
