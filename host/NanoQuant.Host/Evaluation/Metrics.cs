using System.Globalization;
using NanoQuant.Host.Npy;

namespace NanoQuant.Host.Evaluation;

/// <summary>Error measures for comparing int8 results with float ones.</summary>
public static class Metrics
{
    /// <summary>Signal-to-quantization-noise ratio in dB: 10 log10(Σ x² / Σ (x − y)²); +∞ when identical.</summary>
    public static double Sqnr(ReadOnlySpan<float> reference, ReadOnlySpan<float> actual)
    {
        if (reference.Length != actual.Length)
        {
            throw new ArgumentException($"{reference.Length} reference values, {actual.Length} actual values");
        }

        double signal = 0, noise = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            double x = reference[i], e = x - actual[i];
            signal += x * x;
            noise += e * e;
        }

        return Sqnr(signal, noise);
    }

    /// <summary>SQNR in dB from accumulated signal and noise energy.</summary>
    public static double Sqnr(double signal, double noise) =>
        noise == 0 ? double.PositiveInfinity : signal == 0 ? double.NegativeInfinity : 10 * Math.Log10(signal / noise);

    /// <summary>A dB figure for a table: one decimal, ∞ for exact.</summary>
    public static string FormatDb(double db) =>
        double.IsPositiveInfinity(db) ? "∞" : double.IsNegativeInfinity(db) ? "−∞" : db.ToString("F1", CultureInfo.InvariantCulture);

    /// <summary>The index of the largest value of each row of <paramref name="classes"/> values.</summary>
    public static int[] ArgMax(ReadOnlySpan<float> outputs, int classes)
    {
        if (classes < 1 || outputs.Length % classes != 0)
        {
            throw new ArgumentException($"{outputs.Length} outputs are not rows of {classes} classes");
        }

        var result = new int[outputs.Length / classes];
        for (int r = 0; r < result.Length; r++)
        {
            var row = outputs.Slice(r * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++)
            {
                if (row[c] > row[best])
                {
                    best = c;
                }
            }

            result[r] = best;
        }

        return result;
    }

    /// <summary>Share of rows whose largest output is the label.</summary>
    public static double Top1(ReadOnlySpan<float> outputs, int classes, IReadOnlyList<int> labels)
    {
        var predicted = ArgMax(outputs, classes);
        if (predicted.Length != labels.Count)
        {
            throw new ArgumentException($"{predicted.Length} predictions for {labels.Count} labels");
        }

        int correct = 0;
        for (int i = 0; i < predicted.Length; i++)
        {
            if (predicted[i] == labels[i])
            {
                correct++;
            }
        }

        return (double)correct / predicted.Length;
    }

    /// <summary>Class labels from a .npy: integers of shape [N] or [N, 1], or one-hot/scores of shape [N, C].</summary>
    public static int[] Labels(NpyArray array)
    {
        var values = array.ToDoubles();
        if (array.Shape.Length == 1 || (array.Shape.Length == 2 && array.Shape[1] == 1))
        {
            if (array.Type is NpyType.Float32 or NpyType.Float64 && values.Any(v => v != Math.Round(v)))
            {
                throw new ArgumentException("labels of shape [N] must be whole numbers");
            }

            return values.Select(v => (int)v).ToArray();
        }

        if (array.Shape.Length == 2)
        {
            return ArgMax(values.Select(v => (float)v).ToArray(), array.Shape[1]);
        }

        throw new ArgumentException($"labels have shape ({string.Join(", ", array.Shape)}); give [N] class indices or [N, C] one-hot rows");
    }
}
