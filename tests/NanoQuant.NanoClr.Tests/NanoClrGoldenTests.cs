using NanoQuant.Host.Conversion;
using NanoQuant.Host.NanoClr;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Runtime;

namespace NanoQuant.Tests.NanoClr;

/// <summary>
/// Every int8 golden model on nanoCLR, every case (each case one sample of the model's job), twice: loaded
/// from a byte array (the in-RAM loader) and from a Stream with its weights streamed per operator; free
/// managed memory measured around each load. The board samples' bundled sine model runs too (for the RAM
/// table), then every 16x8 golden (int16 inputs and outputs). Shared by the tests of the "nanoCLR goldens" collection.
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

        // The 16x8 goldens after the models of the RAM table (Names): int16 tensors travel as little-endian byte pairs.
        foreach (string name in Golden.Int16Names())
        {
            var golden = Golden.Load(name);
            byte[] model = Converter.ConvertFile(golden.ModelPath).Bytes;
            var cases = Enumerable.Range(0, golden.CaseCount).Select(c => (IReadOnlyList<NpyArray>)golden.Inputs(c)).ToList();
            var (job, local) = NanoClrModelRunner.PrepareJob(model, cases);
            Locals[name] = (golden, local, jobs.Count);
            jobs.Add(job);
        }

        InRam = host.Run(jobs.Select(j => j with { Mode = NanoClrLoadMode.Ram, MeasureMemory = true }).ToList());
        Streamed = host.Run(jobs.Select(j => j with { Mode = NanoClrLoadMode.StreamWeights, MeasureMemory = true }).ToList());
        Names = names;
    }

    /// <summary>Per golden: the golden, the desktop runner that decodes its outputs, its job index in both batches.</summary>
    public Dictionary<string, (Golden Golden, ModelRunner Local, int Job)> Locals { get; } = [];

    /// <summary>The models of the RAM table, in job order (the int8 goldens, then <see cref="BundledModel"/>); the 16x8 goldens' jobs follow.</summary>
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

/// <summary>Every int8 and 16x8 golden in ../shared/golden, every case, byte-exact on nanoCLR (the device oracle).</summary>
[Collection(NanoClrGoldenCollection.Name)]
public sealed class NanoClrGoldenTests(NanoClrGoldenRun run)
{
    public static TheoryData<string> Int8Goldens() => new(Golden.Int8Names());

    public static TheoryData<string> Int16Goldens() => new(Golden.Int16Names());

    [Theory]
    [MemberData(nameof(Int8Goldens))]
    public void Every_case_gives_TFLMs_bytes_on_nanoCLR(string name)
    {
        var (golden, local, job) = run.Locals[name];
        var result = run.InRam.Jobs[job];
        Assert.Equal(NanoClrLoadMode.Ram, result.Mode);
        AssertGolden(name, golden, local, result);
    }

    [Theory]
    [MemberData(nameof(Int16Goldens))]
    public void Every_case_of_a_16x8_golden_gives_TFLMs_bytes_on_nanoCLR(string name)
    {
        var (golden, local, job) = run.Locals[name];
        var result = run.InRam.Jobs[job];
        Assert.Equal(NanoClrLoadMode.Ram, result.Mode);
        var interpreter = local.Interpreter;
        var types = Enumerable.Range(0, interpreter.InputCount).Select(i => interpreter.GetInput(i).Type)
            .Concat(Enumerable.Range(0, interpreter.OutputCount).Select(o => interpreter.GetOutput(o).Type));
        Assert.Contains(Format.TensorType.Int16, types);
        AssertGolden(name, golden, local, result);
    }

    [Fact]
    public void Every_int8_and_16x8_golden_ran()
    {
        int int8 = Golden.Int8Names().Count(), int16 = Golden.Int16Names().Count();
        Assert.True(int8 >= 60, $"only {int8} int8 goldens found");
        Assert.True(int16 >= 30, $"only {int16} 16x8 goldens found");
        Assert.Equal(int8 + int16, run.Locals.Count);
        Assert.Equal(int8 + 1 + int16, run.InRam.Jobs.Count);
        Assert.Equal(int8 + 1, run.Names.Count);
    }

    internal static void AssertGolden(string name, Golden golden, ModelRunner local, NanoClrJobResult result)
    {
        Assert.Equal(golden.CaseCount, NanoClrModelRunner.SamplesIn(local, result));
        for (int c = 0; c < golden.CaseCount; c++)
        {
            var actual = NanoClrModelRunner.OutputsOf(local, result, c, 1);
            var expected = golden.Outputs(c);
            Assert.Equal(expected.Length, actual.Length);
            for (int o = 0; o < expected.Length; o++)
            {
                Assert.Equal(expected[o].Type, actual[o].Type);
                Assert.Equal(expected[o].Shape, actual[o].Shape);
                Assert.True(expected[o].ToBytes().AsSpan().SequenceEqual(actual[o].ToBytes()), $"{name} case {c} output {o} differs from TFLM on nanoCLR ({result.Mode})");
            }
        }
    }
}
