/*
 * Fixed-point requantization exactly as device/QuantizedMath.cs and TensorFlow Lite Micro compute it
 * (gemmlowp's SaturatingRoundingDoublingHighMul and RoundingDivideByPOT, double rounding). Shifts are
 * checked by nq_run to lie in [-31, 30]. Wrap-around int32 sums are kept in uint32_t, so no signed
 * overflow (undefined in C) happens where the managed kernels wrap.
 */
#ifndef NANOQUANT_QUANTIZED_MATH_H
#define NANOQUANT_QUANTIZED_MATH_H

#include <stdint.h>

#define NQ_MIN_SHIFT (-31)
#define NQ_MAX_SHIFT 30

/* The int32 value of a wrap-around sum (two's complement, as every target compiler defines it). */
static inline int32_t nq_wrap(uint32_t x)
{
    return (int32_t)x;
}

static inline int32_t nq_saturating_rounding_doubling_high_mul(int32_t a, int32_t b)
{
    int64_t product;
    int64_t nudge;
    if (a == INT32_MIN && b == INT32_MIN)
    {
        return INT32_MAX;
    }

    product = (int64_t)a * (int64_t)b;
    nudge = product >= 0 ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30));
    return (int32_t)((product + nudge) / ((int64_t)1 << 31));
}

/* x / 2^exponent rounded half away from zero; exponent in [0, 31]. */
static inline int32_t nq_rounding_divide_by_pot(int32_t x, int32_t exponent)
{
    int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
    int32_t remainder = x & mask;
    int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* QuantizedMath.MultiplyByQuantizedMultiplier: shift > 0 shifts left first (wrapping, as C# does). */
static inline int32_t nq_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int32_t shift)
{
    int32_t a = shift > 0 ? nq_wrap((uint32_t)x << shift) : x;
    int32_t high = nq_saturating_rounding_doubling_high_mul(a, multiplier);
    return shift >= 0 ? high : nq_rounding_divide_by_pot(high, -shift);
}

/* a + b with wrap-around, as C#'s int addition. */
static inline int32_t nq_add_wrap(int32_t a, int32_t b)
{
    return nq_wrap((uint32_t)a + (uint32_t)b);
}

/* The output stage every requantizing kernel shares: rescale, add the output offset, clamp to int8. */
static inline int8_t nq_requantize(uint32_t acc, int32_t multiplier, int32_t shift, int32_t output_offset, int32_t min, int32_t max);

static inline int8_t nq_clamp(int32_t v, int32_t min, int32_t max)
{
    return (int8_t)(v < min ? min : (v > max ? max : v));
}

static inline int8_t nq_requantize(uint32_t acc, int32_t multiplier, int32_t shift, int32_t output_offset, int32_t min, int32_t max)
{
    return nq_clamp(nq_add_wrap(nq_multiply_by_quantized_multiplier(nq_wrap(acc), multiplier, shift), output_offset), min, max);
}

#endif /* NANOQUANT_QUANTIZED_MATH_H */
