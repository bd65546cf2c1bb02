namespace NanoQuant.Host.Runtime;

/// <summary>
/// Float ↔ int8 at the model's edges, exactly as TFLite Micro's QUANTIZE and DEQUANTIZE kernels
/// compute it, so a float-edged model run through the device runtime gives the TFLM bytes.
/// </summary>
public static class EdgeConversion
{
    /// <summary>TFLM AffineQuantize: clamp(round(x / scale) + zero point) with the division in single precision.</summary>
    public static sbyte Quantize(float value, float scale, int zeroPoint)
    {
        float rounded = MathF.Round(value / scale, MidpointRounding.AwayFromZero);
        long unclamped = float.IsNaN(rounded) ? zeroPoint : (long)Math.Clamp(rounded, -2147483648f, 2147483520f) + zeroPoint;
        return (sbyte)Math.Clamp(unclamped, sbyte.MinValue, sbyte.MaxValue);
    }

    /// <summary>TFLM Dequantize: (float)(scale × (q − zero point)) with the product in double precision.</summary>
    public static float Dequantize(sbyte value, float scale, int zeroPoint) => (float)((double)scale * (value - zeroPoint));
}
