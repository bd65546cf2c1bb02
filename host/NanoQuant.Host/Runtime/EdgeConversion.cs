using NanoQuant.Format;

namespace NanoQuant.Host.Runtime;

/// <summary>
/// Float ↔ int8/int16 at the model's edges, exactly as TFLite Micro's QUANTIZE and DEQUANTIZE kernels
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

    /// <summary>TFLM AffineQuantize into int16: clamp(round(x / scale) + zero point, −32768, 32767).</summary>
    public static short QuantizeInt16(float value, float scale, int zeroPoint)
    {
        float rounded = MathF.Round(value / scale, MidpointRounding.AwayFromZero);
        long unclamped = float.IsNaN(rounded) ? zeroPoint : (long)Math.Clamp(rounded, -2147483648f, 2147483520f) + zeroPoint;
        return (short)Math.Clamp(unclamped, short.MinValue, short.MaxValue);
    }

    /// <summary>Quantizes <paramref name="value"/> into element <paramref name="index"/> of an int8 or int16 tensor.</summary>
    public static void QuantizeInto(Tensor tensor, int index, float value)
    {
        if (tensor.Type == TensorType.Int16)
        {
            tensor.SetInt16(index, QuantizeInt16(value, tensor.Scale, tensor.ZeroPoint));
        }
        else
        {
            tensor.SetInt8(index, Quantize(value, tensor.Scale, tensor.ZeroPoint));
        }
    }

    /// <summary>Element <paramref name="index"/> of an int8 or int16 tensor as an integer.</summary>
    public static int Element(Tensor tensor, int index) =>
        tensor.Type == TensorType.Int16 ? tensor.GetInt16(index) : tensor.Data[tensor.Offset + index];

    /// <summary>TFLM Dequantize: (float)(scale × (q − zero point)) with the product in double precision.</summary>
    public static float Dequantize(int value, float scale, int zeroPoint) => (float)((double)scale * (value - zeroPoint));
}
