using NanoQuant.Host.Quantization;

namespace NanoQuant.Host.Conversion;

/// <summary>What <see cref="ConversionPipeline"/> made: the device model, and for a float model what quantization did.</summary>
/// <param name="Conversion">The device model, its bytes and memory plan.</param>
/// <param name="Clustering">What weight clustering did to each layer; empty without it.</param>
public sealed record ConversionOutcome(ConversionResult Conversion, IReadOnlyList<ClusteredLayer> Clustering)
{
    /// <summary>Calibration, ranges, the quantized TFLite model and each step's time; null for a model that came quantized.</summary>
    public PostTrainingResult? Quantization { get; init; }

    /// <summary>The per-layer report, when <see cref="ConversionOptions.Report"/> asked for it.</summary>
    public QuantizationReport? Report { get; init; }

    /// <summary>How long measuring <see cref="Report"/> took.</summary>
    public TimeSpan ReportTime { get; init; }
}
