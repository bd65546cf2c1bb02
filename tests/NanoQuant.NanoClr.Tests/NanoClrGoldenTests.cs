using NanoQuant.Host.Conversion;
using NanoQuant.Host.NanoClr;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Runtime;

namespace NanoQuant.Tests.NanoClr;

/// <summary>Every int8 golden, every case, byte-exact on nanoCLR (the device oracle).</summary>
public sealed class NanoClrGoldenTests
{
    public static TheoryData<string> Int8Goldens() => new(Golden.Int8Names());

    [Theory]
    [MemberData(nameof(Int8Goldens))]
    public void Every_case_gives_TFLMs_bytes_on_nanoCLR(string name)
    {
        var golden = Golden.Load(name);
        byte[] model = Converter.ConvertFile(golden.ModelPath).Bytes;
        var runner = new NanoClrModelRunner(new NanoClrHost());
        for (int c = 0; c < golden.CaseCount; c++)
        {
            var result = runner.Run(model, golden.Inputs(c), timedRuns: 0, baseline: false);
            var expected = golden.Outputs(c);
            Assert.Equal(expected.Length, result.Outputs.Length);
            for (int o = 0; o < expected.Length; o++)
            {
                Assert.True(expected[o].ToBytes().AsSpan().SequenceEqual(result.Outputs[o].ToBytes()), $"{name} case {c} output {o} differs from TFLM on nanoCLR");
            }
        }
    }
}
