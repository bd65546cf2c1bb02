using NanoQuant.Host.Quantization;

namespace NanoQuant.Host.Training;

/// <summary>
/// Cluster-preserving fine-tuning of one weight tensor (TF MOT's cluster-preserving QAT): every weight is tied to
/// one centroid of its palette table (one table per output channel, or one for the tensor, as
/// <see cref="WeightClustering.Plan"/> decides), the centroids train, the assignments stay fixed; the start is the
/// optimal clustering of the weights' int8 values, as <c>convert --cluster</c> makes it. When a table lies
/// within one quantization group (a table per output channel, or a per-tensor scale) weight i is its group's
/// scale × its centroid and the trainer fake-quantizes it as any weight: the quantizer then maps each
/// centroid to one int8 value, so a table keeps ≤ N values whatever the scale becomes (TF MOT's order:
/// cluster, then quantize). A table shared by channels of different scales must hold the same int8 values
/// in every channel: there weight i = its group's scale × round(centroid) (<see cref="OnGrid"/>) with the
/// scales fixed, each group keeping its weight of largest magnitude (±127 from float weights) where it is
/// (its centroid pinned) so the quantizer recomputes the same scales. Pruned weights are tied to a pinned zero centroid and stay exactly 0.
/// </summary>
internal sealed class TiedWeights
{
    private readonly int[] _centroidOf;
    private readonly int[] _groupOf;
    private readonly float[] _scales;
    private readonly bool[] _pinned;

    // Centroid c (int8 units) is trained as u = c × unit (unit: its table's mean scale), so Adam's step,
    // about the learning rate in float units, moves it as far as it would move a free weight.
    private readonly float[] _unit;

    private TiedWeights(int[] centroidOf, int[] groupOf, float[] scales, float[] centroids, bool[] pinned, float[] unit, bool onGrid)
    {
        OnGrid = onGrid;
        _centroidOf = centroidOf;
        _groupOf = groupOf;
        _scales = scales;
        _pinned = pinned;
        _unit = unit;
        Values = new float[centroids.Length];
        for (int k = 0; k < centroids.Length; k++)
        {
            Values[k] = centroids[k] * unit[k];
        }

        First = new float[centroids.Length];
        Second = new float[centroids.Length];
    }

    /// <summary>The trained centroids (int8 value × unit).</summary>
    public float[] Values { get; }

    public float[] First { get; }

    public float[] Second { get; }

    public int Centroids => Values.Length;

    /// <summary>Whether the tied weights are already on their int8 grid (a table shared across scales), so the forward pass must not requantize them.</summary>
    public bool OnGrid { get; }

    /// <summary>The centroid weight <paramref name="i"/> is tied to.</summary>
    public int CentroidOf(int i) => _centroidOf[i];

    /// <summary>
    /// Ties <paramref name="weights"/> (quantization axis <paramref name="dimension"/>: −1 per tensor) to at most
    /// <paramref name="clusters"/> centroids per table (table axis <paramref name="axis"/>, or one table when
    /// <paramref name="shared"/>), starting from the optimal clustering of their int8 values; masked weights
    /// (<paramref name="pruned"/>) go to a zero centroid and the others share the remaining clusters.
    /// </summary>
    public static TiedWeights Create(float[] weights, int[] shape, int dimension, int axis, bool shared, int clusters, bool[]? pruned, float[]? givenScales = null, bool fixedScales = false)
    {
        var (values, scales) = QuantizationParameters.Weights(weights, shape, dimension);
        if (givenScales is not null)
        {
            // Weights the quantizer already clustered (its int8 values × its scales): take its values back exactly.
            scales = givenScales;
            int inner = Inner(shape, dimension);
            for (int i = 0; i < weights.Length; i++)
            {
                float scale = scales[dimension < 0 ? 0 : (i / inner) % scales.Length];
                values[i] = (sbyte)Math.Clamp(MathF.Round(weights[i] / scale, MidpointRounding.AwayFromZero), -127f, 127f);
            }
        }

        int groupCount = scales.Length;
        int groupInner = Inner(shape, dimension);
        int tableCount = shared ? 1 : shape[axis];
        int tableInner = Inner(shape, axis);
        var groupOf = new int[weights.Length];
        var tableOf = new int[weights.Length];
        for (int i = 0; i < weights.Length; i++)
        {
            groupOf[i] = dimension < 0 ? 0 : (i / groupInner) % groupCount;
            tableOf[i] = shared ? 0 : (i / tableInner) % tableCount;
        }

        // Each table's optimal map of its int8 values onto its clusters (one kept back for the zeros of pruning).
        bool anyPruned = pruned is not null && Array.IndexOf(pruned, true) >= 0;
        var histograms = new double[tableCount * 256];
        for (int i = 0; i < weights.Length; i++)
        {
            if (!(pruned?[i] ?? false))
            {
                histograms[(tableOf[i] * 256) + values[i] + 128]++;
            }
        }

        var maps = new int[tableCount][];
        for (int t = 0; t < tableCount; t++)
        {
            maps[t] = WeightClustering.OptimalMap(histograms.AsSpan(t * 256, 256), anyPruned ? clusters - 1 : clusters);
        }

        // One centroid per (table, value); a group's weight at ±127 pins its centroid there, pruned weights pin 0.
        var ids = new Dictionary<(int Table, int Value), int>();
        var centroids = new List<float>();
        var pinned = new List<bool>();
        var unitSum = new List<double>();
        var unitCount = new List<int>();
        var centroidOf = new int[weights.Length];
        var extreme = new int[groupCount];
        Array.Fill(extreme, -1);
        for (int i = 0; i < weights.Length; i++)
        {
            bool zero = pruned?[i] ?? false;
            int value = zero ? 0 : maps[tableOf[i]][values[i] + 128];
            if (!ids.TryGetValue((tableOf[i], value), out int id))
            {
                id = centroids.Count;
                ids[(tableOf[i], value)] = id;
                centroids.Add(value);
                pinned.Add(false);
                unitSum.Add(0);
                unitCount.Add(0);
            }

            centroidOf[i] = id;
            unitSum[id] += scales[groupOf[i]];
            unitCount[id]++;
            pinned[id] |= zero;
            int g = groupOf[i];
            if (!zero && (extreme[g] < 0 || Math.Abs((int)values[i]) > Math.Abs((int)values[extreme[g]])))
            {
                extreme[g] = i;
            }
        }

        // Fixed scales (the quantizer's, kept by the caller): every table on the grid, and nothing to pin for the scales' sake.
        bool onGrid = fixedScales || (shared && groupCount > 1);
        for (int g = 0; g < groupCount && onGrid && !fixedScales; g++)
        {
            if (extreme[g] is int i and >= 0)
            {
                int id = centroidOf[i];
                centroids[id] = values[i];
                pinned[id] = true;
            }
        }

        var unit = new float[centroids.Count];
        for (int k = 0; k < unit.Length; k++)
        {
            unit[k] = (float)(unitSum[k] / unitCount[k]);
        }

        return new TiedWeights(centroidOf, groupOf, scales, centroids.ToArray(), pinned.ToArray(), unit, onGrid);
    }

    /// <summary>The tied weights: each weight its group's scale × its centroid (rounded to the int8 grid when <see cref="OnGrid"/>).</summary>
    public void Write(float[] weights)
    {
        var rounded = new float[Values.Length];
        for (int k = 0; k < rounded.Length; k++)
        {
            float centroid = Values[k] / _unit[k];
            rounded[k] = OnGrid ? Math.Clamp(MathF.Round(centroid, MidpointRounding.AwayFromZero), -127f, 127f) : centroid;
        }

        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = _scales[_groupOf[i]] * rounded[_centroidOf[i]];
        }
    }

    /// <summary>
    /// Each centroid's gradient from its weights' (<paramref name="first"/> + <paramref name="second"/>, the two
    /// workers'): the sum over its weights of dL/dw × dw/du, straight through any rounding; pinned centroids get 0.
    /// </summary>
    public double[] Gradient(float[] first, float[] second)
    {
        var gradient = new double[Values.Length];
        for (int i = 0; i < _centroidOf.Length; i++)
        {
            int k = _centroidOf[i];
            gradient[k] += ((double)first[i] + second[i]) * _scales[_groupOf[i]] / _unit[k];
        }

        for (int k = 0; k < gradient.Length; k++)
        {
            if (_pinned[k])
            {
                gradient[k] = 0;
            }
        }

        return gradient;
    }

    /// <summary>Whether centroid <paramref name="k"/> is held where it is (a group's ±127, or the zero of pruned weights).</summary>
    public bool Pinned(int k) => _pinned[k];

    private static int Inner(int[] shape, int axis)
    {
        int inner = 1;
        for (int d = axis + 1; d < shape.Length && axis >= 0; d++)
        {
            inner *= shape[d];
        }

        return inner;
    }
}
