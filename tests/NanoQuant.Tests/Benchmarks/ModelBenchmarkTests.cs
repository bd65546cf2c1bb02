using NanoQuant.Host.Benchmarks;
using NanoQuant.Host.Runtime;

namespace NanoQuant.Tests.Benchmarks;

/// <summary>
/// <see cref="ModelBenchmark.Run"/> in this process: the row's model figures are the model's, the per-operator rows add up
/// to the whole. (On nanoCLR and the emulated board: NanoClrCliTests and CortexMCliTests.)
/// </summary>
public class ModelBenchmarkTests
{
    /// <summary>
    /// Per-operator times against the whole Invoke timed in alternation with them, run by run: their sum lies within this
    /// factor of the whole (the clock reads around each operator add a little; load on the machine slows both alike).
    /// </summary>
    public const double PerOperatorTolerance = 1.5;

    [Fact]
    public void In_this_process_the_row_carries_the_models_figures_and_the_operators_add_up_to_the_whole()
    {
        var model = BenchmarkModel.Load("kws_ref_model_int8", SharedResources.ModelPath("kws_ref_model_int8"), Path.Combine(SharedResources.Golden, "kws_ref_model_int8", "manifest.json"));
        var report = ModelBenchmark.Run(new DotNetRuntime(), [model], new BenchmarkSettings { MinimumTime = TimeSpan.FromSeconds(0.5), PerOperator = true });

        Assert.Equal("dotnet", report.Runtime);
        Assert.Equal(BenchmarkUnit.Milliseconds, report.Unit);
        Assert.Null(report.DotLoopMacsPerUnit);
        var row = Assert.Single(report.Rows);
        using var interpreter = new Interpreter(model.DeviceModel);
        Assert.Equal(2_656_768, row.Macs);
        Assert.Equal(interpreter.MacCount, row.Macs);
        Assert.Equal((16_000, 16_000, 24_000, 53_936L), (row.ArenaBytes, row.LowerBoundBytes, row.TfliteMicroArenaBytes, row.TfliteBytes));
        Assert.Equal(model.DeviceModel.Length, row.DeviceModelBytes);
        Assert.Equal(0, row.Timing.BytesAllocatedPerInvoke);
        Assert.Null(row.Timing.Ratio);
        Assert.Null(row.InstructionsPerInvoke);
        Assert.True(row.MillisecondsPerInvoke > 0 && row.Timing.TimedRuns >= 1);
        Assert.Equal(row.Macs / row.MillisecondsPerInvoke!.Value * 1000, row.MacsPerUnit, 6);

        // Every operator, in order, with its own MACs: they sum to the model's; their times to the whole Invoke's.
        Assert.Equal(interpreter.OperatorCount, row.Operators.Count);
        Assert.Equal(Enumerable.Range(0, interpreter.OperatorCount), row.Operators.Select(o => o.Index));
        Assert.Equal(["Conv2D", "DepthwiseConv2D"], row.Operators.Take(2).Select(o => o.Operator));
        Assert.Equal(row.Macs, row.Operators.Sum(o => o.Macs));
        double sum = row.Operators.Sum(o => o.PerInvoke);
        Assert.InRange(sum / row.MillisecondsPerInvoke.Value, 1 / PerOperatorTolerance, PerOperatorTolerance);
        Assert.Equal(1.0, row.Operators.Sum(o => o.Share), 9);
        Assert.All(row.Operators, o => Assert.Null(o.Ratio));
    }

    [Fact]
    public void A_versus_model_is_timed_in_alternation_and_only_in_this_process()
    {
        var int8 = BenchmarkModel.Load("hello_world_int8", SharedResources.ModelPath("hello_world_int8"));
        var report = ModelBenchmark.Run(new DotNetRuntime(), [int8 with { Versus = int8 }], new BenchmarkSettings { MinimumTime = TimeSpan.FromSeconds(0.1) });
        var versus = report.Rows[0].Timing.Versus!;
        Assert.Equal(("hello_world_int8", ModelBenchmark.ComparisonRounds), (versus.Model, versus.Rounds));
        Assert.InRange(versus.Ratio, versus.RatioMin, versus.RatioMax);
        Assert.Equal(ModelBenchmark.ComparisonRounds, report.Rows[0].Timing.Rounds);

        var nanoClr = ModelRuntimes.Create(ModelRuntimes.NanoClr);
        var e = Assert.Throws<ArgumentException>(() => ModelBenchmark.Run(nanoClr, [int8 with { Versus = int8 }], new BenchmarkSettings()));
        Assert.Contains("--versus", e.Message);
    }
}
