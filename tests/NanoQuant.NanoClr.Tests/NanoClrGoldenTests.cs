using NanoQuant.Host.Conversion;
using NanoQuant.Host.NanoClr;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Runtime;

namespace NanoQuant.Tests.NanoClr;

/// <summary>
/// Every int8 golden model on nanoCLR, every case (each case one sample of the model's job), twice: loaded
/// from a byte array (the in-RAM loader) and from a Stream with its weights streamed per operator; free
/// managed memory measured around each load. The board samples' bundled sine model runs too (for the RAM
/// table). Shared by the tests of the "nanoCLR goldens" collection.
/// </summary>
public sealed class NanoClrGoldenRun
{
    public const string BundledModel = "sine";

    public NanoClrGoldenRun()
    {
        var host = new NanoClrHost();
        var jobs = new List<NanoClrJob>();
        var names = new List<string>();
        foreach (string name in Golden.Int8Names())
        {
            var golden = Golden.Load(name);
            byte[] model = Converter.ConvertFile(golden.ModelPath).Bytes;
            var cases = Enumerable.Range(0, golden.CaseCount).Select(c => (IReadOnlyList<NpyArray>)golden.Inputs(c)).ToList();
            var (job, local) = NanoClrModelRunner.PrepareJob(model, cases);
            Locals[name] = (golden, local, jobs.Count);
            names.Add(name);
            Models[name] = model;
            jobs.Add(job);
        }

        byte[] sine = File.ReadAllBytes(Path.Combine(SharedResources.ProjectRoot, "hardware", "common", "Resources", "sine.nq"));
        var sineInput = File.ReadAllBytes(Path.Combine(SharedResources.ProjectRoot, "hardware", "common", "Resources", "sine.input.bin"));
        names.Add(BundledModel);
        Models[BundledModel] = sine;
        jobs.Add(new NanoClrJob(sine, [sineInput], sineInput.Length));

        InRam = host.Run(jobs.Select(j => j with { Mode = NanoClrLoadMode.Ram, MeasureMemory = true }).ToList());
        Streamed = host.Run(jobs.Select(j => j with { Mode = NanoClrLoadMode.StreamWeights, MeasureMemory = true }).ToList());
        Names = names;
    }

    /// <summary>Per golden: the golden, the desktop runner that decodes its outputs, its job index in both batches.</summary>
    public Dictionary<string, (Golden Golden, ModelRunner Local, int Job)> Locals { get; } = [];

    /// <summary>Every model run, in job order (the int8 goldens, then <see cref="BundledModel"/>).</summary>
    public IReadOnlyList<string> Names { get; }

    public Dictionary<string, byte[]> Models { get; } = [];

    public NanoClrBatchResult InRam { get; }

    public NanoClrBatchResult Streamed { get; }
}

[CollectionDefinition(Name)]
public sealed class NanoClrGoldenCollection : ICollectionFixture<NanoClrGoldenRun>
{
    public const string Name = "nanoCLR goldens";
}

/// <summary>Every int8 golden in ../shared/golden, every case, byte-exact on nanoCLR (the device oracle).</summary>
[Collection(NanoClrGoldenCollection.Name)]
public sealed class NanoClrGoldenTests(NanoClrGoldenRun run)
{
    public static TheoryData<string> Int8Goldens() => new(Golden.Int8Names());

    [Theory]
    [MemberData(nameof(Int8Goldens))]
    public void Every_case_gives_TFLMs_bytes_on_nanoCLR(string name)
    {
        var (golden, local, job) = run.Locals[name];
        var result = run.InRam.Jobs[job];
        Assert.Equal(NanoClrLoadMode.Ram, result.Mode);
        AssertGolden(name, golden, local, result);
    }

    [Fact]
    public void Every_int8_golden_ran()
    {
        Assert.True(run.Locals.Count >= 60, $"only {run.Locals.Count} int8 goldens found");
        Assert.Equal(run.Locals.Count + 1, run.InRam.Jobs.Count);
    }

    internal static void AssertGolden(string name, Golden golden, ModelRunner local, NanoClrJobResult result)
    {
        Assert.Equal(golden.CaseCount, result.Outputs[0].Length / local.Interpreter.GetOutput(0).Length);
        for (int c = 0; c < golden.CaseCount; c++)
        {
            var actual = NanoClrModelRunner.OutputsOf(local, result, c, 1);
            var expected = golden.Outputs(c);
            Assert.Equal(expected.Length, actual.Length);
            for (int o = 0; o < expected.Length; o++)
            {
                Assert.True(expected[o].ToBytes().AsSpan().SequenceEqual(actual[o].ToBytes()), $"{name} case {c} output {o} differs from TFLM on nanoCLR ({result.Mode})");
            }
        }
    }
}
