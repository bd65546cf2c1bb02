using System.Diagnostics;
using NanoQuant.Host.FloatReference;

namespace NanoQuant.Host.Quantization;

/// <summary>What calibration recorded: statistics of every activation tensor (by TFLite tensor index).</summary>
public sealed class CalibrationStatistics(IReadOnlyDictionary<int, TensorStatistics> tensors, int samples, TimeSpan elapsed)
{
    public IReadOnlyDictionary<int, TensorStatistics> Tensors { get; } = tensors;
    public int Samples { get; } = samples;
    public TimeSpan Elapsed { get; } = elapsed;

    /// <summary>The range of every activation tensor under <paramref name="options"/>.</summary>
    public IReadOnlyDictionary<int, (float Min, float Max)> Ranges(CalibrationOptions options) =>
        Tensors.ToDictionary(p => p.Key, p => RangeSelection.Select(p.Value, options));
}

/// <summary>
/// Runs the float reference over a representative dataset and records every activation tensor's
/// statistics, on all cores (one <see cref="FloatRun"/> per worker; statistics merge exactly, so the
/// result does not depend on the number of threads).
/// </summary>
public static class Calibrator
{
    public static CalibrationStatistics Run(FloatModel model, SampleSet data, bool histograms, IProgress<int>? progress = null, int maxThreads = 0)
    {
        if (data.Inputs.Count != model.Model.Inputs.Length)
        {
            throw new ArgumentException($"the calibration set has {data.Inputs.Count} inputs, the model {model.Model.Inputs.Length}");
        }

        var stopwatch = Stopwatch.StartNew();
        var tensors = model.ActivationTensors;
        var merged = tensors.ToDictionary(t => t, _ => new TensorStatistics(histograms));
        var gate = new object();
        int done = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = maxThreads > 0 ? maxThreads : Environment.ProcessorCount };
        try
        {
            RunParallel();
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }

        return new CalibrationStatistics(merged, data.SampleCount, stopwatch.Elapsed);

        void RunParallel() => Parallel.For(0, data.SampleCount, parallel,
            () => (Run: model.CreateRun(), Statistics: tensors.Select(_ => new TensorStatistics(histograms)).ToArray()),
            (sample, _, local) =>
            {
                for (int i = 0; i < data.Inputs.Count; i++)
                {
                    data.Sample(i, sample).CopyTo(local.Run.Input(i));
                }

                local.Run.Invoke();
                for (int k = 0; k < tensors.Count; k++)
                {
                    var values = local.Run.Tensor(tensors[k]);
                    local.Statistics[k].Add(values);
                    if (!float.IsFinite(local.Statistics[k].Min) || !float.IsFinite(local.Statistics[k].Max))
                    {
                        throw new ArgumentException($"calibration sample {sample} makes {model.Model.Tensors[tensors[k]]} non-finite (the float model overflows on it)");
                    }
                }

                int count = Interlocked.Increment(ref done);
                progress?.Report(count);
                return local;
            },
            local =>
            {
                lock (gate)
                {
                    for (int k = 0; k < tensors.Count; k++)
                    {
                        merged[tensors[k]].Merge(local.Statistics[k]);
                    }
                }
            });
    }
}
