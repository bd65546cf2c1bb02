using NanoQuant.Host.NanoClr;

namespace NanoQuant.Tests;

/// <summary>The timing lines of nanoclr/runner/RoundTiming.cs as the host reads them.</summary>
public class NanoClrRoundTests
{
    [Fact]
    public void Rounds_and_operator_times_are_read_for_their_job_only()
    {
        string[] lines =
        [
            "nq:load 1 ticks=5 arena=32 operators=2 macs=288 freeBefore=0 freeAfterLoad=0 backend=managed nativeOperators=0",
            "nq:round 1 0 ticks=20000 runs=10 baseline=4000000",
            "nq:round 0 0 ticks=99 runs=1 baseline=1",
            "nq:round 1 1 ticks=30000 runs=10 baseline=2000000",
            "nq:op 1 0 ticks=5000 runs=10 kernel=cmsis-nn",
            "nq:op 1 1 ticks=15000 runs=10 kernel=managed",
            "nq:opbaseline 1 baseline=3000000",
        ];
        var (rounds, operators, kernels, baseline) = NanoClrRound.Parse(lines, "1", 10_000);
        Assert.Equal([new NanoClrRound(0.2, 4_000_000), new NanoClrRound(0.3, 2_000_000)], rounds);
        Assert.Equal([0.05, 0.15], operators);
        Assert.Equal(["cmsis-nn", "managed"], kernels);
        Assert.Equal(3_000_000, baseline);

        // 288 MACs in 0.2 ms = 1.44 M MAC/s against the dot loop's 4 M MAC/s.
        Assert.Equal(0.36, rounds[0].Ratio(288), 6);
        Assert.True(double.IsNaN(new NanoClrRound(0.2, 0).Ratio(288)));
    }

    [Fact]
    public void Operator_times_out_of_order_are_refused()
    {
        var e = Assert.Throws<NanoClrException>(() => NanoClrRound.Parse(["nq:op 0 1 ticks=5 runs=1 kernel=native"], "0", 10_000));
        Assert.Contains("out of order", e.Message);
    }

    [Fact]
    public void An_operator_timing_without_its_kernel_is_refused()
    {
        var e = Assert.Throws<NanoClrException>(() => NanoClrRound.Parse(["nq:op 0 0 ticks=5 runs=1"], "0", 10_000));
        Assert.Contains("timing of operator 0 names no kernel", e.Message);
    }
}
