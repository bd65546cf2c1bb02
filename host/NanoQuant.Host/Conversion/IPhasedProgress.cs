namespace NanoQuant.Host.Conversion;

/// <summary>
/// A progress display that can start a next phase of the same step with its own label and total (calibration's
/// <c>auto</c> method comparison), so a finished phase does not sit at 100 % while the next one runs.
/// </summary>
public interface IPhasedProgress : IProgress<int>
{
    /// <summary>Starts the next phase: <paramref name="label"/>, counting from 0 to <paramref name="total"/>.</summary>
    void StartPhase(string label, int total);
}
