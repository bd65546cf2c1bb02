/*
 * ADD (and SUB) on Armv7E-M DSP: the portable kernel's table lookups, with the fast requantization of
 * nq_dsp.h (SMMULR, one rounding shift) when the largest |table1| + |table2| allows it — checked once per
 * call over the two 256-entry tables; otherwise the portable kernel runs. The shift of ADD is ≤ 0.
 * Inputs read in order (no broadcast in the inner run, the residual adds of ResNet-8) take the prescaled form
 * of nq_dsp.h (nq_dsp_requantize_right: the output offset folded into the round offset) in a loop of two
 * elements per turn: per element two LDRSB, two table LDRs, ADD, ADD, LSL, SMMLAR, ASR, SSAT, STRB.
 */
#include "nanoquant_kernels.h"
#include "nq_dsp.h"

#ifdef NQ_DSP
#include <arm_acle.h>
#include "broadcast.h"

/* Both inner runs in order, full-range clamp, right shift ≤ 22 (the round offset stays in int32). */
static int nq_add_dsp_in_order(const int32_t *p, const int8_t *input1, const int8_t *input2, const int32_t *table1,
                               const int32_t *table2, int8_t *output)
{
    const int32_t inner = p[NQ_BC_INNER];
    const int32_t multiplier = p[NQ_ADD_MULTIPLIER];
    const int32_t right = -p[NQ_ADD_SHIFT];
    const int32_t round_offset = nq_dsp_round_offset(p[NQ_ADD_SHIFT], p[NQ_ADD_OUTPUT_OFFSET]);
    const int32_t runs = nq_odometer_runs(p);
    nq_odometer odometer;
    int32_t r;
    nq_odometer_start(&odometer, p);
    for (r = 0; r < runs; r++)
    {
        const int8_t *x1 = input1 + odometer.offset1;
        const int8_t *x2 = input2 + odometer.offset2;
        int8_t *const end = output + inner;
        if ((inner & 1) != 0)
        {
            const int32_t scaled = (table1[*x1++] + table2[*x2++]) * 2;
            *output++ = (int8_t)__ssat(nq_dsp_requantize_right(scaled, multiplier, right, round_offset), 8);
        }

#if NQ_DSP_BLOCK_ASM
        if (output != end)
        {
            /* two elements per turn, the second a deliberate copy of the first: 23 instructions per pair (the compiled
             * C loop below spends 30: it spills the shift and steps the three pointers apart) */
            int32_t a;
            int32_t b;
            __asm__ volatile("1:\n\t"
                             "ldrsb %[a], [%[x1]], #1\n\t"
                             "ldrsb %[b], [%[x2]], #1\n\t"
                             "ldr %[a], [%[t1], %[a], lsl #2]\n\t"
                             "ldr %[b], [%[t2], %[b], lsl #2]\n\t"
                             "add %[a], %[a], %[b]\n\t"
                             "add %[b], %[ro], %[a], asr #31\n\t"
                             "lsl %[a], %[a], #1\n\t"
                             "smmlar %[a], %[a], %[m], %[b]\n\t"
                             "asr %[a], %[a], %[right]\n\t"
                             "ssat %[a], #8, %[a]\n\t"
                             "strb %[a], [%[out]], #1\n\t"
                             "ldrsb %[a], [%[x1]], #1\n\t"
                             "ldrsb %[b], [%[x2]], #1\n\t"
                             "ldr %[a], [%[t1], %[a], lsl #2]\n\t"
                             "ldr %[b], [%[t2], %[b], lsl #2]\n\t"
                             "add %[a], %[a], %[b]\n\t"
                             "add %[b], %[ro], %[a], asr #31\n\t"
                             "lsl %[a], %[a], #1\n\t"
                             "smmlar %[a], %[a], %[m], %[b]\n\t"
                             "asr %[a], %[a], %[right]\n\t"
                             "ssat %[a], #8, %[a]\n\t"
                             "strb %[a], [%[out]], #1\n\t"
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
            /* two elements per turn: one compare and branch per pair (the second a deliberate copy of the first) */
            const int32_t scaled0 = (table1[x1[0]] + table2[x2[0]]) * 2;
            const int32_t scaled1 = (table1[x1[1]] + table2[x2[1]]) * 2;
            output[0] = (int8_t)__ssat(nq_dsp_requantize_right(scaled0, multiplier, right, round_offset), 8);
            output[1] = (int8_t)__ssat(nq_dsp_requantize_right(scaled1, multiplier, right, round_offset), 8);
            x1 += 2;
            x2 += 2;
            output += 2;
        }
#endif

        nq_odometer_advance(&odometer, p);
    }

    return 1;
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
    nq_odometer odometer;
    int32_t round;
    int32_t r;
    if (shift >= 0 || multiplier == INT32_MIN
        || nq_dsp_fast_left(nq_dsp_max_abs(table1, 256) + nq_dsp_max_abs(table2, 256)) < 0)
    {
        return 0;
    }

    round = (int32_t)(1u << (right - 1));
    if (step1 == 1 && step2 == 1 && act_min == -128 && act_max == 127 && right <= 22)
    {
        return nq_add_dsp_in_order(p, input1, input2, table1 + 128, table2 + 128, output);
    }

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
