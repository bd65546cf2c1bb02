/*
 * ADD (and SUB) on Armv7E-M DSP: the portable kernel's table lookups, with the fast requantization of
 * nq_dsp.h (SMMULR, one rounding shift) when the largest |table1| + |table2| allows it — checked once per
 * call over the two 256-entry tables; otherwise the portable kernel runs. The shift of ADD is ≤ 0.
 * Inputs read in order (no broadcast in the inner run, the residual adds of ResNet-8) take the prescaled form
 * of nq_dsp.h (nq_dsp_requantize_right: the output offset folded into the round offset) in an assembly loop of two
 * elements per turn: per element two LDRSB, two table LDRs, ADD, ADD, LSL, SMMLAR, ASR, SSAT, STRB (the compiled C
 * loop spent 15: it spills the shift and steps the three pointers apart).
 */
#include "nanoquant_kernels.h"
#include "nq_dsp.h"

#ifdef NQ_DSP
#include <arm_acle.h>
#include "broadcast.h"

#if NQ_DSP_BLOCK_ASM
/* One element of the in-order loop: %[a] and %[b] scratch. */
#define NQ_ADD_ELEMENT \
    "ldrsb %[a], [%[x1]], #1\n\t" \
    "ldrsb %[b], [%[x2]], #1\n\t" \
    "ldr %[a], [%[t1], %[a], lsl #2]\n\t" \
    "ldr %[b], [%[t2], %[b], lsl #2]\n\t" \
    "add %[a], %[a], %[b]\n\t" \
    "add %[b], %[ro], %[a], asr #31\n\t" \
    "lsl %[a], %[a], #1\n\t" \
    "smmlar %[a], %[a], %[m], %[b]\n\t" \
    "asr %[a], %[a], %[right]\n\t" \
    "ssat %[a], #8, %[a]\n\t" \
    "strb %[a], [%[out]], #1\n\t"
#endif

/* One inner run in order, full-range clamp (table1 and table2 indexed by the int8 value, right ≤ 22). */
static inline void nq_add_dsp_run_in_order(const int8_t *x1, const int8_t *x2, const int32_t *table1, const int32_t *table2,
                                           int8_t *output, int32_t inner, int32_t multiplier, int32_t right, int32_t round_offset)
{
    int8_t *const end = output + inner;
    if ((inner & 1) != 0)
    {
        const int32_t scaled = (table1[*x1++] + table2[*x2++]) * 2;
        *output++ = (int8_t)__ssat(nq_dsp_requantize_right(scaled, multiplier, right, round_offset), 8);
    }

#if NQ_DSP_BLOCK_ASM
    if (output != end)
    {
        int32_t a;
        int32_t b;
        __asm__ volatile("1:\n\t" NQ_ADD_ELEMENT NQ_ADD_ELEMENT
                         "cmp %[out], %[end]\n\t"
                         "bne 1b"
                         : [x1] "+r"(x1), [x2] "+r"(x2), [out] "+r"(output), [a] "=&r"(a), [b] "=&r"(b)
                         : [t1] "r"(table1), [t2] "r"(table2), [ro] "r"(round_offset), [m] "r"(multiplier),
                           [right] "r"(right), [end] "r"(end)
                         : "cc", "memory");
    }
#else
    while (output != end)
    {
        const int32_t scaled = (table1[*x1++] + table2[*x2++]) * 2;
        *output++ = (int8_t)__ssat(nq_dsp_requantize_right(scaled, multiplier, right, round_offset), 8);
    }
#endif
}

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
    const int full_range = act_min == -128 && act_max == 127;
    const int in_order = step1 == 1 && step2 == 1 && full_range && right <= 22;
    nq_odometer odometer;
    int32_t round;
    int32_t round_offset;
    int32_t r;
    if (shift >= 0 || multiplier == INT32_MIN
        || nq_dsp_fast_left(nq_dsp_max_abs(table1, 256) + nq_dsp_max_abs(table2, 256)) < 0)
    {
        return 0;
    }

    round = (int32_t)(1u << (right - 1));
    round_offset = nq_dsp_round_offset(shift, output_offset);
    table1 += 128;
    table2 += 128;
    nq_odometer_start(&odometer, p);
    for (r = 0; r < runs; r++)
    {
        const int8_t *x1 = input1 + odometer.offset1;
        const int8_t *x2 = input2 + odometer.offset2;
        int32_t i;
        if (in_order)
        {
            nq_add_dsp_run_in_order(x1, x2, table1, table2, output, inner, multiplier, right, round_offset);
            output += inner;
        }
        else if (full_range)
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
