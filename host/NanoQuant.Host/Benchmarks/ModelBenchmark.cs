using NanoQuant.Host.DeviceModels;
using NanoQuant.Host.Runtime;

namespace NanoQuant.Host.Benchmarks;

/// <summary>
/// `bench`, on any <see cref="IModelRuntime"/> (a benchmark, not a test): the runtime times the models its own way
/// (<see cref="IModelRuntime.Time"/>: wall clock in this process, rounds against the dot loop on nanoCLR, exact
/// instruction counts on an emulated board); this joins each timing with the model's own figures into one row shape.
/// </summary>
public static class ModelBenchmark
{
    /// <summary>Timing rounds of a --versus comparison (each: the model, then the other, then the other, then the model).</summary>
    public const int ComparisonRounds = 10;

    /// <summary>
    /// Measures <paramref name="models"/> on <paramref name="runtime"/>; <paramref name="measured"/> is told of each
    /// model as its figures come (index, row), e.g. for progress.
    /// </summary>
    public static BenchmarkReport Run(IModelRuntime runtime, IReadOnlyList<BenchmarkModel> models, BenchmarkSettings settings, Action<int, BenchmarkRow>? measured = null)
    {
        var rows = new BenchmarkRow[models.Count];
        var timings = runtime.Time(models, settings, (m, timing) =>
        {
            rows[m] = Row(runtime, models[m], timing, settings.PerOperator);
            measured?.Invoke(m, rows[m]);
        });
        for (int m = 0; m < models.Count; m++)
        {
            rows[m] ??= Row(runtime, models[m], timings.Models[m], settings.PerOperator);
        }

        return new BenchmarkReport(runtime.Name, runtime.BenchmarkUnit, timings.DotLoopMacsPerUnit, rows);
    }

    private static BenchmarkRow Row(IModelRuntime runtime, BenchmarkModel model, BenchmarkTiming timing, bool perOperator) =>
        new(model.Name, runtime.Name, runtime.BenchmarkUnit, model.Macs, timing)
        {
            ArenaBytes = model.ArenaBytes,
            LowerBoundBytes = model.LowerBoundBytes,
            TfliteMicroArenaBytes = model.TfliteMicroArenaBytes,
            DeviceModelBytes = model.DeviceModel.Length,
            TfliteBytes = model.TfliteBytes,
            Operators = perOperator ? OperatorRows(model, timing) : [],
        };

    /// <summary>
    /// Each operator's name and MACs from the model, its cost from the runtime, its share of the operators' total, and
    /// where the runtime ran the dot loop after them, its MAC rate ÷ the loop's.
    /// </summary>
    private static List<BenchmarkOperatorRow> OperatorRows(BenchmarkModel model, BenchmarkTiming timing)
    {
        using var interpreter = new Interpreter(model.DeviceModel);
        var operators = DeviceModelReader.Read(model.DeviceModel).Operators;
        double total = timing.Operators.Sum();
        var rows = new List<BenchmarkOperatorRow>();
        for (int i = 0; i < timing.Operators.Count && i < operators.Count; i++)
        {
            double cost = timing.Operators[i];
            long macs = interpreter.GetOperatorMacCount(i);
            double? ratio = cost > 0 && macs > 0 && timing.OperatorDotLoopMacsPerUnit is > 0 and { } loop ? macs / cost / loop : null;
            string kernel = i < timing.OperatorKernels.Count ? timing.OperatorKernels[i] : "managed";
            rows.Add(new BenchmarkOperatorRow(i, OperatorNames.Get(operators[i].Type), kernel, macs, cost, total > 0 ? cost / total : double.NaN, ratio));
        }

        return rows;
    }
}
