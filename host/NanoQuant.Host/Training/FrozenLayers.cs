namespace NanoQuant.Host.Training;

/// <summary>Layers <see cref="Trainer"/> leaves as they are.</summary>
[Flags]
public enum FrozenLayers
{
    None = 0,

    /// <summary>The first CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED: its weights and bias.</summary>
    First = 1,

    /// <summary>The last CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED (the classifier): its weights and bias.</summary>
    Last = 2,

    /// <summary>With clustering: every weight tensor not tied to centroids (biases still train), so only the centroids and biases do.</summary>
    Unclustered = 4,
}
