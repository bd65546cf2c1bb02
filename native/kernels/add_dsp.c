/*
 * ADD (and SUB) on Armv7E-M DSP: the portable kernel's table lookups, with the fast requantization of
 * nq_dsp.h (SMMULR, one rounding shift) when the largest |table1| + |table2| allows it — checked once per
 * call over the two 256-entry tables; otherwise the portable kernel runs. The shift of ADD is ≤ 0.
 */
#include "nanoquant_kernels.h"
#include "nq_dsp.h"

#ifdef NQ_DSP
#include <arm_acle.h>
#include "broadcast.h"

int nq_add_dsp(const int32_t *p, const int8_t *input1, const int8_t *input2, const int32_t *table1, const int32_t *table2,
               int8_t *output)
{
    const int32_t inner = p[NQ_BC_INNER];
    const int32_t step1 = p[NQ_BC_STEP1];
    const int32_t step2 = p[NQ_BC_STEP2];
    const int32_t output_offset = p[NQ_ADD_OUTPUT_OFFSET];
    const int32_t multiplier = p[NQ_ADD_MULTIPLIER];
    const int32_t shift = p[NQ_ADD_SHIFT];
    const int32_t act_min = p[NQ_ADD_ACTIVATION_MIN];
    const int32_t act_max = p[NQ_ADD_ACTIVATION_MAX];
    const int32_t runs = nq_odometer_runs(p);
    const int32_t right = -shift;
    nq_odometer odometer;
    int32_t round;
    int32_t r;
    if (shift >= 0 || multiplier == INT32_MIN
        || nq_dsp_fast_left(nq_dsp_max_abs(table1, 256) + nq_dsp_max_abs(table2, 256)) < 0)
    {
        return 0;
    }

    round = (int32_t)(1u << (right - 1));
    table1 += 128;
    table2 += 128;
    nq_odometer_start(&odometer, p);
    for (r = 0; r < runs; r++)
    {
        const int8_t *x1 = input1 + odometer.offset1;
        const int8_t *x2 = input2 + odometer.offset2;
        int32_t i;
        if (act_min == -128 && act_max == 127)
        {
            for (i = 0; i < inner; i++)
            {
                const int32_t raw = table1[*x1] + table2[*x2];
                *output++ = (int8_t)__ssat(nq_dsp_scale_right(raw, multiplier, right, round) + output_offset, 8);
                x1 += step1;
                x2 += step2;
            }
        }
        else
        {
            for (i = 0; i < inner; i++)
            {
                const int32_t raw = table1[*x1] + table2[*x2];
                *output++ = nq_clamp(nq_dsp_scale_right(raw, multiplier, right, round) + output_offset, act_min, act_max);
                x1 += step1;
                x2 += step2;
            }
        }

        nq_odometer_advance(&odometer, p);
    }

    return 1;
}
#else
typedef int nq_add_dsp_unused; /* an empty translation unit is not ISO C */
#endif
