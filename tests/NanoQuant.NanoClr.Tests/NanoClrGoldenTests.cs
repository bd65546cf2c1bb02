using NanoQuant.Host.Conversion;
using NanoQuant.Host.NanoClr;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Runtime;

namespace NanoQuant.Tests.NanoClr;

/// <summary>
/// Runs every int8 golden model on nanoCLR, every case, in one nanoCLR process (each case one sample of
/// the model's job), loaded from a byte array (the in-RAM loader). Shared by the tests below.
/// </summary>
public sealed class NanoClrGoldenRun
{
    public NanoClrGoldenRun()
    {
        var host = new NanoClrHost();
        var jobs = new List<NanoClrJob>();
        foreach (string name in Golden.Int8Names())
        {
            var golden = Golden.Load(name);
            byte[] model = Converter.ConvertFile(golden.ModelPath).Bytes;
            var cases = Enumerable.Range(0, golden.CaseCount).Select(c => (IReadOnlyList<NpyArray>)golden.Inputs(c)).ToList();
            var (job, local) = NanoClrModelRunner.PrepareJob(model, cases);
            Locals[name] = (golden, local, jobs.Count);
            jobs.Add(job with { Mode = NanoClrLoadMode.Ram });
        }

        Batch = host.Run(jobs);
    }

    public Dictionary<string, (Golden Golden, ModelRunner Local, int Job)> Locals { get; } = [];

    public NanoClrBatchResult Batch { get; }
}

/// <summary>Every int8 golden in ../shared/golden, every case, byte-exact on nanoCLR (the device oracle).</summary>
public sealed class NanoClrGoldenTests(NanoClrGoldenRun run) : IClassFixture<NanoClrGoldenRun>
{
    public static TheoryData<string> Int8Goldens() => new(Golden.Int8Names());

    [Theory]
    [MemberData(nameof(Int8Goldens))]
    public void Every_case_gives_TFLMs_bytes_on_nanoCLR(string name)
    {
        var (golden, local, job) = run.Locals[name];
        var result = run.Batch.Jobs[job];
        Assert.Equal(golden.CaseCount, result.Outputs.Count == 0 ? 0 : result.Outputs[0].Length / local.Interpreter.GetOutput(0).Length);
        for (int c = 0; c < golden.CaseCount; c++)
        {
            var actual = NanoClrModelRunner.OutputsOf(local, result, c, 1);
            var expected = golden.Outputs(c);
            Assert.Equal(expected.Length, actual.Length);
            for (int o = 0; o < expected.Length; o++)
            {
                Assert.True(expected[o].ToBytes().AsSpan().SequenceEqual(actual[o].ToBytes()), $"{name} case {c} output {o} differs from TFLM on nanoCLR");
            }
        }
    }

    [Fact]
    public void Every_int8_golden_ran()
    {
        Assert.True(run.Locals.Count >= 60, $"only {run.Locals.Count} int8 goldens found");
        Assert.Equal(run.Locals.Count, run.Batch.Jobs.Count);
    }
}
