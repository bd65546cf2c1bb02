namespace NanoQuant.Host.Quantization;

/// <summary>How an activation's quantization range is chosen from what calibration saw.</summary>
public enum CalibrationMethod
{
    /// <summary>Smallest and largest value over all samples (TensorFlow Lite's default).</summary>
    MinMax,

    /// <summary>The given lower and upper percentiles of all values: outliers beyond them are clipped.</summary>
    Percentile,

    /// <summary>The range that minimizes the expected squared error (rounding inside, clipping outside), found on the histogram.</summary>
    Mse,

    /// <summary>
    /// The default: quantizes with <see cref="MinMax"/> and with <see cref="Mse"/> ranges and keeps the
    /// model whose output is closer to the float model's over the calibration data (output SQNR).
    /// </summary>
    Auto,
}

/// <summary>Range choice settings.</summary>
/// <param name="Percentile">For <see cref="CalibrationMethod.Percentile"/>: the share of values kept below the upper end, in percent (and above the lower end).</param>
public sealed record CalibrationOptions(CalibrationMethod Method = CalibrationMethod.Auto, double Percentile = 99.99)
{
    public bool NeedsHistogram => Method != CalibrationMethod.MinMax;

    /// <summary>
    /// Set when <see cref="CalibrationMethod.Auto"/> chose <see cref="Method"/>: the output SQNR (dB) over the calibration data of each
    /// candidate, and over how many samples it was measured — fewer than <see cref="AutoSamples"/> when it stopped as soon as it could
    /// no longer be preferred (its SQNR is then an upper bound).
    /// </summary>
    public IReadOnlyList<(CalibrationMethod Method, double Sqnr, int Samples)>? AutoCandidates { get; init; }

    /// <summary>With <see cref="AutoCandidates"/>: the number of calibration samples.</summary>
    public int AutoSamples { get; init; }

    /// <summary>How much higher (dB) mse's output SQNR over the calibration data must be for auto to prefer it to minmax (see PostTrainingQuantizer.AutoMarginDb).</summary>
    public const double AutoMarginDb = 3.0;

    public string Describe()
    {
        string name = Method switch
        {
            CalibrationMethod.MinMax => "minmax",
            CalibrationMethod.Percentile => $"percentile {Percentile.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            CalibrationMethod.Mse => "mse",
            _ => "auto",
        };

        return AutoCandidates is null
            ? name
            : $"auto → {name}; output SQNR over the calibration data: {string.Join(", ", AutoCandidates.Select(Candidate))}{Rule()}";

        // Why the figures led to the choice: minmax is kept unless mse is at least AutoMarginDb better.
        string Rule() => AutoCandidates.Count < 2 ? "" : Method == CalibrationMethod.MinMax
            ? $"; minmax kept: mse is not {AutoMarginDb.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} dB higher"
            : $"; mse is {AutoMarginDb.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} dB or more higher";

        string Candidate((CalibrationMethod Method, double Sqnr, int Samples) c)
        {
            string db = c.Sqnr.ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
            string candidate = new CalibrationOptions(c.Method).Describe();
            return c.Samples < AutoSamples ? $"{candidate} < {db} dB (stopped after {c.Samples} of {AutoSamples} samples)" : $"{candidate} {db} dB";
        }
    }
}

/// <summary>Chooses a tensor's range [min, max] from its <see cref="TensorStatistics"/>.</summary>
public static class RangeSelection
{
    private const int Steps = 200;

    public static (float Min, float Max) Select(TensorStatistics statistics, CalibrationOptions options)
    {
        if (statistics.Count == 0)
        {
            throw new InvalidOperationException("no values were observed");
        }

        return options.Method switch
        {
            CalibrationMethod.MinMax => (statistics.Min, statistics.Max),
            CalibrationMethod.Percentile => Percentile(statistics, options.Percentile),
            CalibrationMethod.Mse => MinimumSquaredError(statistics),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Method, "auto is resolved by PostTrainingQuantizer into minmax or mse"),
        };
    }

    private static (float, float) Percentile(TensorStatistics statistics, double percentile)
    {
        if (!(percentile > 50 && percentile <= 100))
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "the percentile must lie in (50, 100]");
        }

        var bins = statistics.SortedBins();
        long total = bins.Sum(b => b.Count);
        double tail = total * (100 - percentile) / 100;
        float low = statistics.Min, high = statistics.Max;
        long seen = 0;
        foreach (var bin in bins)
        {
            seen += bin.Count;
            if (seen > tail)
            {
                low = Math.Max(low, bin.Low);
                break;
            }
        }

        seen = 0;
        for (int i = bins.Count - 1; i >= 0; i--)
        {
            seen += bins[i].Count;
            if (seen > tail)
            {
                high = Math.Min(high, bins[i].High);
                break;
            }
        }

        return (Math.Min(low, high), Math.Max(low, high));
    }

    /// <summary>
    /// Searches ranges [α·min, β·max] (α, β from 1 down to 1/200) for the least expected squared
    /// error: s²/12 per value inside (uniform rounding error of step s = range / 255; exact zeros
    /// cost nothing) plus the squared distance to the range for each value outside.
    /// </summary>
    private static (float, float) MinimumSquaredError(TensorStatistics statistics)
    {
        var bins = statistics.SortedBins();
        int n = bins.Count;
        var value = new double[n];
        var count = new double[n + 1];
        var sum = new double[n + 1];
        var squares = new double[n + 1];
        double zeros = 0;
        for (int i = 0; i < n; i++)
        {
            var (low, high, c) = bins[i];
            value[i] = Math.Clamp((low + (double)high) / 2, statistics.Min, statistics.Max);
            if (low == 0 && high < 1e-30 || high == 0 && low > -1e-30)
            {
                zeros += c;
            }

            count[i + 1] = count[i] + c;
            sum[i + 1] = sum[i] + (c * value[i]);
            squares[i + 1] = squares[i] + (c * value[i] * value[i]);
        }

        double min = Math.Min(statistics.Min, 0), max = Math.Max(statistics.Max, 0);
        double best = double.PositiveInfinity;
        (double, double) bestRange = (min, max);
        for (int a = 0; a < Steps; a++)
        {
            double lo = min * (Steps - a) / Steps;
            int below = UpperBound(value, lo, strict: true);
            double belowError = squares[below] - (2 * lo * sum[below]) + (lo * lo * count[below]);
            for (int b = 0; b < Steps; b++)
            {
                double hi = max * (Steps - b) / Steps;
                if (hi - lo <= 0)
                {
                    continue;
                }

                int notAbove = UpperBound(value, hi, strict: false);
                double aboveCount = count[n] - count[notAbove];
                double aboveError = (squares[n] - squares[notAbove]) - (2 * hi * (sum[n] - sum[notAbove])) + (hi * hi * aboveCount);
                double inside = count[n] - count[below] - aboveCount - zeros;
                double step = (hi - lo) / 255;
                double error = belowError + aboveError + (Math.Max(inside, 0) * step * step / 12);
                if (error < best)
                {
                    best = error;
                    bestRange = (lo, hi);
                }

                if (max == 0)
                {
                    break;
                }
            }

            if (min == 0)
            {
                break;
            }
        }

        return ((float)bestRange.Item1, (float)bestRange.Item2);
    }

    /// <summary>Number of leading values below <paramref name="bound"/> (strict) or not above it.</summary>
    private static int UpperBound(double[] values, double bound, bool strict)
    {
        int lo = 0, hi = values.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            bool before = strict ? values[mid] < bound : values[mid] <= bound;
            if (before)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
