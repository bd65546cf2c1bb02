using NanoQuant.Host.FloatReference;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Quantization;

/// <summary>
/// H = Σ x xᵀ of one weight layer's inputs over calibration samples: x an im2col row of the float input (a convolution's
/// patch, filter tap by tap, zeros where a tap meets the padding; FULLY_CONNECTED's input row). CONV_2D and
/// FULLY_CONNECTED have one matrix (<see cref="Groups"/> 1); DEPTHWISE_CONV_2D one per input channel over its taps.
/// Its diagonal is what the k-means weighting (E[x²]) measures; the rest is how the inputs move together.
/// </summary>
/// <param name="Features">Side of each matrix: the inputs one output sums.</param>
/// <param name="Groups">Matrices: 1, or a depthwise convolution's input channels.</param>
/// <param name="Matrices">The <see cref="Groups"/> matrices, each <see cref="Features"/>² row-major.</param>
public sealed record InputCorrelation(int Features, int Groups, double[] Matrices)
{
    /// <summary>How many calibration samples are run (at most), as for the other input statistics.</summary>
    public const int MaxSamples = 256;

    /// <summary>
    /// Most inputs per output (side of H) measured: H takes Features² values per sample while it is summed, and inverting
    /// it Features³ steps. A layer with more (a FULLY_CONNECTED over a long input) keeps k-means's assignment.
    /// </summary>
    public const int MaxFeatures = 1024;

    /// <summary>
    /// For every CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED of <paramref name="quantized"/> (by operator index) whose
    /// float twin is found: Σ x xᵀ of its input over (up to <see cref="MaxSamples"/>) calibration samples run through the
    /// float model (layers with more than <see cref="MaxFeatures"/> inputs per output are left out). Summed per sample in float, then in sample order in double (<see cref="SampleRuns"/>: independent of threads).
    /// </summary>
    public static Dictionary<int, InputCorrelation> Measure(FloatModel model, QuantizedModel quantized, SampleSet calibration, IReadOnlySet<int> operators)
    {
        var targets = new List<(int Op, int Input, Window? Window, int Features, int Groups)>();
        foreach (var op in quantized.Model.Operators)
        {
            if (!operators.Contains(op.Index) || op.Inputs.Length < 2
                || model.WithWeights(op.Code, op.Inputs[1]) is not { } floatOp)
            {
                continue;
            }

            switch (floatOp)
            {
                case Conv2DOperator conv:
                    targets.Add((op.Index, floatOp.Source.Inputs[0], conv.Geometry, conv.Geometry.FilterHeight * conv.Geometry.FilterWidth * conv.Geometry.InputDepth, 1));
                    break;
                case DepthwiseConv2DOperator depthwise:
                    targets.Add((op.Index, floatOp.Source.Inputs[0], depthwise.Geometry, depthwise.Geometry.FilterHeight * depthwise.Geometry.FilterWidth, depthwise.Geometry.InputDepth));
                    break;
                case FullyConnectedOperator when quantized.Model.Tensors[op.Inputs[1]].Shape is [_, int features]
                    && model.Model.Tensors[floatOp.Source.Inputs[0]].ElementCount % features == 0:
                    targets.Add((op.Index, floatOp.Source.Inputs[0], null, features, 1));
                    break;
            }
        }

        int samples = Math.Min(calibration.SampleCount, MaxSamples);
        targets.RemoveAll(t => t.Features > MaxFeatures);
        var totals = samples == 0 ? targets.Select(t => new double[t.Groups * t.Features * t.Features]).ToArray()
            : SampleRuns.Sum(model, calibration, samples, run => targets.Select(t => Array.ConvertAll(Sum(run.Tensor(t.Input), t.Window, t.Features, t.Groups), v => (double)v)).ToArray());
        var result = new Dictionary<int, InputCorrelation>();
        for (int t = 0; t < targets.Count; t++)
        {
            result[targets[t].Op] = new InputCorrelation(targets[t].Features, targets[t].Groups, totals[t]);
        }

        return result;
    }

    /// <summary>Σ x xᵀ over the rows of one sample: FULLY_CONNECTED's input rows, or a convolution's patches (per input channel for depthwise).</summary>
    private static float[] Sum(ReadOnlySpan<float> input, Window? window, int features, int groups)
    {
        var sum = new float[groups * features * features];
        if (window is not { } w)
        {
            for (int row = 0; row + features <= input.Length; row += features)
            {
                AddOuter(input.Slice(row, features), sum);
            }

            return sum;
        }

        int depth = w.FilterHeight * w.FilterWidth * w.InputDepth;
        var patches = new float[w.OutputWidth * depth];
        var taps = new float[features];
        for (int b = 0; b < w.Batches; b++)
        {
            for (int oy = 0; oy < w.OutputHeight; oy++)
            {
                Patches.Gather(input, w, b, oy, patches);
                for (int ox = 0; ox < w.OutputWidth; ox++)
                {
                    var patch = patches.AsSpan(ox * depth, depth);
                    if (groups == 1)
                    {
                        AddOuter(patch, sum);
                        continue;
                    }

                    // Depthwise: channel c's taps are every InputDepth-th value of the patch.
                    for (int c = 0; c < groups; c++)
                    {
                        for (int tap = 0; tap < features; tap++)
                        {
                            taps[tap] = patch[(tap * w.InputDepth) + c];
                        }

                        AddOuter(taps, sum.AsSpan(c * features * features, features * features));
                    }
                }
            }
        }

        return sum;
    }

    // matrix += x xᵀ, row by row (a row whose x is 0 adds nothing: padding and ReLU zeros are skipped).
    private static void AddOuter(ReadOnlySpan<float> x, Span<float> matrix)
    {
        int n = x.Length;
        for (int i = 0; i < n; i++)
        {
            float xi = x[i];
            if (xi != 0)
            {
                var row = matrix.Slice(i * n, n);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(x, xi, row, row);
            }
        }
    }
}
