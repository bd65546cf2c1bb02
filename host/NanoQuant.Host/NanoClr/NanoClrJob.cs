namespace NanoQuant.Host.NanoClr;

/// <summary>
/// One model run on nanoCLR: the device model, its int8 inputs (per model input, every sample's bytes
/// back to back), how to load it, and what to measure.
/// </summary>
public sealed record NanoClrJob(byte[] Model, IReadOnlyList<byte[]> Inputs, int Samples)
{
    /// <summary>How the model is loaded on nanoCLR.</summary>
    public NanoClrLoadMode Mode { get; init; } = NanoClrLoadMode.Auto;

    /// <summary>Invoke calls timed after the samples (0: no timing).</summary>
    public int TimedRuns { get; init; }

    /// <summary>Measure free managed memory (GC.Run(false)) before and after the load and around the timed runs.</summary>
    public bool MeasureMemory { get; init; }

    /// <summary>
    /// Reset the model's state (variable tensors) before every sample whose index is a multiple of this
    /// (0: never; the state carries from sample to sample, as one stream).
    /// </summary>
    public int ResetStateEvery { get; init; }

    /// <summary>Send every sample's outputs back (off for pure timing or memory jobs).</summary>
    public bool ReturnOutputs { get; init; } = true;

    /// <summary>
    /// After the timed runs, this many more rounds of <see cref="TimedRuns"/> Invoke calls, each followed by the
    /// plain dot loop over as many MACs (<see cref="NanoClrJobResult.Rounds"/>): ratios of neighbouring
    /// measurements, which hold on a loaded machine (0: none).
    /// </summary>
    public int Rounds { get; init; }

    /// <summary>After the timed runs, time each operator over <see cref="TimedRuns"/> runs (<see cref="NanoClrJobResult.Operators"/>).</summary>
    public bool TimeOperators { get; init; }
}
