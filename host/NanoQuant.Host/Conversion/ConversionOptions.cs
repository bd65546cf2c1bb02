using NanoQuant.Host.DeviceModels;
using NanoQuant.Host.Quantization;

namespace NanoQuant.Host.Conversion;

/// <summary>
/// Everything `nanoquant convert` can ask of <see cref="ConversionPipeline"/>. The storage options (palettes,
/// compaction, clustering, uint8 edges) apply to both paths; the rest only to quantizing a float model.
/// </summary>
public sealed record ConversionOptions
{
    /// <summary>How int8 constants that fit a palette are stored.</summary>
    public PaletteMode Palettes { get; init; } = PaletteMode.WhenSmaller;

    /// <summary>Store int32 constants narrow and derive folded biases at load; null: <see cref="ConstantCompaction.IsOn"/>'s default.</summary>
    public bool? CompactConstants { get; init; }

    /// <summary>Cluster every CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED weight tensor into at most this many values per output channel; null: no clustering.</summary>
    public int? Clusters { get; init; }

    /// <summary>With <see cref="Clusters"/>: one set of values per weight tensor instead of one per output channel.</summary>
    public bool ClusterPerTensor { get; init; }

    /// <summary>With <see cref="Clusters"/>: how weights are assigned to their table's values (error feedback only when quantizing a float model: it needs calibration data).</summary>
    public ClusteringMethod ClusterMethod { get; init; } = ClusteringMethods.Default;

    /// <summary>The model's inputs and outputs. A quantized model keeps its own, except that int8 ones may become <see cref="ModelEdges.UInt8"/>.</summary>
    public ModelEdges Edges { get; init; } = ModelEdges.Activations;

    /// <summary>16x8: int16 activations, int8 weights, int64 biases (float models only).</summary>
    public bool Int16Activations { get; init; }

    /// <summary>How activation ranges are chosen from the calibration data.</summary>
    public CalibrationOptions Calibration { get; init; } = new();

    /// <summary>Quantize FULLY_CONNECTED weights per output channel.</summary>
    public bool PerChannelFullyConnected { get; init; }

    /// <summary>With <see cref="Int16Activations"/>: correct the biases for the mean shift of the int8 weights' rounding.</summary>
    public bool BiasCorrection { get; init; } = true;

    /// <summary>Integer calibration data that states its own quantization gives the model input exactly that one.</summary>
    public bool UseDataQuantizationForInputs { get; init; } = true;

    /// <summary>Also measure the per-layer report over the calibration data.</summary>
    public bool Report { get; init; }

    /// <summary>With <see cref="Int16Activations"/> and <see cref="Report"/>: the report's baseline is the int8 model of the same ranges.</summary>
    public bool CompareInt8 { get; init; }

    /// <summary>Whether the device model's constants are compacted: the one decision, for both paths.</summary>
    public bool CompactsConstants => ConstantCompaction.IsOn(CompactConstants, Clusters);

    /// <summary>The quantizer's share of these options.</summary>
    public QuantizerOptions QuantizerOptions => new()
    {
        BiasCorrection = BiasCorrection,
        PerChannelFullyConnected = PerChannelFullyConnected,
        FloatEdges = Edges == ModelEdges.Float,
        UInt8Edges = Edges == ModelEdges.UInt8,
        UseDataQuantizationForInputs = UseDataQuantizationForInputs,
        Int16Activations = Int16Activations,
        Clusters = Clusters,
        ClusterPerTensor = ClusterPerTensor,
        ClusterMethod = ClusterMethod,
        Palettes = Palettes,
        CompactConstants = CompactsConstants,
    };
}
