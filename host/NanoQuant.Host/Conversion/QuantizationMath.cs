namespace NanoQuant.Host.Conversion;

/// <summary>
/// The host half of TFLite's quantization arithmetic: turning real multipliers into an int32
/// multiplier and a shift, and fused activations into int8 clamp ranges, exactly as TFLite and
/// TFLite Micro compute them (double precision from float32 scales, round half away from zero).
/// </summary>
public static class QuantizationMath
{
    /// <summary>TFLite's QuantizeMultiplier: real = multiplier × 2^shift / 2^31, multiplier in [2^30, 2^31).</summary>
    public static (int Multiplier, int Shift) QuantizeMultiplier(double realMultiplier)
    {
        if (!double.IsFinite(realMultiplier) || realMultiplier < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(realMultiplier), realMultiplier, "a requantization multiplier must be finite and positive");
        }

        var (multiplier, shift) = QuantizeMultiplierUnbounded(realMultiplier);
        if (shift > 30)
        {
            throw new ArgumentOutOfRangeException(nameof(realMultiplier), realMultiplier, "a requantization multiplier of 2^31 or more cannot be represented");
        }

        return (multiplier, shift);
    }

    /// <summary>
    /// TFLite's QuantizeMultiplier exactly, without range checks: negative reals give negative
    /// multipliers (−2^31 included, as TFLite's int32 cast gives), shifts above 30 are returned as
    /// they are, shifts below −31 flush to (0, 0). Callers check what their kernel accepts.
    /// </summary>
    public static (int Multiplier, int Shift) QuantizeMultiplierUnbounded(double realMultiplier)
    {
        if (realMultiplier == 0)
        {
            return (0, 0);
        }

        if (!double.IsFinite(realMultiplier))
        {
            throw new ArgumentOutOfRangeException(nameof(realMultiplier), realMultiplier, "a multiplier must be finite");
        }

        double q = Frexp(realMultiplier, out int shift);
        long qFixed = (long)Math.Round(q * (1L << 31), MidpointRounding.AwayFromZero);
        if (qFixed == (1L << 31))
        {
            qFixed /= 2;
            shift++;
        }

        return shift < -31 ? (0, 0) : ((int)qFixed, shift);
    }

    /// <summary>C's frexp: value = mantissa × 2^exponent, mantissa in [0.5, 1).</summary>
    public static double Frexp(double value, out int exponent)
    {
        if (value == 0 || !double.IsFinite(value))
        {
            exponent = 0;
            return value;
        }

        long bits = BitConverter.DoubleToInt64Bits(value);
        int rawExponent = (int)((bits >> 52) & 0x7FF);
        if (rawExponent == 0)
        {
            // Subnormal: scale into the normal range first.
            double scaled = Frexp(value * Math.Pow(2, 64), out int e);
            exponent = e - 64;
            return scaled;
        }

        exponent = rawExponent - 1022;
        long mantissaBits = (bits & unchecked((long)0x800FFFFFFFFFFFFFUL)) | (1022L << 52);
        return BitConverter.Int64BitsToDouble(mantissaBits);
    }

    /// <summary>
    /// TFLite's Quantize(scale, zero point, f) in single precision: zero point + round(f / scale), for the bounds of a
    /// fused activation. A model whose output scale puts a bound beyond int32 (TFLite's cast is undefined there; a
    /// forged scale such as 1E-11 under RELU6) is refused with <see cref="UnsupportedModelException"/>.
    /// </summary>
    public static int QuantizeValue(float value, float scale, int zeroPoint)
    {
        float scaled = MathF.Round(value / scale, MidpointRounding.AwayFromZero);
        if (!(scaled >= int.MinValue && scaled <= int.MaxValue))
        {
            throw new UnsupportedModelException($"the output scale {scale.ToString(System.Globalization.CultureInfo.InvariantCulture)} puts the fused activation's bound {value.ToString(System.Globalization.CultureInfo.InvariantCulture)} beyond int32: the model's quantization is broken");
        }

        return zeroPoint + (int)scaled;
    }

    /// <summary>TFLite's CalculateActivationRangeQuantized for int8 outputs.</summary>
    public static (int Min, int Max) ActivationRange(FusedActivation activation, float outputScale, int outputZeroPoint)
    {
        const int qmin = sbyte.MinValue, qmax = sbyte.MaxValue;
        return activation switch
        {
            FusedActivation.None => (qmin, qmax),
            FusedActivation.Relu => (Math.Max(qmin, QuantizeValue(0f, outputScale, outputZeroPoint)), qmax),
            FusedActivation.Relu6 => (Math.Max(qmin, QuantizeValue(0f, outputScale, outputZeroPoint)), Math.Min(qmax, QuantizeValue(6f, outputScale, outputZeroPoint))),
            FusedActivation.ReluN1To1 => (Math.Max(qmin, QuantizeValue(-1f, outputScale, outputZeroPoint)), Math.Min(qmax, QuantizeValue(1f, outputScale, outputZeroPoint))),
            _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "fused activation not supported"),
        };
    }
}

/// <summary>TFLite's ActivationFunctionType.</summary>
public enum FusedActivation : byte
{
    None = 0,
    Relu = 1,
    ReluN1To1 = 2,
    Relu6 = 3,
    Tanh = 4,
    SignBit = 5,
}
