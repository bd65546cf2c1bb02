using System.CommandLine;
using NanoQuant.Host.Quantization;

namespace NanoQuant.Cli;

/// <summary>
/// `--cluster-method kmeans|gptq` of `convert` and `finetune`: how <c>--cluster</c> assigns each weight to its table's values
/// (<see cref="ClusteringMethod"/>). One home for its help, parsing and checks.
/// </summary>
internal static class ClusterMethodOption
{
    public static Option<string?> Create() => new("--cluster-method")
    {
        Description = $"with --cluster: how each weight is assigned to its table's values: kmeans (each to its own cluster's value; the optimal 1-D k-means of the channel, weighted by the input's mean square) or gptq (the same values, assigned in turn with GPTQ's error feedback through the inverse of the layer's input correlation, so neighbouring inputs' errors cancel; needs calibration data); default {ClusteringMethods.Name(ClusteringMethods.Default)}",
    };

    /// <summary>
    /// The method asked for (the default when not given). Given without --cluster, with a name it does not know, or gptq where
    /// there is no calibration data (<paramref name="calibrated"/> false: an int8 model converted as it is): a usage error.
    /// </summary>
    public static ClusteringMethod Resolve(ParseResult parse, Option<string?> option, int? clusters, bool calibrated)
    {
        if (parse.GetValue(option) is not { } name)
        {
            return calibrated ? ClusteringMethods.Default : ClusteringMethod.KMeans;
        }

        var method = ClusteringMethods.Parse(name)
            ?? throw new CliUsageException($"--cluster-method takes {string.Join(" or ", ClusteringMethods.Names)}, not '{name}'");
        if (clusters is null)
        {
            throw new CliUsageException("--cluster-method needs --cluster N");
        }

        if (method == ClusteringMethod.Gptq && !calibrated)
        {
            throw new CliUsageException("--cluster-method gptq needs calibration data (a float model with --calibration): its error feedback weighs each layer's input correlation; an int8 model converted as it is clusters with kmeans");
        }

        return method;
    }
}
