/*
 * MUL on Armv7E-M DSP: the portable kernel's walk (the broadcast odometer) with the prescaled requantization of
 * nq_dsp.h instead of the generic double rounding: |(q1 − zp1)(q2 − zp2)| ≤ 255 × 255 < 2^16 is the bound, so for a
 * multiplier > 0 and a right shift ≤ 22 (or a left shift ≤ 7) every product takes SMMLAR + ASR (nq_dsp_prescale's
 * proof; requantize_check.c checks the forms against quantized_math.h). Other multipliers run the portable kernel.
 */
#include "nanoquant_kernels.h"
#include "nq_dsp.h"

#ifdef NQ_DSP
#include <arm_acle.h>
#include "broadcast.h"

/* The largest |(q1 − zp1)(q2 − zp2)| bound nq_dsp_fast_left is given: both factors lie in [−255, 255]. */
#define NQ_MUL_PRODUCT_BOUND 65536

int nq_mul_dsp(const int32_t *p, const int8_t *input1, const int8_t *input2, int8_t *output)
{
    const int32_t inner = p[NQ_BC_INNER];
    const int32_t step1 = p[NQ_BC_STEP1];
    const int32_t step2 = p[NQ_BC_STEP2];
    const int32_t zero_point1 = p[NQ_MUL_ZERO_POINT1];
    const int32_t zero_point2 = p[NQ_MUL_ZERO_POINT2];
    const int32_t output_offset = p[NQ_MUL_OUTPUT_OFFSET];
    const int32_t multiplier = p[NQ_MUL_MULTIPLIER];
    const int32_t shift = p[NQ_MUL_SHIFT];
    const int32_t act_min = p[NQ_MUL_ACTIVATION_MIN];
    const int32_t act_max = p[NQ_MUL_ACTIVATION_MAX];
    const int32_t runs = nq_odometer_runs(p);
    /* scaled = product × factor; right shifts take the sign correction from scaled (sign_mask −1), left shifts none */
    const int32_t factor = nq_dsp_prescale(multiplier, shift, nq_dsp_fast_left(NQ_MUL_PRODUCT_BOUND));
    const int32_t right = shift < 0 ? -shift : 0;
    const int32_t sign_mask = shift < 0 ? -1 : 0;
    const int32_t round_offset = nq_dsp_round_offset(shift, output_offset);
    nq_odometer odometer;
    int32_t r;
    if (factor == 0)
    {
        return 0;
    }

    nq_odometer_start(&odometer, p);
    for (r = 0; r < runs; r++)
    {
        const int8_t *x1 = input1 + odometer.offset1;
        const int8_t *x2 = input2 + odometer.offset2;
        int32_t i;
        for (i = 0; i < inner; i++)
        {
            const int32_t scaled = ((int32_t)*x1 - zero_point1) * (((int32_t)*x2 - zero_point2) * factor);
            const int32_t value = nq_dsp_smmlar(scaled, multiplier, round_offset + ((scaled >> 31) & sign_mask)) >> right;
            *output++ = nq_clamp(value, act_min, act_max);
            x1 += step1;
            x2 += step2;
        }

        nq_odometer_advance(&odometer, p);
    }

    return 1;
}
#else
typedef int nq_mul_dsp_unused; /* an empty translation unit is not ISO C */
#endif
