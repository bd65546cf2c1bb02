namespace NanoQuant.Host.Quantization;

/// <summary>
/// The TFLite int8 quantization spec, computed as TensorFlow Lite's post-training quantizer
/// (tensorflow/lite/tools/optimize) computes it — the quantizer that made the MLPerf Tiny int8
/// models: for the same float weights and the same calibrated ranges it gives the same float32
/// scales, zero points, int8 weights and int32 biases, bit for bit.
/// </summary>
public static class QuantizationParameters
{
    private const double Int32Max = int.MaxValue;

    /// <summary>
    /// Per-tensor asymmetric int8 for an activation seen in [min, max], in single precision: the
    /// range is widened to include 0; scale = (max − min) / 255; zero point = −128 − min / scale,
    /// rounded half away from zero and clamped to int8. A tensor that is always 0 gets (1, −128).
    /// </summary>
    public static (float Scale, int ZeroPoint) Activation(double min, double max)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max) || min > max)
        {
            throw new ArgumentOutOfRangeException(nameof(min), $"[{min}, {max}] is not a finite range");
        }

        float lo = Math.Min((float)min, 0f);
        float hi = Math.Max((float)max, 0f);
        float scale = (hi - lo) / 255f;
        if (!(scale > 0) || !float.IsFinite(scale))
        {
            return (1f, sbyte.MinValue);
        }

        float zeroPointFromMin = sbyte.MinValue - (lo / scale);
        int zeroPoint = zeroPointFromMin < sbyte.MinValue ? sbyte.MinValue
            : zeroPointFromMin > sbyte.MaxValue ? sbyte.MaxValue
            : (int)MathF.Round(zeroPointFromMin, MidpointRounding.AwayFromZero);
        return (scale, zeroPoint);
    }

    /// <summary>
    /// Symmetric int16 for an activation seen in [min, max] (TFLite's 16x8 mode): zero point 0,
    /// scale = max(|min|, |max|) / 32767 in single precision; a tensor that is always 0 gets (1, 0).
    /// </summary>
    public static (float Scale, int ZeroPoint) ActivationInt16(double min, double max)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max) || min > max)
        {
            throw new ArgumentOutOfRangeException(nameof(min), $"[{min}, {max}] is not a finite range");
        }

        float absMax = Math.Max(Math.Abs((float)min), Math.Abs((float)max));
        float scale = absMax / 32767f;
        return scale > 0 && float.IsFinite(scale) ? (scale, 0) : (1f, 0);
    }

    /// <summary>int64 bias values of a 16x8 operator: round(b / scale) in double precision.</summary>
    public static long[] BiasInt64(float[] bias, float[] scales)
    {
        var values = new long[bias.Length];
        for (int i = 0; i < bias.Length; i++)
        {
            double scale = scales.Length == 1 ? scales[0] : scales[i];
            double q = scale == 0 ? 0 : Math.Round(bias[i] / scale, MidpointRounding.AwayFromZero);
            values[i] = (long)Math.Clamp(q, -9.2e18, 9.2e18);
        }

        return values;
    }

    /// <summary>Values of a constant as int16 with the given quantization (rounded, clamped).</summary>
    public static short[] QuantizeValuesInt16(float[] values, float scale, int zeroPoint)
    {
        var q = new short[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            float r = MathF.Round(values[i] / scale, MidpointRounding.AwayFromZero) + zeroPoint;
            q[i] = (short)Math.Clamp(r, short.MinValue, short.MaxValue);
        }

        return q;
    }

    /// <summary>The real range an int8 quantization covers.</summary>
    public static (double Min, double Max) Covered(float scale, int zeroPoint) =>
        ((double)scale * (sbyte.MinValue - zeroPoint), (double)scale * (sbyte.MaxValue - zeroPoint));

    /// <summary>
    /// Symmetric int8 weights in [−127, 127], zero point 0: one scale for all values when
    /// <paramref name="dimension"/> is −1, else one per index of that dimension. Each scale is
    /// max |w| / 127, widened where the bias would not fit the middle half of int32 at scale
    /// input × weight scale (TFLite's AdjustWeightsForBiasScale); q = round(w × 127 / max |w|).
    /// </summary>
    /// <param name="bias">The operator's float bias, or null.</param>
    /// <param name="inputScale">The operator's input scale (used with the bias).</param>
    public static (sbyte[] Values, float[] Scales) Weights(float[] weights, int[] shape, int dimension, float[]? bias = null, float inputScale = 0)
    {
        int channels = dimension < 0 ? 1 : shape[dimension];
        int inner = 1;
        if (dimension >= 0)
        {
            for (int d = dimension + 1; d < shape.Length; d++)
            {
                inner *= shape[d];
            }
        }

        var min = new float[channels];
        var max = new float[channels];
        var seen = new bool[channels];
        for (int i = 0; i < weights.Length; i++)
        {
            int c = dimension < 0 ? 0 : (i / inner) % channels;
            float v = weights[i];
            if (!seen[c])
            {
                min[c] = max[c] = v;
                seen[c] = true;
            }
            else if (v < min[c])
            {
                min[c] = v;
            }
            else if (v > max[c])
            {
                max[c] = v;
            }
        }

        if (bias is not null && inputScale > 0)
        {
            AdjustForBias(min, max, bias, inputScale);
        }

        var scales = new float[channels];
        var inverses = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            float halfRange = Math.Max(Math.Abs(min[c]), Math.Abs(max[c]));
            scales[c] = halfRange / 127f;
            inverses[c] = halfRange == 0 ? 0 : 127f / halfRange;
            if (!(scales[c] > 0))
            {
                // All-zero weights (TFLite would store scale 0, which the runtime refuses): any scale fits.
                scales[c] = 1f;
            }
        }

        var values = new sbyte[weights.Length];
        for (int i = 0; i < weights.Length; i++)
        {
            int c = dimension < 0 ? 0 : (i / inner) % channels;
            float q = MathF.Round(weights[i] * inverses[c], MidpointRounding.AwayFromZero);
            values[i] = (sbyte)Math.Clamp(q, -127f, 127f);
        }

        return (values, scales);
    }

    /// <summary>Widens weight ranges whose bias would not fit within ±2³⁰ at scale input × weight scale.</summary>
    private static void AdjustForBias(float[] min, float[] max, float[] bias, float inputScale)
    {
        int channels = min.Length;
        if (channels > 1)
        {
            for (int c = 0; c < channels && c < bias.Length; c++)
            {
                float scale = Math.Max(Math.Abs(min[c]), Math.Abs(max[c])) / 127f;
                if (Math.Abs(bias[c]) >= 0.5 * inputScale * scale * Int32Max)
                {
                    max[c] = (float)(2.0 * Math.Abs(bias[c]) / Int32Max * (127f / inputScale));
                    min[c] = -max[c];
                }
            }

            return;
        }

        float halfRange = bias.Length == 0 ? 0 : Math.Max(Math.Abs(bias.Min()), Math.Abs(bias.Max()));
        float weightScale = Math.Max(Math.Abs(min[0]), Math.Abs(max[0])) / 127f;
        if (halfRange / (float)Int32Max >= 0.5 * inputScale * weightScale)
        {
            min[0] = (float)(2.0 * halfRange / Int32Max * (-127f / inputScale));
            max[0] = (float)(2.0 * halfRange / Int32Max * (127f / inputScale));
        }
    }

    /// <summary>The scale of an int32 bias: input scale × weight scale (in single precision).</summary>
    public static float BiasScale(float inputScale, float weightScale) => inputScale * weightScale;

    /// <summary>int32 bias values: round(b × (1 / scale)), saturated to ±(2³¹ − 1).</summary>
    public static int[] Bias(float[] bias, float[] scales)
    {
        var values = new int[bias.Length];
        for (int i = 0; i < bias.Length; i++)
        {
            float scale = scales.Length == 1 ? scales[0] : scales[i];
            float inverse = scale == 0 ? 0 : (float)(1.0 / scale);
            float q = MathF.Round(bias[i] * inverse, MidpointRounding.AwayFromZero);
            values[i] = q >= 2147483647f ? int.MaxValue : q <= -2147483647f ? -int.MaxValue : (int)q;
        }

        return values;
    }

    /// <summary>Per-tensor asymmetric int8 of a constant: its own range, values rounded and clamped.</summary>
    public static sbyte[] QuantizeValues(float[] values, float scale, int zeroPoint)
    {
        var q = new sbyte[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            float r = MathF.Round(values[i] / scale, MidpointRounding.AwayFromZero) + zeroPoint;
            q[i] = (sbyte)Math.Clamp(r, sbyte.MinValue, sbyte.MaxValue);
        }

        return q;
    }

    /// <summary>What an int8 value stands for: scale × (q − zero point).</summary>
    public static float Dequantize(int q, float scale, int zeroPoint) => (float)((double)scale * (q - zeroPoint));

    /// <summary>A float as the int8 it quantizes to (round half away from zero, clamped).</summary>
    public static sbyte Quantize(float value, float scale, int zeroPoint)
    {
        float r = MathF.Round(value / scale, MidpointRounding.AwayFromZero) + zeroPoint;
        return (sbyte)Math.Clamp(r, sbyte.MinValue, sbyte.MaxValue);
    }
}
