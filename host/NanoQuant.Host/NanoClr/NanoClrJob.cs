namespace NanoQuant.Host.NanoClr;

/// <summary>
/// One model run on nanoCLR: the device model, its inputs (per model input, every sample's tensor bytes
/// back to back: int8 one byte per element, int16 two, little-endian, as the tensor holds them), how to
/// load it, and what to measure.
/// </summary>
public sealed record NanoClrJob(byte[] Model, IReadOnlyList<byte[]> Inputs, int Samples)
{
    /// <summary>Bytes of one sample of an input or output tensor as the job carries it (int8: 1 per element, int16: 2).</summary>
    public static int TensorBytes(Tensor tensor) => tensor.Type switch
    {
        Format.TensorType.Int8 => tensor.Length,
        Format.TensorType.Int16 => 2 * tensor.Length,
        _ => throw new NanoClrException($"nanoCLR runs take int8 and int16 inputs and outputs; this tensor is {tensor.Type}"),
    };

    /// <summary>How the model is loaded on nanoCLR.</summary>
    public NanoClrLoadMode Mode { get; init; } = NanoClrLoadMode.Auto;

    /// <summary>Invoke calls timed after the samples (0: no timing).</summary>
    public int TimedRuns { get; init; }

    /// <summary>Measure free managed memory (GC.Run(false)) before and after the load and around the timed runs.</summary>
    public bool MeasureMemory { get; init; }

    /// <summary>With <see cref="MeasureMemory"/>: also measure free memory after every this many timed runs (0: only around them).</summary>
    public int MeasureMemoryEvery { get; init; }

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
