using NanoQuant.Host.FloatReference;

namespace NanoQuant.Host.Quantization;

/// <summary>Per-sample sums over the float model's runs on calibration samples, added up in sample order.</summary>
internal static class SampleRuns
{
    private const int Batch = 16;

    /// <summary>
    /// Runs the float model on the first <paramref name="samples"/> calibration samples (<see cref="Batch"/> at a time in
    /// parallel), takes <paramref name="measure"/>'s arrays from each run and returns their element-wise sums, added in
    /// sample order so that the result does not depend on threads.
    /// </summary>
    public static double[][] Sum(FloatModel model, SampleSet calibration, int samples, Func<FloatRun, double[][]> measure)
    {
        double[][]? totals = null;
        var partial = new double[Batch][][];
        for (int first = 0; first < samples; first += Batch)
        {
            int count = Math.Min(Batch, samples - first);
            Parallel.For(0, count, () => model.CreateRun(), (i, _, run) =>
            {
                for (int input = 0; input < calibration.Inputs.Count; input++)
                {
                    calibration.Sample(input, first + i).CopyTo(run.Input(input));
                }

                run.ResetState();
                run.Invoke();
                partial[i] = measure(run);
                return run;
            }, _ => { });
            for (int i = 0; i < count; i++)
            {
                totals ??= partial[i].Select(a => new double[a.Length]).ToArray();
                for (int t = 0; t < totals.Length; t++)
                {
                    for (int e = 0; e < totals[t].Length; e++)
                    {
                        totals[t][e] += partial[i][t][e];
                    }
                }
            }
        }

        return totals ?? [];
    }
}
