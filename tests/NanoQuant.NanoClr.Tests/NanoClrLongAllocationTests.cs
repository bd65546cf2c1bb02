using NanoQuant.Host.Conversion;
using NanoQuant.Host.NanoClr;
using Xunit.Abstractions;

namespace NanoQuant.Tests.NanoClr;

/// <summary>
/// The long allocation check on the real runtime: free managed memory (nanoFramework's GC.Run(false), after a
/// collection) is the same before, every 1,000 calls during, and after 10,000 Invoke calls of kws_ref_model_int8
/// loaded in RAM on nanoCLR. At about 130 ms per Invoke on an idle core that is over 20 minutes, so .ci/run starts
/// this test alone in the background before everything else and leaves it out of its main nanoCLR test run;
/// NANOQUANT_NANOCLR_KWS_INVOKES sets another count (a multiple of 10) for a quicker local run.
/// </summary>
public sealed class NanoClrLongAllocationTests(ITestOutputHelper output)
{
    public const int DefaultInvokes = 10_000;

    private static int Invokes => int.TryParse(Environment.GetEnvironmentVariable("NANOQUANT_NANOCLR_KWS_INVOKES"), out int n) && n > 0 ? n : DefaultInvokes;

    [Fact]
    public void Free_memory_is_constant_across_10000_Invoke_calls_of_kws_on_nanoCLR()
    {
        int invokes = Invokes;
        int every = Math.Max(1, invokes / 10);
        var golden = Golden.Load("kws_ref_model_int8");
        byte[] model = Converter.ConvertFile(golden.ModelPath).Bytes;
        var (job, _) = NanoClrModelRunner.PrepareJob(model, [golden.Inputs(0)]);

        // Its own time limit, well above the usual one: 20 minutes plus 350 ms per Invoke (under three times the idle time).
        var host = new NanoClrHost(new NanoClrOptions { Timeout = TimeSpan.FromMinutes(20) + (invokes * TimeSpan.FromMilliseconds(350)) });
        var result = host.Run([job with { Mode = NanoClrLoadMode.Ram, TimedRuns = invokes, MeasureMemory = true, MeasureMemoryEvery = every, ReturnOutputs = false }]).Jobs[0];
        var during = result.FreeDuringRuns;
        output.WriteLine($"kws_ref_model_int8 on nanoCLR: {invokes:N0} Invoke calls, free managed memory {result.FreeBeforeRuns:N0} bytes before, "
            + $"{string.Join("/", during.Select(d => d.Free).Distinct().Select(f => f.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))} at every {every:N0} calls, "
            + $"{result.FreeAfterRuns:N0} after; {result.MillisecondsPerInvoke:F1} ms per Invoke (with {during.Count} collections)");

        AssertFreeMemoryConstant(result, invokes, every);
    }

    /// <summary>Free managed memory the same before, at every <paramref name="every"/> calls during, and after <paramref name="invokes"/> Invoke calls.</summary>
    internal static void AssertFreeMemoryConstant(NanoClrJobResult result, int invokes, int every)
    {
        // The measure sees real allocations: the load's arena and tables are in it.
        var during = result.FreeDuringRuns;
        Assert.True(result.LoadBytes >= result.ArenaBytes, $"load took {result.LoadBytes} bytes, less than the {result.ArenaBytes}-byte arena");
        Assert.Equal(invokes, result.TimedRuns);
        Assert.True(result.FreeBeforeRuns > 0);
        Assert.Equal(Enumerable.Range(1, invokes / every).Select(k => k * every), during.Select(d => d.Runs));
        Assert.All(during, d => Assert.True(d.Free == result.FreeBeforeRuns, $"after {d.Runs:N0} Invoke calls {d.Free:N0} bytes free, {result.FreeBeforeRuns:N0} before them"));
        Assert.Equal(result.FreeBeforeRuns, result.FreeAfterRuns);
    }
}
