using System.Numerics.Tensors;

namespace NanoQuant.Host.Quantization;

/// <summary>
/// What calibration saw of one tensor over all samples: exact minimum and maximum, and optionally
/// a histogram with one bin per bfloat16 value (the float's upper 16 bits: sign, exponent and 7
/// mantissa bits, so every bin is under 1% wide relative to its values, over the whole float
/// range, with no range to guess beforehand). Statistics of parts of the data merge exactly,
/// so calibration can run on several threads and give the same result.
/// </summary>
public sealed class TensorStatistics
{
    public const int BinCount = 1 << 16;

    public TensorStatistics(bool histogram)
    {
        Histogram = histogram ? new long[BinCount] : null;
    }

    public float Min { get; private set; } = float.PositiveInfinity;
    public float Max { get; private set; } = float.NegativeInfinity;
    public long Count { get; private set; }

    /// <summary>Counts per bfloat16 bin (index = the float's bits >> 16), or null when not collected.</summary>
    public long[]? Histogram { get; }

    public void Add(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty)
        {
            return;
        }

        Min = Math.Min(Min, TensorPrimitives.Min(values));
        Max = Math.Max(Max, TensorPrimitives.Max(values));
        Count += values.Length;
        if (Histogram is { } histogram)
        {
            foreach (float v in values)
            {
                histogram[(int)(BitConverter.SingleToUInt32Bits(v) >> 16)]++;
            }
        }
    }

    public void Merge(TensorStatistics other)
    {
        Min = Math.Min(Min, other.Min);
        Max = Math.Max(Max, other.Max);
        Count += other.Count;
        if (Histogram is { } histogram && other.Histogram is { } theirs)
        {
            for (int i = 0; i < histogram.Length; i++)
            {
                histogram[i] += theirs[i];
            }
        }
    }

    /// <summary>The non-empty bins in increasing order of value: (lowest value, highest value, count).</summary>
    public IReadOnlyList<(float Low, float High, long Count)> SortedBins()
    {
        var histogram = Histogram ?? throw new InvalidOperationException("no histogram was collected");
        var bins = new List<(float, float, long)>();

        // Negative values: the largest magnitudes (highest bit patterns) first.
        for (int i = BinCount - 1; i >= 0x8000; i--)
        {
            if (histogram[i] != 0)
            {
                uint bits = (uint)i << 16;
                bins.Add((BitConverter.UInt32BitsToSingle(bits | 0xFFFF), BitConverter.UInt32BitsToSingle(bits), histogram[i]));
            }
        }

        for (int i = 0; i < 0x8000; i++)
        {
            if (histogram[i] != 0)
            {
                uint bits = (uint)i << 16;
                bins.Add((BitConverter.UInt32BitsToSingle(bits), BitConverter.UInt32BitsToSingle(bits | 0xFFFF), histogram[i]));
            }
        }

        return bins;
    }
}
