namespace NanoQuant.Host.Quantization;

/// <summary>How <see cref="WeightClustering"/> assigns each weight to one of its table's values.</summary>
public enum ClusteringMethod
{
    /// <summary>
    /// Each weight to its own centroid: the optimal 1-D k-means of the channel's int8 values, each weight's error weighted by
    /// the mean square of the input it multiplies.
    /// </summary>
    KMeans,

    /// <summary>
    /// The same centroids, then GPTQ-style error feedback (<see cref="ErrorFeedbackAssignment"/>): weights assigned in
    /// column order to the nearest value, each one's error spread over the channel's weights not yet assigned through the
    /// inverse of the layer's input correlation Σ xxᵀ (needs calibration data).
    /// </summary>
    Gptq,
}

/// <summary>The command-line names of <see cref="ClusteringMethod"/>, one home for <c>convert</c> and <c>finetune</c>.</summary>
public static class ClusteringMethods
{
    /// <summary>The method <c>--cluster</c> uses when <c>--cluster-method</c> is not given (with calibration data).</summary>
    public const ClusteringMethod Default = ClusteringMethod.KMeans;

    /// <summary>The names, in the order help lists them: index i names the <see cref="ClusteringMethod"/> of value i.</summary>
    public static readonly string[] Names = ["kmeans", "gptq"];

    /// <summary>The method a name stands for; null when it names none.</summary>
    public static ClusteringMethod? Parse(string name) => Array.IndexOf(Names, name) is var i and >= 0 ? (ClusteringMethod)i : null;

    /// <summary>The command-line name of <paramref name="method"/>.</summary>
    public static string Name(ClusteringMethod method) => Names[(int)method];
}
