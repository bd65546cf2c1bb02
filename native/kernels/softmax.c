/*
 * SOFTMAX over the last axis, int8 in, int8 out (scale 1/256, zero point −128; TFLM
 * reference_ops::Softmax, integer path) — the native twin of device/Kernels/SoftmaxKernel.cs. The
 * exp tables (exp(d) in Q0 and in Q12, d = q − row max) come from the managed kernel, computed at
 * load; here: the row max, the Q12 sum, gemmlowp's reciprocal of the sum, and each output
 * exp × 1/sum rounded to 1/256 steps. Where TFLM would stop (a row sum ≥ 2^28) the row is −128.
 */
#include "nanoquant_kernels.h"
#include "quantized_math.h"

#define NQ_ACCUMULATION_INTEGER_BITS 12

static int32_t nq_count_leading_zeros(uint32_t x)
{
    int32_t n = 0;
    if (x == 0)
    {
        return 32;
    }

    while ((x & 0x80000000u) == 0)
    {
        x <<= 1;
        n++;
    }

    return n;
}

static int32_t nq_saturating_shift_left(int32_t x, int32_t exponent)
{
    int64_t shifted;
    if (exponent == 0)
    {
        return x;
    }

    shifted = (int64_t)x * ((int64_t)1 << exponent);
    if (shifted > INT32_MAX)
    {
        return INT32_MAX;
    }

    if (shifted < INT32_MIN)
    {
        return INT32_MIN;
    }

    return (int32_t)shifted;
}

static int32_t nq_rounding_half_sum(int32_t a, int32_t b)
{
    int64_t sum = (int64_t)a + (int64_t)b;
    int64_t sign = sum >= 0 ? 1 : -1;
    return (int32_t)((sum + sign) / 2);
}

/* gemmlowp's one_over_one_plus_x_for_x_in_0_1, Q0 in and out (FixedPointMath.OneOverOnePlusXForXIn01). */
static int32_t nq_one_over_one_plus_x(int32_t a)
{
    const int32_t forty_eight_over_seventeen = 1515870810;
    const int32_t minus_thirty_two_over_seventeen = -1010580540;
    const int32_t one_q2 = 1 << 29;
    const int32_t half_denominator = nq_rounding_half_sum(a, INT32_MAX);
    int32_t x = nq_add_wrap(forty_eight_over_seventeen,
                            nq_saturating_rounding_doubling_high_mul(half_denominator, minus_thirty_two_over_seventeen));
    int32_t i;
    for (i = 0; i < 3; i++)
    {
        const int32_t half_denominator_times_x = nq_saturating_rounding_doubling_high_mul(half_denominator, x);
        const int32_t one_minus = nq_add_wrap(one_q2, -half_denominator_times_x);
        x = nq_add_wrap(x, nq_saturating_shift_left(nq_saturating_rounding_doubling_high_mul(x, one_minus), 2));
    }

    return nq_saturating_shift_left(x, 1);
}

void nq_softmax(const int32_t *p, const int8_t *input, const int32_t *exp_table, const int32_t *exp_accumulated,
                int8_t *output)
{
    const int32_t rows = p[NQ_SOFTMAX_ROWS];
    const int32_t depth = p[NQ_SOFTMAX_DEPTH];
    int32_t r;

    for (r = 0; r < rows; r++)
    {
        const int8_t *x = input + (r * depth);
        int8_t *out = output + (r * depth);
        int32_t max = -128;
        int32_t bias;
        uint32_t sum = 0;
        int32_t headroom_plus_one;
        int32_t shifted_minus_one;
        int32_t reciprocal;
        int32_t exponent;
        int32_t i;
        for (i = 0; i < depth; i++)
        {
            max = x[i] > max ? x[i] : max;
        }

        /* Table index of q is q − max + 255, in [0, 255]. */
        bias = 255 - max;
        for (i = 0; i < depth; i++)
        {
            sum += (uint32_t)exp_accumulated[x[i] + bias];
        }

        /* FixedPointMath.GetReciprocal of the sum (C#'s shift by 32 is a shift by 0). */
        headroom_plus_one = nq_count_leading_zeros(sum);
        shifted_minus_one = nq_wrap(((headroom_plus_one < 32) ? (sum << headroom_plus_one) : sum) - 0x80000000u);
        reciprocal = nq_one_over_one_plus_x(shifted_minus_one);
        exponent = (NQ_ACCUMULATION_INTEGER_BITS - headroom_plus_one) + 31 - 8;
        if (exponent > 31)
        {
            for (i = 0; i < depth; i++)
            {
                out[i] = -128;
            }
        }
        else
        {
            for (i = 0; i < depth; i++)
            {
                int32_t v = nq_rounding_divide_by_pot(
                                nq_saturating_rounding_doubling_high_mul(reciprocal, exp_table[x[i] + bias]), exponent) - 128;
                out[i] = (int8_t)(v > 127 ? 127 : (v < -128 ? -128 : v));
            }
        }
    }
}
