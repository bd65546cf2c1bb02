using System.Diagnostics;
using NanoQuant.Host.FloatReference;

namespace NanoQuant.Host.Quantization;

/// <summary>
/// What calibration recorded: statistics of every activation tensor (by TFLite tensor index), and
/// for each LSTM the largest |cell state| over every step of every sample (by cell state tensor index).
/// </summary>
public sealed class CalibrationStatistics(IReadOnlyDictionary<int, TensorStatistics> tensors, int samples, TimeSpan elapsed,
    IReadOnlyDictionary<int, float>? cellStateMagnitudes = null)
{
    public IReadOnlyDictionary<int, TensorStatistics> Tensors { get; } = tensors;
    public int Samples { get; } = samples;
    public TimeSpan Elapsed { get; } = elapsed;

    /// <summary>
    /// The float model's outputs over the calibration data (per model output, the samples one after another), when
    /// calibration was asked to keep them (<see cref="CalibrationMethod.Auto"/> compares candidates with them); else null.
    /// </summary>
    public float[][]? Outputs { get; init; }

    /// <summary>LSTM cell state tensor → the largest |value| it took during calibration.</summary>
    public IReadOnlyDictionary<int, float> CellStateMagnitudes { get; } = cellStateMagnitudes ?? new Dictionary<int, float>();

    /// <summary>
    /// The range of every activation tensor under <paramref name="options"/>; LSTM cell states get
    /// ±their largest magnitude whatever the method (their int16 scale is a power of two covering it).
    /// </summary>
    public IReadOnlyDictionary<int, (float Min, float Max)> Ranges(CalibrationOptions options)
    {
        var ranges = Tensors.ToDictionary(p => p.Key, p => RangeSelection.Select(p.Value, options));
        foreach (var (cell, magnitude) in CellStateMagnitudes)
        {
            ranges[cell] = (-magnitude, magnitude);
        }

        return ranges;
    }
}

/// <summary>
/// Runs the float reference over a representative dataset and records every activation tensor's
/// statistics, on all cores (one <see cref="FloatRun"/> per worker; statistics merge exactly, so the
/// result does not depend on the number of threads).
/// </summary>
public static class Calibrator
{
    public static CalibrationStatistics Run(FloatModel model, SampleSet data, bool histograms, IProgress<int>? progress = null, int maxThreads = 0,
        bool keepOutputs = false)
    {
        if (data.Inputs.Count != model.Model.Inputs.Length)
        {
            throw new ArgumentException($"the calibration set has {data.Inputs.Count} inputs, the model {model.Model.Inputs.Length}");
        }

        var stopwatch = Stopwatch.StartNew();
        var tensors = model.ActivationTensors;
        var merged = tensors.ToDictionary(t => t, _ => new TensorStatistics(histograms));
        var gate = new object();
        var lstms = model.Operators.OfType<LstmOperator>().ToList();
        var cellMagnitudes = lstms.ToDictionary(l => l.StateTensors.Cell, _ => 0f);
        var outputLengths = model.Model.Outputs.Select(o => model.Model.Tensors[o].ElementCount).ToArray();
        float[][]? outputs = keepOutputs ? outputLengths.Select(l => new float[l * data.SampleCount]).ToArray() : null;
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

        return new CalibrationStatistics(merged, data.SampleCount, stopwatch.Elapsed, cellMagnitudes) { Outputs = outputs };

        void RunParallel() => Parallel.For(0, data.SampleCount, parallel,
            () => (Run: model.CreateRun(), Statistics: tensors.Select(_ => new TensorStatistics(histograms)).ToArray()),
            (sample, _, local) =>
            {
                for (int i = 0; i < data.Inputs.Count; i++)
                {
                    data.Sample(i, sample).CopyTo(local.Run.Input(i));
                }

                // Each sample is its own sequence: LSTM state starts from zero.
                local.Run.ResetState();
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

                if (outputs is not null)
                {
                    for (int o = 0; o < outputs.Length; o++)
                    {
                        local.Run.Output(o).CopyTo(outputs[o].AsSpan(sample * outputLengths[o], outputLengths[o]));
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

                    foreach (var lstm in lstms)
                    {
                        int cell = lstm.StateTensors.Cell;
                        cellMagnitudes[cell] = Math.Max(cellMagnitudes[cell], local.Run.CellStateMagnitude(lstm.Source.Index));
                    }
                }
            });
    }
}
