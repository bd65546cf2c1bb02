using NanoQuant.Host.Conversion;
using NanoQuant.Host.NanoClr;
using NanoQuant.Host.Npy;

namespace NanoQuant.Tests.NanoClr;

/// <summary>
/// The streaming loader (<c>ModelLoadMode.StreamWeights</c> over a <c>Stream</c>) on nanoCLR gives the in-RAM
/// loader's bytes — TFLM's — for every int8 and 16x8 golden and case; the other stream paths on a few models.
/// </summary>
[Collection(NanoClrGoldenCollection.Name)]
public sealed class NanoClrStreamingTests(NanoClrGoldenRun run)
{
    public static TheoryData<string> Int8And16x8Goldens() => new(Golden.Int8Names().Concat(Golden.Int16Names()));

    [Theory]
    [MemberData(nameof(Int8And16x8Goldens))]
    public void Streamed_weights_give_the_in_RAM_bytes_on_nanoCLR(string name)
    {
        var (golden, local, job) = run.Locals[name];
        var result = run.Streamed.Jobs[job];
        var ram = run.InRam.Jobs[job];
        Assert.Equal(NanoClrLoadMode.StreamWeights, result.Mode);
        Assert.Equal(ram.Outputs.Count, result.Outputs.Count);
        for (int o = 0; o < ram.Outputs.Count; o++)
        {
            Assert.True(ram.Outputs[o].AsSpan().SequenceEqual(result.Outputs[o]), $"{name} output {o}: streamed differs from in-RAM on nanoCLR");
        }

        NanoClrGoldenTests.AssertGolden(name, golden, local, result);
    }

    [Theory]
    [InlineData("kws_ref_model_int8")]
    [InlineData("micro_speech_quantized")]
    public void Stream_into_RAM_and_a_stream_over_the_resource_give_the_same_bytes(string name)
    {
        var (golden, _, job) = run.Locals[name];
        var ram = run.InRam.Jobs[job];
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
