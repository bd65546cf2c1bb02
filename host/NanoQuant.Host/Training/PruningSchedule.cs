namespace NanoQuant.Host.Training;

/// <summary>
/// Magnitude pruning on TF MOT's polynomial-decay schedule: the sparsity rises from 0 at step 0 to
/// <see cref="Target"/> at <see cref="EndStep"/> as target × (1 − (1 − step / end)³), the mask recomputed every
/// <see cref="Frequency"/> steps and at the end step; after it the mask stays and training goes on at the
/// target sparsity. Each update zeros the weights of smallest magnitude of each pruned tensor (ties: the
/// lower index first, so a seed gives one result); a pruned weight stays 0 (its value and Adam moments cleared every step).
/// </summary>
public sealed record PruningSchedule(double Target, long EndStep, long Frequency)
{
    /// <summary>The schedule of a fine-tuning of <paramref name="totalSteps"/> steps: the target reached halfway through, 10 mask updates.</summary>
    public static PruningSchedule For(double target, long totalSteps)
    {
        long end = Math.Max(1, (totalSteps + 1) / 2);
        return new PruningSchedule(target, end, Math.Max(1, end / 10));
    }

    /// <summary>The sparsity after <paramref name="step"/> steps.</summary>
    public double SparsityAt(long step)
    {
        double progress = Math.Min(1.0, (double)step / EndStep);
        return Target * (1 - Math.Pow(1 - progress, 3));
    }

    /// <summary>Whether the mask is recomputed after step <paramref name="step"/> (counted from 1).</summary>
    public bool Updates(long step) => step <= EndStep && (step % Frequency == 0 || step == EndStep);

    /// <summary>Marks the ⌊sparsity × n⌋ weights of smallest magnitude in <paramref name="mask"/> (true: pruned).</summary>
    public static void Mask(float[] values, bool[] mask, double sparsity)
    {
        int count = (int)Math.Floor(sparsity * values.Length);
        var order = Enumerable.Range(0, values.Length).OrderBy(i => Math.Abs(values[i])).ThenBy(i => i).ToArray();
        Array.Clear(mask);
        for (int k = 0; k < count; k++)
        {
            mask[order[k]] = true;
        }
    }
}
