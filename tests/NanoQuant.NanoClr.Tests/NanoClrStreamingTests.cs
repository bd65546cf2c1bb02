using NanoQuant.Host.Conversion;
using NanoQuant.Host.NanoClr;
using NanoQuant.Host.Npy;

namespace NanoQuant.Tests.NanoClr;

/// <summary>Every int8 golden, every case, loaded on nanoCLR from a Stream with its weights streamed per operator.</summary>
public sealed class NanoClrStreamedRun
{
    public NanoClrStreamedRun()
    {
        var jobs = new List<NanoClrJob>();
        foreach (string name in Golden.Int8Names())
        {
            var golden = Golden.Load(name);
            byte[] model = Converter.ConvertFile(golden.ModelPath).Bytes;
            var cases = Enumerable.Range(0, golden.CaseCount).Select(c => (IReadOnlyList<NpyArray>)golden.Inputs(c)).ToList();
            var (job, local) = NanoClrModelRunner.PrepareJob(model, cases);
            Locals[name] = (golden, local, jobs.Count);
            jobs.Add(job with { Mode = NanoClrLoadMode.StreamWeights });
        }

        Batch = new NanoClrHost().Run(jobs);
    }

    public Dictionary<string, (Golden Golden, NanoQuant.Host.Runtime.ModelRunner Local, int Job)> Locals { get; } = [];

    public NanoClrBatchResult Batch { get; }
}

/// <summary>
/// The streaming loader (<c>ModelLoadMode.StreamWeights</c> over a <c>Stream</c>) on nanoCLR gives the in-RAM
/// loader's bytes — TFLM's — for every int8 golden and case; the other stream paths on a few models.
/// </summary>
public sealed class NanoClrStreamingTests(NanoClrStreamedRun streamed, NanoClrGoldenRun inRam) : IClassFixture<NanoClrStreamedRun>, IClassFixture<NanoClrGoldenRun>
{
    public static TheoryData<string> Int8Goldens() => new(Golden.Int8Names());

    [Theory]
    [MemberData(nameof(Int8Goldens))]
    public void Streamed_weights_give_the_in_RAM_bytes_on_nanoCLR(string name)
    {
        var (golden, local, job) = streamed.Locals[name];
        var result = streamed.Batch.Jobs[job];
        var ram = inRam.Batch.Jobs[inRam.Locals[name].Job];
        Assert.Equal(NanoClrLoadMode.StreamWeights, result.Mode);
        Assert.Equal(ram.Outputs.Count, result.Outputs.Count);
        for (int o = 0; o < ram.Outputs.Count; o++)
        {
            Assert.True(ram.Outputs[o].AsSpan().SequenceEqual(result.Outputs[o]), $"{name} output {o}: streamed differs from in-RAM on nanoCLR");
        }

        for (int c = 0; c < golden.CaseCount; c++)
        {
            var actual = NanoClrModelRunner.OutputsOf(local, result, c, 1);
            var expected = golden.Outputs(c);
            for (int o = 0; o < expected.Length; o++)
            {
                Assert.True(expected[o].ToBytes().AsSpan().SequenceEqual(actual[o].ToBytes()), $"{name} case {c} output {o} differs from TFLM (streamed on nanoCLR)");
            }
        }
    }

    [Theory]
    [InlineData("kws_ref_model_int8")]
    [InlineData("micro_speech_quantized")]
    public void Stream_into_RAM_and_a_stream_over_the_resource_give_the_same_bytes(string name)
    {
        var (golden, _, job) = inRam.Locals[name];
        var ram = inRam.Batch.Jobs[job];
        byte[] model = Converter.ConvertFile(golden.ModelPath).Bytes;
        var cases = Enumerable.Range(0, golden.CaseCount).Select(c => (IReadOnlyList<NpyArray>)golden.Inputs(c)).ToList();
        var (prepared, _) = NanoClrModelRunner.PrepareJob(model, cases);
        var batch = new NanoClrHost().Run([prepared with { Mode = NanoClrLoadMode.StreamCopyToRam }, prepared with { Mode = NanoClrLoadMode.ResourceStreamWeights }]);
        foreach (var result in batch.Jobs)
        {
            for (int o = 0; o < ram.Outputs.Count; o++)
            {
                Assert.True(ram.Outputs[o].AsSpan().SequenceEqual(result.Outputs[o]), $"{name} output {o}: {result.Mode} differs from in-RAM on nanoCLR");
            }
        }
    }
}
