using NanoQuant.Format;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.NanoClr;

namespace NanoQuant.Tests.NanoClr;

/// <summary>
/// The native backend on nanoCLR: nanoCLR built with the C kernels and the NanoQuant.Native Interop
/// assembly (native/build.sh), every int8 golden byte-exact with the native kernels running; and the
/// Interop assembly on the kit's stock nanoCLR (no native part) falls back to the managed kernels.
/// </summary>
public sealed class NanoClrNativeGoldenTests
{
    private static readonly OperatorType[] NativeOperators =
    [
        OperatorType.Conv2D, OperatorType.DepthwiseConv2D, OperatorType.FullyConnected, OperatorType.AveragePool2D,
        OperatorType.MaxPool2D, OperatorType.Add, OperatorType.Sub, OperatorType.Mul, OperatorType.Softmax, OperatorType.Mean,
    ];

    public static TheoryData<string> Int8Goldens() => new(Golden.Int8Names());

    [Theory]
    [MemberData(nameof(Int8Goldens))]
    public void Every_case_gives_TFLMs_bytes_through_the_native_kernels(string name)
    {
        var golden = Golden.Load(name);
        var conversion = Converter.ConvertFile(golden.ModelPath);
        int native = conversion.Model.Operators.Count(o => NativeOperators.Contains(o.Type));
        var runner = new NanoClrModelRunner(new NanoClrHost(new NanoClrOptions { NativeKernels = true }));
        for (int c = 0; c < golden.CaseCount; c++)
        {
            var result = runner.Run(conversion.Bytes, golden.Inputs(c), timedRuns: 0, baseline: false);
            Assert.Equal("native", result.Job.Backend);
            Assert.Equal(native, result.Job.NativeOperators);
            var expected = golden.Outputs(c);
            Assert.Equal(expected.Length, result.Outputs.Length);
            for (int o = 0; o < expected.Length; o++)
            {
                Assert.True(expected[o].ToBytes().AsSpan().SequenceEqual(result.Outputs[o].ToBytes()),
                    $"{name} case {c} output {o} differs from TFLM through the native kernels on nanoCLR");
            }
        }
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
