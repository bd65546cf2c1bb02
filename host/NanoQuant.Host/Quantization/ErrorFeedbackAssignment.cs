using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace NanoQuant.Host.Quantization;

/// <summary>
/// GPTQ-style assignment of weights to a palette (Frantar et al., "GPTQ", 2022, after Optimal Brain Quantization; SqueezeLLM
/// and GPTVQ apply it to non-uniform codebooks). With H = Σ x xᵀ of the layer's inputs, the output error of one channel
/// Σₓ ((w − ŵ)·x)² is (w − ŵ)ᵀ H (w − ŵ): rounding each weight to its nearest value alone ignores that neighbouring inputs
/// (the taps of a 3×3 window) move together. Instead the weights are assigned in column order, and each one's error is
/// spread over the channel's weights not yet assigned — the update that keeps the output closest — through the upper
/// Cholesky factor U of H⁻¹: w[j] −= (w[i] − ŵ[i]) / U[i,i] × U[i,j] for j &gt; i.
/// </summary>
public static class ErrorFeedbackAssignment
{
    /// <summary>GPTQ's damping: λ = this × the mean of H's diagonal is added to the diagonal before inverting.</summary>
    public const double Damping = 0.01;

    /// <summary>
    /// The upper Cholesky factor U of (H + λI)⁻¹ (H⁻¹ = Uᵀ U), row-major <paramref name="n"/>². λ is
    /// <see cref="Damping"/> × mean diagonal (1 when the diagonal is all zero), raised tenfold until H + λI factors.
    /// The factorizations are Math.NET Numerics'.
    /// </summary>
    public static double[] InverseFactor(ReadOnlySpan<double> h, int n)
    {
        var correlation = Matrix<double>.Build.Dense(n, n);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                correlation[i, j] = h[(i * n) + j];
            }
        }

        double mean = correlation.Diagonal().Sum() / n;
        double lambda = mean > 0 ? Damping * mean : 1;
        for (int attempt = 0; attempt < 12; attempt++, lambda *= 10)
        {
            if (Factor(correlation + Matrix<double>.Build.DenseIdentity(n).Multiply(lambda)) is not { } damped)
            {
                continue;
            }

            var inverse = damped.Solve(Matrix<double>.Build.DenseIdentity(n));
            var upper = (Factor(inverse) ?? throw new InvalidOperationException("the inverse input correlation matrix does not factor")).Factor.Transpose();
            return upper.ToRowMajorArray();
        }

        throw new InvalidOperationException("the input correlation matrix does not factor even when damped");
    }

    /// <summary>
    /// The weights of <paramref name="values"/> (int8 values, output channels on <paramref name="axis"/> of
    /// <paramref name="shape"/>) assigned by error feedback to the values of <paramref name="clustered"/>, k-means's
    /// assignment, which gives each channel's palette (the tensor's, with <paramref name="sharedTable"/>). A channel's
    /// columns are its weights in element order (a CONV_2D's filter taps and input channels, as the im2col row; a
    /// depthwise filter's taps), matching <paramref name="correlation"/>; when they do not, k-means's assignment is kept.
    /// </summary>
    public static int[] Assign(int[] values, int[] shape, int axis, int[] clustered, bool sharedTable, InputCorrelation correlation)
    {
        int channels = shape[axis];
        int outer = 1, inner = 1;
        for (int d = 0; d < axis; d++)
        {
            outer *= shape[d];
        }

        for (int d = axis + 1; d < shape.Length; d++)
        {
            inner *= shape[d];
        }

        int columns = outer * inner;
        if (columns != correlation.Features || channels % correlation.Groups != 0)
        {
            return clustered;
        }

        int Element(int channel, int column) => ((((column / inner) * channels) + channel) * inner) + (column % inner);

        var factors = new double[correlation.Groups][];
        int length = columns * columns;
        for (int g = 0; g < correlation.Groups; g++)
        {
            factors[g] = InverseFactor(correlation.Matrices.AsSpan(g * length, length), columns);
        }

        var tensorPalette = sharedTable ? Palette(clustered, 0, clustered.Length, e => e) : null;
        var result = new int[values.Length];
        var row = new double[columns];
        int perGroup = channels / correlation.Groups;
        for (int c = 0; c < channels; c++)
        {
            int channel = c;
            var palette = tensorPalette ?? Palette(clustered, 0, columns, j => Element(channel, j));
            var u = factors[c / perGroup];
            for (int j = 0; j < columns; j++)
            {
                row[j] = values[Element(c, j)];
            }

            for (int i = 0; i < columns; i++)
            {
                int chosen = Nearest(palette, row[i]);
                result[Element(c, i)] = chosen;
                double error = (row[i] - chosen) / u[(i * columns) + i];
                for (int j = i + 1; j < columns; j++)
                {
                    row[j] -= error * u[(i * columns) + j];
                }
            }
        }

        return result;
    }

    /// <summary>Σ over samples of ‖(W − Ŵ) x‖² for one channel's weight change <paramref name="delta"/>: δᵀ H δ.</summary>
    public static double OutputError(ReadOnlySpan<double> delta, ReadOnlySpan<double> h)
    {
        int n = delta.Length;
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                sum += delta[i] * h[(i * n) + j] * delta[j];
            }
        }

        return sum;
    }

    // The Cholesky factorization of a symmetric matrix, or null when it is not positive definite (Math.NET throws then).
    private static Cholesky<double>? Factor(Matrix<double> matrix)
    {
        try
        {
            return matrix.Cholesky();
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    // The distinct values of the given elements, ascending.
    private static int[] Palette(int[] clustered, int from, int to, Func<int, int> element)
    {
        var set = new SortedSet<int>();
        for (int i = from; i < to; i++)
        {
            set.Add(clustered[element(i)]);
        }

        return [.. set];
    }

    // The palette value nearest to x (the lower one on a tie).
    private static int Nearest(int[] palette, double x)
    {
        int best = palette[0];
        double bestDistance = Math.Abs(x - best);
        for (int p = 1; p < palette.Length; p++)
        {
            double distance = Math.Abs(x - palette[p]);
            if (distance < bestDistance)
            {
                best = palette[p];
                bestDistance = distance;
            }
        }

        return best;
    }
}
