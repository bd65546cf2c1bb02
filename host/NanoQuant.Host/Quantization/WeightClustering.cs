using System.Globalization;
using System.Text;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Quantization;

/// <summary>What clustering did to one weight tensor.</summary>
/// <param name="Operator">The operator the weights belong to.</param>
/// <param name="Tensor">The weight tensor.</param>
/// <param name="Channels">Output channels, each clustered on its own.</param>
/// <param name="DistinctBefore">Most distinct int8 values in one channel before clustering.</param>
/// <param name="DistinctAfter">Most distinct int8 values in one channel after clustering (≤ the cluster count).</param>
/// <param name="SqnrDb">Signal-to-noise ratio of the clustered int8 weights against the unclustered ones, in dB (infinite when unchanged).</param>
/// <param name="RelativeError">Root-mean-square change of the weights relative to their root-mean-square value.</param>
/// <summary>Per channel (last axis) of an operator's input activation, over calibration data: the mean and the mean square.</summary>
public sealed record InputChannelStatistics(float[] Mean, float[] MeanSquare);

/// <param name="SharedTable">True when the tensor's channels share one set of values (one palette table) rather than one each.</param>
public sealed record ClusteredLayer(string Operator, string Tensor, int Channels, int DistinctBefore, int DistinctAfter, double SqnrDb, double RelativeError, bool SharedTable = false);

/// <summary>
/// Post-training weight clustering: every CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED weight
/// tensor of an int8 model is clustered per output channel into at most N shared values, so the
/// device model can store it as a palette (4-bit indices for 16 clusters). Each channel gets the
/// optimal 1-D k-means of its int8 values (least squared error, exact: dynamic programming over the
/// channel's value histogram, centroids on the int8 grid) — the best any k-means initialisation
/// (TF-MOT's density-based one included) can reach for that channel. The weight scales, biases and
/// everything else stay as the quantizer made them.
/// </summary>
public static class WeightClustering
{
    /// <summary>Most clusters per channel: 7-bit palette indices.</summary>
    public const int MaxClusters = 128;

    /// <summary>
    /// A copy of <paramref name="model"/> with its weights clustered into ≤ <paramref name="clusters"/> values per
    /// output channel (per tensor with <paramref name="perTensor"/>: one shared set of int8 values, which
    /// the palette stores with one table). With <paramref name="inputs"/> (operator index → statistics of each
    /// channel of its input activation, from calibration data) each weight's error is weighted by the mean
    /// square of the input it multiplies, so the clustering minimizes the error of the layer's output rather
    /// than of its weights, and the bias absorbs the mean shift clustering causes (bias correction). With
    /// <paramref name="correlations"/> (operator index → Σ x xᵀ of its inputs) the weights of those operators are then
    /// assigned to the same values by error feedback (<see cref="ErrorFeedbackAssignment"/>, <see cref="ClusteringMethod.Gptq"/>)
    /// before the bias correction.
    /// </summary>
    public static (TfLiteModel Model, IReadOnlyList<ClusteredLayer> Layers) Apply(TfLiteModel model, int clusters,
        IReadOnlyDictionary<int, InputChannelStatistics>? inputs = null, bool perTensor = false,
        IReadOnlyDictionary<int, InputCorrelation>? correlations = null)
    {
        if (clusters < 2 || clusters > MaxClusters)
        {
            throw new ArgumentOutOfRangeException(nameof(clusters), $"the cluster count must lie in [2, {MaxClusters}]");
        }

        var tensors = model.Tensors.ToArray();
        var layers = new List<ClusteredLayer>();
        foreach (var (op, weightsIndex, axis, shared) in Plan(model, clusters, perTensor, t => t.Type == TfLiteType.Int8 && t.Data is not null))
        {
            var weights = tensors[weightsIndex];
            var original = weights.Data!.Select(b => (int)unchecked((sbyte)b)).ToArray();
            InputChannelStatistics? statistics = inputs is not null && inputs.TryGetValue(op.Index, out var found) ? found : null;
            double[]? importance = statistics is null ? null : Importance(op.Code, weights.Shape, statistics.MeanSquare);
            var clustered = ClusterChannels(original, weights.Shape, shared ? null : axis, clusters, importance);
            if (correlations is not null && correlations.TryGetValue(op.Index, out var correlation))
            {
                clustered = ErrorFeedbackAssignment.Assign(original, weights.Shape, axis, clustered, shared, correlation);
            }

            if (statistics is not null && Importance(op.Code, weights.Shape, statistics.Mean) is { } means)
            {
                CorrectBias(model, tensors, op, axis, weights.Shape, original, clustered, means);
            }
            tensors[weights.Index] = weights with { Data = clustered.Select(v => unchecked((byte)(sbyte)v)).ToArray() };
            layers.Add(Measure(op.ToString(), weights, axis, original, clustered) with { SharedTable = shared });
        }

        var result = model.WithTensors(tensors);
        return (result, layers);
    }

    /// <summary>
    /// The weight tensors <see cref="Apply"/> clusters, in operator order: the operator, the weight tensor, its
    /// output-channel axis and whether its channels share one table. <paramref name="isWeight"/> says which
    /// tensors count (int8 constants for <see cref="Apply"/>; float constants for cluster-preserving
    /// fine-tuning, which ties its weights to the same tables the quantizer will write).
    /// </summary>
    public static IReadOnlyList<(TfLiteOperator Operator, int Weights, int Axis, bool SharedTable)> Plan(TfLiteModel model, int clusters, bool perTensor, Func<TfLiteTensor, bool> isWeight)
    {
        var tensors = model.Tensors;
        long clusterable = model.Operators.Where(o => WeightAxis(o.Code) >= 0 && o.Inputs.Length >= 2 && o.Inputs[1] >= 0)
            .Select(o => tensors[o.Inputs[1]]).Where(isWeight).Distinct().Sum(t => (long)t.ElementCount);
        var plan = new List<(TfLiteOperator, int, int, bool)>();
        var done = new HashSet<int>();
        int bits = DeviceModels.PaletteEncoding.BitsFor(clusters);
        foreach (var op in model.Operators)
        {
            int axis = WeightAxis(op.Code);
            if (axis < 0 || op.Inputs.Length < 2 || op.Inputs[1] < 0)
            {
                continue;
            }

            var weights = tensors[op.Inputs[1]];
            if (!isWeight(weights) || axis >= weights.Shape.Length || !done.Add(weights.Index))
            {
                continue;
            }

            // One set of values per output channel, unless its tables would cost more than an eighth of the
            // indices (short channels: 16 entries against < 256 4-bit indices): then one set for the tensor.
            // Clustering a tensor too small for its palette to pay even so would lose accuracy for nothing:
            // it stays as it is.
            int elements = weights.ElementCount;
            bool shared = perTensor || SharesTable(bits, weights.Shape[axis], elements);
            if (model.Inputs.Contains(op.Inputs[0]) && 16L * elements < clusterable)
            {
                // A small first layer: it saves little flash, and errors in the layer that reads the model's input
                // reach every later one (TF-MOT's advice too: cluster the later layers, not the early ones).
                continue;
            }

            int tables = shared ? 1 : weights.Shape[axis];
            if (!DeviceModels.PaletteEncoding.Pays(DeviceModels.PaletteEncoding.BlockLength(bits, tables, elements), elements))
            {
                continue;
            }

            plan.Add((op, weights.Index, axis, shared));
        }

        return plan;
    }

    // The output-channel axis of a clusterable operator's weights (input 1), or -1.
    private static int WeightAxis(BuiltinOperator code) => code switch
    {
        BuiltinOperator.Conv2d or BuiltinOperator.FullyConnected => 0,
        BuiltinOperator.DepthwiseConv2d => 3,
        _ => -1,
    };

    /// <summary>
    /// Whether a tensor of <paramref name="elements"/> weights in <paramref name="channels"/> output channels is
    /// clustered with one set of values for all channels: when one 2^k-entry table per channel would take more
    /// than an eighth of the k-bit indices (for 16 clusters: channels shorter than 256 weights).
    /// </summary>
    public static bool SharesTable(int bits, int channels, int elements) =>
        8L * channels * (1L << bits) > ((long)elements * bits + 7) / 8;

    /// <summary>
    /// Clusters each channel of <paramref name="values"/> (int8 values, channel axis <paramref name="axis"/>; the
    /// whole tensor when null) on its own, each element's squared error weighted by <paramref name="importance"/> (1 when null).
    /// </summary>
    public static int[] ClusterChannels(int[] values, int[] shape, int? axis, int clusters, double[]? importance = null)
    {
        int channels = axis is { } a ? shape[a] : 1;
        int inner = 1;
        for (int d = (axis ?? -1) + 1; d < shape.Length; d++)
        {
            inner *= shape[d];
        }

        // A small floor keeps values met only by silent inputs in the clustering (and every cluster's weight above 0).
        double floor = importance is null ? 0 : Math.Max(importance.Average(), 1e-30) * 1e-3;
        var histograms = new double[channels * 256];
        for (int e = 0; e < values.Length; e++)
        {
            histograms[((e / inner) % channels) * 256 + values[e] + 128] += importance is null ? 1 : importance[e] + floor;
        }

        var maps = new int[channels][];
        for (int c = 0; c < channels; c++)
        {
            maps[c] = OptimalMap(histograms.AsSpan(c * 256, 256), clusters);
        }

        var result = new int[values.Length];
        for (int e = 0; e < values.Length; e++)
        {
            result[e] = maps[(e / inner) % channels][values[e] + 128];
        }

        return result;
    }

    /// <summary>
    /// The least-squares map of int8 values (given by their <paramref name="histogram"/>) onto at most
    /// <paramref name="clusters"/> integer centroids: value + 128 → centroid. In one dimension optimal
    /// clusters are runs of consecutive values, so dynamic programming over the occupied values finds
    /// the exact optimum (O(clusters · m²) for m occupied values, m ≤ 256).
    /// </summary>
    public static int[] OptimalMap(ReadOnlySpan<double> histogram, int clusters)
    {
        var occupied = new List<int>();
        for (int v = 0; v < 256; v++)
        {
            if (histogram[v] > 0)
            {
                occupied.Add(v);
            }
        }

        var map = new int[256];
        for (int v = 0; v < 256; v++)
        {
            map[v] = v - 128;
        }

        int m = occupied.Count;
        if (m <= clusters)
        {
            return map;
        }

        // Prefix sums of count, value·count and value²·count over the occupied values.
        var n = new double[m + 1];
        var s = new double[m + 1];
        var q = new double[m + 1];
        for (int i = 0; i < m; i++)
        {
            double x = occupied[i] - 128, w = histogram[occupied[i]];
            n[i + 1] = n[i] + w;
            s[i + 1] = s[i] + w * x;
            q[i + 1] = q[i] + w * x * x;
        }

        // Cost of one cluster over occupied[i..j) with its centroid rounded to the int8 grid.
        double Cost(int i, int j)
        {
            double count = n[j] - n[i], sum = s[j] - s[i], squares = q[j] - q[i];
            double centroid = Math.Round(sum / count, MidpointRounding.AwayFromZero);
            return squares - 2 * centroid * sum + centroid * centroid * count;
        }

        var best = new double[clusters + 1, m + 1];
        var split = new int[clusters + 1, m + 1];
        for (int j = 1; j <= m; j++)
        {
            best[1, j] = Cost(0, j);
        }

        for (int k = 2; k <= clusters; k++)
        {
            for (int j = k; j <= m; j++)
            {
                double bestCost = double.MaxValue;
                int bestSplit = k - 1;
                for (int i = k - 1; i < j; i++)
                {
                    double cost = best[k - 1, i] + Cost(i, j);
                    if (cost < bestCost)
                    {
                        bestCost = cost;
                        bestSplit = i;
                    }
                }

                best[k, j] = bestCost;
                split[k, j] = bestSplit;
            }
        }

        int end = m;
        for (int k = clusters; k >= 1; k--)
        {
            int start = k == 1 ? 0 : split[k, end];
            double sum = s[end] - s[start], count = n[end] - n[start];
            int centroid = (int)Math.Round(sum / count, MidpointRounding.AwayFromZero);
            for (int i = start; i < end; i++)
            {
                map[occupied[i]] = centroid;
            }

            end = start;
        }

        return map;
    }

    /// <summary>The clustering table as Markdown: per layer the values per channel before and after and the error added.</summary>
    public static string ToMarkdown(IReadOnlyList<ClusteredLayer> layers, int clusters)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"## Weight clustering ({clusters} clusters per output channel)");
        text.AppendLine();
        text.AppendLine("| operator | weights | channels | values/channel before | after | weight SQNR (dB) | relative RMS error |");
        text.AppendLine("|---|---|--:|--:|--:|--:|--:|");
        foreach (var l in layers)
        {
            string sqnr = double.IsPositiveInfinity(l.SqnrDb) ? "∞ (unchanged)" : l.SqnrDb.ToString("F1", CultureInfo.InvariantCulture);
            text.AppendLine(CultureInfo.InvariantCulture, $"| {l.Operator} | {l.Tensor} | {l.Channels}{(l.SharedTable ? " (one table)" : "")} | {l.DistinctBefore} | {l.DistinctAfter} | {sqnr} | {l.RelativeError:P2} |");
        }

        return text.ToString();
    }

    /// <summary>
    /// Bias correction: clustering moves each output channel's weights by Δw, which shifts its mean output by
    /// Σ Δw · E[x]; the int32 bias (scale = input scale × weight scale) takes that shift back:
    /// Δbias = round(Σ Δw_q · E[x] / input scale).
    /// </summary>
    private static void CorrectBias(TfLiteModel model, TfLiteTensor[] tensors, TfLiteOperator op, int axis, int[] shape, int[] original, int[] clustered, double[] means)
    {
        if (op.Inputs.Length < 3 || op.Inputs[2] < 0 || tensors[op.Inputs[2]] is not { Type: TfLiteType.Int32, Data: { } biasData } bias
            || tensors[op.Inputs[0]].Quantization is not { } inputQuantization || !(inputQuantization.Scale > 0))
        {
            return;
        }

        int channels = shape[axis];
        int inner = 1;
        for (int d = axis + 1; d < shape.Length; d++)
        {
            inner *= shape[d];
        }

        var shift = new double[channels];
        for (int e = 0; e < original.Length; e++)
        {
            shift[(e / inner) % channels] += (clustered[e] - original[e]) * means[e];
        }

        if (biasData.Length != channels * 4 || model.Operators.Count(o => o.Inputs.Skip(2).Contains(bias.Index)) > 1)
        {
            return;
        }

        var corrected = (byte[])biasData.Clone();
        for (int c = 0; c < channels; c++)
        {
            long value = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(corrected.AsSpan(c * 4));
            value -= (long)Math.Round(shift[c] / inputQuantization.Scale);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(corrected.AsSpan(c * 4), (int)Math.Clamp(value, int.MinValue, int.MaxValue));
        }

        tensors[bias.Index] = bias with { Data = corrected };
    }

    /// <summary>
    /// Each weight element's importance: the mean square of the input it multiplies. CONV_2D [O, H, W, I] and
    /// DEPTHWISE_CONV_2D [1, H, W, C·M] weights take the energy of their input channel (the input's last axis),
    /// FULLY_CONNECTED [O, I] weights that of input feature I.
    /// </summary>
    private static double[]? Importance(BuiltinOperator code, int[] shape, float[] energy)
    {
        int n = shape.Aggregate(1, (x, y) => x * y);
        int last = shape[^1];
        var importance = new double[n];
        for (int e = 0; e < n; e++)
        {
            int input = code switch
            {
                BuiltinOperator.DepthwiseConv2d => (e % last) / Math.Max(1, last / Math.Max(1, energy.Length)),
                _ => e % last,
            };

            if (input >= energy.Length || (code != BuiltinOperator.DepthwiseConv2d && energy.Length != last))
            {
                return null;
            }

            importance[e] = energy[input];
        }

        return importance;
    }

    private static ClusteredLayer Measure(string op, TfLiteTensor weights, int axis, int[] original, int[] clustered)
    {
        double signal = 0, noise = 0;
        for (int i = 0; i < original.Length; i++)
        {
            signal += (double)original[i] * original[i];
            double d = clustered[i] - original[i];
            noise += d * d;
        }

        double sqnr = noise == 0 ? double.PositiveInfinity : 10 * Math.Log10(signal / noise);
        double relative = signal == 0 ? 0 : Math.Sqrt(noise / signal);
        return new ClusteredLayer(op, $"'{weights.Name}' {string.Join("×", weights.Shape)}", weights.Shape[axis],
            MaxDistinct(original, weights.Shape, axis), MaxDistinct(clustered, weights.Shape, axis), sqnr, relative);
    }

    private static int MaxDistinct(int[] values, int[] shape, int axis)
    {
        var sbytes = values.Select(v => (sbyte)v).ToArray();
        return DeviceModels.PaletteEncoding.MaxDistinctPerChannel(sbytes, shape, axis);
    }
}
