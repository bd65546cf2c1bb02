namespace NanoQuant.Host.NanoClr;

/// <summary>What nanoCLR computed and measured for one <see cref="NanoClrJob"/>.</summary>
public sealed record NanoClrJobResult
{
    /// <summary>The load mode used (<see cref="NanoClrLoadMode.Auto"/> resolved).</summary>
    public required NanoClrLoadMode Mode { get; init; }

    /// <summary>
    /// Per model output: every sample's tensor bytes back to back (int8 one per element, int16 two, little-endian;
    /// empty when outputs were not requested). <see cref="NanoClrModelRunner.OutputsOf"/> turns them into .npy arrays.
    /// </summary>
    public required IReadOnlyList<sbyte[]> Outputs { get; init; }

    /// <summary>Per round (<see cref="NanoClrJob.Rounds"/>): ms per Invoke and the dot loop's MAC/s measured right after.</summary>
    public IReadOnlyList<NanoClrRound> Rounds { get; init; } = [];

    /// <summary>Per operator (<see cref="NanoClrJob.TimeOperators"/>): ms per Invoke of that operator alone (clock reads taken off).</summary>
    public IReadOnlyList<double> OperatorMilliseconds { get; init; } = [];

    /// <summary>
    /// Per operator (<see cref="NanoClrJob.TimeOperators"/>): the kernel that ran it (Interpreter.GetOperatorKernel): "managed",
    /// "native" (nanoQuant's C kernels), or the vendor library the native build's rule table gave its shape ("cmsis-nn", "esp-nn").
    /// </summary>
    public IReadOnlyList<string> OperatorKernels { get; init; } = [];

    /// <summary>The dot loop's MAC/s measured right after the per-operator timing (0 without it).</summary>
    public long OperatorBaselineMacsPerSecond { get; init; }

    /// <summary>The interpreter's kernel backend on nanoCLR: "managed" or "native" (Interpreter.Backend).</summary>
    public string Backend { get; init; } = "managed";

    /// <summary>Operators the native kernels ran (Interpreter.NativeOperatorCount).</summary>
    public int NativeOperators { get; init; }

    /// <summary>Milliseconds the load took on nanoCLR.</summary>
    public double LoadMilliseconds { get; init; }

    /// <summary>Milliseconds of the first Invoke (one-time costs included).</summary>
    public double FirstInvokeMilliseconds { get; init; }

    /// <summary>Average milliseconds of the Invoke calls that ran the samples (the first included).</summary>
    public double SampleMillisecondsPerInvoke { get; init; }

    /// <summary>Invoke calls timed (0 when not requested).</summary>
    public int TimedRuns { get; init; }

    /// <summary>Average milliseconds per timed Invoke on nanoCLR (NaN without timed runs).</summary>
    public double MillisecondsPerInvoke { get; init; } = double.NaN;

    /// <summary>Multiply-accumulates of one Invoke (as the interpreter counts them).</summary>
    public long Macs { get; init; }

    /// <summary>Arena bytes the interpreter allocated.</summary>
    public int ArenaBytes { get; init; }

    /// <summary>
    /// Free managed memory (GC.Run(false): after a garbage collection) before the load, after it, after the
    /// sample Invokes, and before and after the timed runs; 0 when not measured. The model's byte array (in RAM
    /// modes) and the inputs are allocated before the first figure, so the differences count what the
    /// interpreter allocates.
    /// </summary>
    public long FreeBeforeLoad { get; init; }

    /// <inheritdoc cref="FreeBeforeLoad"/>
    public long FreeAfterLoad { get; init; }

    /// <inheritdoc cref="FreeBeforeLoad"/>
    public long FreeAfterSamples { get; init; }

    /// <inheritdoc cref="FreeBeforeLoad"/>
    public long FreeBeforeRuns { get; init; }

    /// <inheritdoc cref="FreeBeforeLoad"/>
    public long FreeAfterRuns { get; init; }

    /// <summary>Free managed memory after every <see cref="NanoClrJob.MeasureMemoryEvery"/> timed runs: (runs so far, free bytes).</summary>
    public IReadOnlyList<(int Runs, long Free)> FreeDuringRuns { get; init; } = [];

    /// <summary>Managed heap the load took on nanoCLR (the model's byte array not counted).</summary>
    public long LoadBytes => FreeBeforeLoad - FreeAfterLoad;

    /// <summary>Managed heap the interpreter holds after the load and the sample Invokes.</summary>
    public long LoadAndInvokeBytes => FreeBeforeLoad - FreeAfterSamples;

    /// <summary>MAC/s of the timed runs.</summary>
    public double MacsPerSecond => Macs / (MillisecondsPerInvoke / 1000.0);
}
