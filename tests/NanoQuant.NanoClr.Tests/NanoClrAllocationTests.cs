using NanoQuant.Host.Conversion;
using NanoQuant.Host.NanoClr;
using NanoQuant.Host.Npy;
using Xunit.Abstractions;

namespace NanoQuant.Tests.NanoClr;

/// <summary>
/// Invoke allocates nothing on the real runtime: free managed memory (nanoFramework's GC.Run(false), which
/// collects garbage first, so it shows memory kept, not transient garbage; the desktop test with
/// GC.GetAllocatedBytesForCurrentThread covers that) is the same before and after many Invoke calls.
/// </summary>
public sealed class NanoClrAllocationTests(ITestOutputHelper output)
{
    /// <summary>Invoke calls of kws_ref_model_int8 here (about 130 ms each on an idle core); the 10,000-call run is <see cref="NanoClrLongAllocationTests"/>.</summary>
    private const int KwsInvokes = 100;

    [Theory]
    [InlineData("kws_ref_model_int8", NanoClrLoadMode.Ram, 0)]
    [InlineData("kws_ref_model_int8", NanoClrLoadMode.StreamWeights, 20)]
    [InlineData("hello_world_int8", NanoClrLoadMode.Ram, 10_000)]
    [InlineData("op_conv_3x3_same_relu", NanoClrLoadMode.Ram, 10_000)]
    public void Free_memory_is_unchanged_across_Invoke_calls_on_nanoCLR(string name, NanoClrLoadMode mode, int invokes)
    {
        invokes = invokes == 0 ? KwsInvokes : invokes;
        var golden = Golden.Load(name);
        byte[] model = Converter.ConvertFile(golden.ModelPath).Bytes;
        var (job, _) = NanoClrModelRunner.PrepareJob(model, [golden.Inputs(0)]);
        var result = new NanoClrHost().Run([job with { Mode = mode, TimedRuns = invokes, MeasureMemory = true, ReturnOutputs = false }]).Jobs[0];
        output.WriteLine($"{name} ({mode}): free {result.FreeBeforeRuns:N0} bytes before {invokes:N0} Invoke calls, {result.FreeAfterRuns:N0} after; {result.MillisecondsPerInvoke:F2} ms per Invoke; load took {result.LoadBytes:N0} bytes");

        // The measure sees real allocations: the load's arena and tables are in it.
        Assert.True(result.LoadBytes >= result.ArenaBytes, $"load took {result.LoadBytes} bytes, less than the {result.ArenaBytes}-byte arena");
        Assert.Equal(invokes, result.TimedRuns);
        Assert.True(result.FreeBeforeRuns > 0);
        Assert.Equal(result.FreeBeforeRuns, result.FreeAfterRuns);
    }
}
