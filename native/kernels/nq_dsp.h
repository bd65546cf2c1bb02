/*
 * The Armv7E-M DSP paths (Cortex-M4, M7, M33 …): when the compiler defines __ARM_FEATURE_DSP (and the build
 * does not define NQ_NO_DSP), CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and ADD run their *_dsp function first
 * (AVERAGE_POOL_2D its window sums); it returns 1 when it ran the operator, 0
 * when the portable kernel must (shapes it does not cover). ACLE intrinsics from arm_acle.h only, no CMSIS
 * headers. Same bytes as the portable kernels: every sum is the same int32 value modulo 2^32 (SMLAD wraps
 * as the portable kernels' uint32_t sums do) and the requantization is TFLM's double rounding.
 */
#ifndef NANOQUANT_DSP_H
#define NANOQUANT_DSP_H

#include <stdint.h>
#include "quantized_math.h"

/*
 * Requantization with per-channel constants computed once (nq_dsp_quant_init), the same value as
 * nq_requantize (TFLM's double rounding) for every accumulator:
 * - SaturatingRoundingDoublingHighMul(a, m) = (a × m + 2^30) >> 31 (floor) for every a, m but
 *   a = m = INT32_MIN: for a product p < 0 gemmlowp's trunc((p + 1 − 2^30) / 2^31) equals
 *   floor((p + 2^30) / 2^31). A multiplier of INT32_MIN takes the generic path (generic = 1).
 * - RoundingDivideByPOT(x, e) = (x >> e) + ((x & mask) + (x >> 31) > mask >> 1), mask = 2^e − 1, which
 *   for e = 0 adds nothing: shifts ≥ 0 and < 0 run the same instructions.
 * Right shifts of negative values are arithmetic on every compiler the DSP path is built with.
 */
typedef struct nq_dsp_quant
{
    int32_t multiplier;
    int32_t shift;
    int32_t left;
    int32_t right;
    int32_t mask;
    int32_t half;
    int32_t generic;
    int32_t fast;
    int32_t round;
} nq_dsp_quant;

static inline void nq_dsp_quant_init(nq_dsp_quant *q, int32_t multiplier, int32_t shift)
{
    q->multiplier = multiplier;
    q->shift = shift;
    q->left = shift > 0 ? shift : 0;
    q->right = shift < 0 ? -shift : 0;
    q->mask = (int32_t)((1u << q->right) - 1u);
    q->half = q->mask >> 1;
    q->generic = multiplier == INT32_MIN;
    q->fast = 0;
    q->round = 0;
}

/* (a × b + 2^31) >> 32: SMMULR. */
static inline int32_t nq_dsp_smmulr(int32_t a, int32_t b)
{
#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__)
    int32_t r;
    __asm__("smmulr %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
    return r;
#else
    return (int32_t)(((int64_t)a * b + ((int64_t)1 << 31)) >> 32);
#endif
}

/*
 * The fast requantization, for a channel whose accumulators are known to stay within ±bound (|bias| plus
 * the largest Σ |x × w| the operator can reach): when bound × 2^(shift+1) < 2^30 and the shift is
 * negative, SaturatingRoundingDoublingHighMul(a, m) = SMMULR(2a, m) (2a is exact, no saturation case) and
 * RoundingDivideByPOT(x, e) = (x + 2^(e−1) − (x < 0)) >> e (no overflow: |x| < 2^30).
 */
/* The largest left shift for which bound × 2^left < 2^29, so that 2 × (acc << left) < 2^30 (−1: none); computed once per operator from
 * its largest |bias| plus the largest Σ |x × w|. */
static inline int32_t nq_dsp_fast_left(int64_t bound)
{
    /* bound × 2^left < 2^29 ⇔ bound < 2^(29−left) ⇔ bits(bound) ≤ 29 − left */
    int32_t bits = 0;
    int32_t left;
    if (bound <= 0)
    {
        return 30;
    }

#if defined(__GNUC__)
    bits = 64 - __builtin_clzll((unsigned long long)bound);
#else
    while (bound > 0)
    {
        bound >>= 1;
        bits++;
    }
#endif
    left = 29 - bits;
    return left < -1 ? -1 : (left > 30 ? 30 : left);
}

static inline void nq_dsp_quant_fast(nq_dsp_quant *q, int32_t fast_left)
{
    q->fast = !q->generic && q->right >= 1 && q->left <= fast_left;
    q->round = q->right >= 1 ? (int32_t)(1u << (q->right - 1)) : 0;
}

/* The largest |v| of n int32 values, as int64. */
static inline int64_t nq_dsp_max_abs(const int32_t *v, int32_t n)
{
    int64_t m = 0;
    int32_t i;
    for (i = 0; i < n; i++)
    {
        const int64_t a = v[i] < 0 ? -(int64_t)v[i] : (int64_t)v[i];
        m = a > m ? a : m;
    }

    return m;
}

static inline void nq_dsp_quant_bound(nq_dsp_quant *q, int32_t bias, int64_t max_abs_sum)
{
    nq_dsp_quant_fast(q, nq_dsp_fast_left((bias < 0 ? -(int64_t)bias : (int64_t)bias) + max_abs_sum));
}

/* nq_dsp_scale_fast for a negative shift (left 0): right = −shift ≥ 1, round = 2^(right−1). */
static inline int32_t nq_dsp_scale_right(int32_t acc, int32_t multiplier, int32_t right, int32_t round)
{
    const int32_t x = nq_dsp_smmulr((int32_t)((uint32_t)acc << 1), multiplier);
    return (x + round + (x >> 31)) >> right;
}

/* (a × b + 2^31) >> 32 added to c: SMMLAR (c × 2^32 + a × b + 2^31) >> 32, exact. */
static inline int32_t nq_dsp_smmlar(int32_t a, int32_t b, int32_t c)
{
#if defined(__ARM_FEATURE_DSP) && defined(__GNUC__)
    int32_t r;
    __asm__("smmlar %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(c));
    return r;
#else
    return (int32_t)((uint32_t)c + (uint32_t)(int32_t)(((int64_t)a * b + ((int64_t)1 << 31)) >> 32));
#endif
}

/* Whether a channel takes nq_dsp_prescale's right-shift form (below). The factor, 2, does not tell: shift 0's left form
 * has it too (kernels that took 2 for the right shift got shift-0 channels wrong). */
static inline int nq_dsp_prescale_right(int32_t multiplier, int32_t shift, int32_t fast_left)
{
    return multiplier > 0 && shift < 0 && shift >= -22 && fast_left >= 0;
}

/*
 * Requantization from a prescaled accumulator: the kernel multiplies its weights and bias once by
 * nq_dsp_prescale(q) (0: the channel takes nq_dsp_requantize), so that per output
 * - right shift (right ≥ 1): scaled = 2 × acc and nq_dsp_scale_right(acc) + output_offset is
 *   (SMMLAR(scaled, m, round_offset + (scaled >> 31))) >> right, round_offset = 2^(right−1) + output_offset × 2^right
 *   (nq_dsp_round_offset): ADD, SMMLAR, ASR. The sign correction of RoundingDivideByPOT is taken from scaled
 *   instead of from x = SMMULR(scaled, m): with m > 0 they differ only when scaled < 0 and x = 0, where
 *   (2^(right−1) − 1) >> right = 2^(right−1) >> right = 0. output_offset × 2^right is a multiple of 2^right,
 *   so adding it before the shift adds output_offset after; right ≤ 22 and |scaled| < 2^30 keep the sum in int32.
 * - left shift (right = 0, left ≤ 7): scaled = acc × 2^(left+1) and SaturatingRoundingDoublingHighMul(acc << left, m)
 *   + output_offset is SMMLAR(scaled, m, output_offset): (acc × 2^(left+1) × m + 2^31) >> 32 = (acc × 2^left × m + 2^30) >> 31,
 *   no saturation while |scaled| < 2^30. Weights times 2^8 stay int16.
 * Both need the fast bound (|acc| × 2^(left+1) < 2^30, nq_dsp_fast_left) and a multiplier > 0.
 */
static inline int32_t nq_dsp_prescale(int32_t multiplier, int32_t shift, int32_t fast_left)
{
    if (shift < 0)
    {
        return nq_dsp_prescale_right(multiplier, shift, fast_left) ? 2 : 0;
    }

    return multiplier > 0 && shift <= 7 && shift <= fast_left ? (int32_t)(2u << shift) : 0;
}

/* One channel's prescale where a kernel packs its weights (depthwise_conv_2d_dsp.c's nq_dsp_pack_3x3,
 * depthwise_conv_2d_multiplier_dsp.c): nq_dsp_prescale for its |bias| plus reach (the largest Σ |x × w| of its taps),
 * returned (0: unscaled, the channel takes nq_dsp_requantize); *factor the weights' multiplier (the scale, or 1),
 * *start the bias times it. */
static inline int32_t nq_dsp_prescale_channel(int32_t bias, int64_t reach, int32_t multiplier, int32_t shift, uint32_t *factor,
                                              int32_t *start)
{
    const int32_t scale = nq_dsp_prescale(multiplier, shift, nq_dsp_fast_left((bias < 0 ? -(int64_t)bias : bias) + reach));
    *factor = scale != 0 ? (uint32_t)scale : 1u;
    *start = (int32_t)((uint32_t)bias * *factor);
    return scale;
}

/* For shift < 0 this is (2 × output_offset + 1) << (−shift − 1), the form conv_2d_dsp.c's block pass computes in
 * three instructions (requantize_check.c checks the two agree). */
static inline int32_t nq_dsp_round_offset(int32_t shift, int32_t output_offset)
{
    return shift < 0 ? (int32_t)((1u << (-shift - 1)) + ((uint32_t)output_offset << -shift)) : output_offset;
}

/* A right-shift channel (shift < 0) of nq_dsp_prescale: right = −shift. */
static inline int32_t nq_dsp_requantize_right(int32_t scaled, int32_t multiplier, int32_t right, int32_t round_offset)
{
    return nq_dsp_smmlar(scaled, multiplier, round_offset + (scaled >> 31)) >> right;
}

/* A left-shift channel (shift ≥ 0) of nq_dsp_prescale. */
static inline int32_t nq_dsp_requantize_left(int32_t scaled, int32_t multiplier, int32_t output_offset)
{
    return nq_dsp_smmlar(scaled, multiplier, output_offset);
}

static inline int32_t nq_dsp_scale_fast(const nq_dsp_quant *q, int32_t acc)
{
    const int32_t x = nq_dsp_smmulr((int32_t)((uint32_t)acc << (q->left + 1)), q->multiplier);
    return (x + q->round + (x >> 31)) >> q->right;
}

/* MultiplyByQuantizedMultiplier(acc, multiplier, shift) for a multiplier other than INT32_MIN. */
static inline int32_t nq_dsp_scale(const nq_dsp_quant *q, int32_t acc)
{
    const int32_t a = (int32_t)((uint32_t)acc << q->left);
    const int32_t high = (int32_t)(((int64_t)a * q->multiplier + ((int64_t)1 << 30)) >> 31);
    return (high >> q->right) + (((high & q->mask) + (high >> 31)) > q->half ? 1 : 0);
}

static inline int8_t nq_dsp_requantize(const nq_dsp_quant *q, int32_t acc, int32_t output_offset, int32_t min, int32_t max)
{
    if (q->generic)
    {
        return nq_requantize((uint32_t)acc, q->multiplier, q->shift, output_offset, min, max);
    }

    return nq_clamp(nq_add_wrap(nq_dsp_scale(q, acc), output_offset), min, max);
}

#if defined(__ARM_FEATURE_DSP) && !defined(NQ_NO_DSP)
#define NQ_DSP 1

/* Int16 values of one output pixel's patch the DSP convolution keeps on the stack (four pixels at a time:
 * 8 × this many bytes); larger patches run the portable kernel. 576 = 3 × 3 × 64. */
#ifndef NQ_DSP_PATCH_MAX
#define NQ_DSP_PATCH_MAX 576
#endif

/* SXTB16 of the word rotated right by 8: bytes 1 and 3 sign-extended to two int16 (one instruction). */
#if defined(__GNUC__)
#define NQ_DSP_SXTB16_ROR8(v) __extension__({ uint32_t nq_r_; __asm__("sxtb16 %0, %1, ror #8" : "=r"(nq_r_) : "r"((uint32_t)(v))); nq_r_; })
/* SXTAB16 of the word rotated right by 8 onto a: a + bytes 1 and 3, as two int16. */
#define NQ_DSP_SXTAB16_ROR8(a, v) __extension__({ uint32_t nq_r_; __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(nq_r_) : "r"((uint32_t)(a)), "r"((uint32_t)(v))); nq_r_; })
#else
#define NQ_DSP_SXTAB16_ROR8(a, v) ((uint32_t)__sxtab16((int16x2_t)(a), (int8x4_t)(((uint32_t)(v) >> 8) | ((uint32_t)(v) << 24))))
#define NQ_DSP_SXTB16_ROR8(v) ((uint32_t)__sxtb16((int8x4_t)(((uint32_t)(v) >> 8) | ((uint32_t)(v) << 24))))
#endif

#include <arm_acle.h>

/* count sums of one channel, prescaled by nq_dsp_prescale's scale (depthwise_conv_2d_dsp.c's nq_dsp_pack_3x3,
 * depthwise_conv_2d_multiplier_dsp.c), requantized into o, o + step, … */
static inline void nq_dsp_requantize_run(const int32_t *sums, int32_t count, int8_t *o, int32_t step, int32_t scale,
                                         int32_t multiplier, int32_t shift, int32_t round_offset, int32_t output_offset,
                                         int32_t act_min, int32_t act_max)
{
    int32_t i;
    /* the right-shift form by the shift's sign: nq_dsp_prescale's 2 is also the left form's factor for shift 0 */
    if (scale != 0 && shift < 0 && act_min == -128 && act_max == 127)
    {
        const int32_t right = -shift;
        for (i = 0; i < count; i++, o += step)
        {
            *o = (int8_t)__ssat(nq_dsp_requantize_right(sums[i], multiplier, right, round_offset), 8);
        }
    }
    else if (scale != 0 && shift < 0)
    {
        const int32_t right = -shift;
        for (i = 0; i < count; i++, o += step)
        {
            *o = nq_clamp(nq_dsp_requantize_right(sums[i], multiplier, right, round_offset), act_min, act_max);
        }
    }
    else if (scale != 0)
    {
        for (i = 0; i < count; i++, o += step)
        {
            *o = nq_clamp(nq_dsp_requantize_left(sums[i], multiplier, output_offset), act_min, act_max);
        }
    }
    else
    {
        nq_dsp_quant q;
        nq_dsp_quant_init(&q, multiplier, shift);
        for (i = 0; i < count; i++, o += step)
        {
            *o = nq_dsp_requantize(&q, sums[i], output_offset, act_min, act_max);
        }
    }
}

/* Taps (kernel height × width) of a depthwise filter the DSP path packs on the stack (8 bytes each). */
#ifndef NQ_DSP_DEPTHWISE_TAPS_MAX
#define NQ_DSP_DEPTHWISE_TAPS_MAX 64
#endif

/* The block passes of conv_2d_dsp.c and fully_connected_dsp.c are Thumb-2 assembly (GNU syntax): Cortex-M with GCC
 * or Clang; elsewhere the C loops run. */
#if defined(__GNUC__) && defined(__thumb2__)
#define NQ_DSP_BLOCK_ASM 1
#else
#define NQ_DSP_BLOCK_ASM 0
#endif

/* Output channels (units) with at most this many outside a block pass's requantization still run the pass (the C
 * loop redoes them after it); more, and the call runs the C loop. */
#define NQ_DSP_SLOW_MAX 8

/* Input values of a fully connected layer widened on the stack (2 bytes each); deeper layers run portable. */
#ifndef NQ_DSP_FC_DEPTH_MAX
#define NQ_DSP_FC_DEPTH_MAX 1024
#endif

int nq_average_pool_sums_dsp(const int8_t *window, int32_t row_stride, int32_t depth, int32_t rows, int32_t columns,
                             int32_t block, uint32_t *sums);
int nq_max_pool_2d_dsp(const int32_t *p, const int8_t *input, int8_t *output);
int nq_mul_dsp(const int32_t *p, const int8_t *input1, const int8_t *input2, int8_t *output);
int nq_add_dsp(const int32_t *p, const int8_t *input1, const int8_t *input2, const int32_t *table1, const int32_t *table2,
               int8_t *output);
int nq_fully_connected_dsp(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *folded_bias,
                           const int32_t *multipliers, const int32_t *shifts, int8_t *output);
int nq_depthwise_conv_2d_dsp(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                             const int32_t *multipliers, const int32_t *shifts, int8_t *output);
int nq_depthwise_multiplier_dsp(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                                const int32_t *multipliers, const int32_t *shifts, int8_t *output);
int nq_conv_2d_dsp(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                   const int32_t *multipliers, const int32_t *shifts, int8_t *output);
#endif

#endif /* NANOQUANT_DSP_H */
