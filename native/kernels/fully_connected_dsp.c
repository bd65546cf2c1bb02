/*
 * FULLY_CONNECTED on Armv7E-M DSP, inputs of at most NQ_DSP_FC_DEPTH_MAX values. Per batch row the input is
 * widened once into int16 words in SXTB16's order ((x0, x2), (x1, x3) per 4 values); then two units per
 * pass: per 4 values one weight word per unit (two SXTB16), one 8-byte load of the input words and four
 * SMLADs. folded bias + Σ x × w is the portable kernel's int32 value modulo 2^32.
 */
#include "nanoquant_kernels.h"
#include "nq_dsp.h"

#ifdef NQ_DSP
#include <string.h>
#include <arm_acle.h>

static inline uint32_t nq_fc_load32(const int8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline int8_t nq_fc_output(const nq_dsp_quant *q, int32_t acc, int32_t output_offset, int32_t min, int32_t max)
{
    return q->fast ? nq_clamp(nq_dsp_scale_fast(q, acc) + output_offset, min, max)
                   : nq_dsp_requantize(q, acc, output_offset, min, max);
}

int nq_fully_connected_dsp(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *folded_bias,
                           const int32_t *multipliers, const int32_t *shifts, int8_t *output)
{
    const int32_t batches = p[NQ_FC_BATCHES];
    const int32_t depth = p[NQ_FC_DEPTH];
    const int32_t units = p[NQ_FC_UNITS];
    const int32_t per_channel = p[NQ_FC_PER_CHANNEL];
    const int32_t output_offset = p[NQ_FC_OUTPUT_OFFSET];
    const int32_t act_min = p[NQ_FC_ACTIVATION_MIN];
    const int32_t act_max = p[NQ_FC_ACTIVATION_MAX];
    const int32_t groups = depth >> 2;
    const int32_t whole = depth & ~3;
    const int64_t reach = (int64_t)depth * 128 * 128;
    uint64_t column[NQ_DSP_FC_DEPTH_MAX / 4];
    nq_dsp_quant shared;
    int32_t b;
    if (depth > NQ_DSP_FC_DEPTH_MAX)
    {
        return 0;
    }

    const int32_t fast_left = nq_dsp_fast_left(nq_dsp_max_abs(folded_bias, units) + reach);
    nq_dsp_quant_init(&shared, multipliers[0], shifts[0]);
    nq_dsp_quant_fast(&shared, fast_left);
    for (b = 0; b < batches; b++)
    {
        const int8_t *x = input + (b * depth);
        int8_t *out = output + (b * units);
        int32_t g;
        int32_t u;
        if (units < 4)
        {
            /* Few units: widening the input first would not pay; both operands are widened as they are read. This
             * block and the widened one below are near-copies on purpose: the same two-unit pass with the input
             * widened per use here, once per row there (which of the two is cheaper depends on the unit count). */
            for (u = 0; u < units; u += 2)
            {
                /* Two units per pass (an odd last one with itself): the input word widened once for both. */
                const int32_t u1 = u + 1 < units ? u + 1 : u;
                const int8_t *w0 = filter + (u * depth);
                const int8_t *w1 = filter + (u1 * depth);
                int32_t s0 = folded_bias[u];
                int32_t s1 = folded_bias[u1];
                nq_dsp_quant q0;
                nq_dsp_quant q1;
                const nq_dsp_quant *r0 = &shared;
                const nq_dsp_quant *r1 = &shared;
                for (g = 0; g < whole; g += 4)
                {
                    const uint32_t v = nq_fc_load32(x + g);
                    const uint32_t a = nq_fc_load32(w0 + g);
                    const uint32_t d = nq_fc_load32(w1 + g);
                    const int16x2_t v02 = __sxtb16((int8x4_t)v);
                    const int16x2_t v13 = (int16x2_t)NQ_DSP_SXTB16_ROR8(v);
                    s0 = __smlad(__sxtb16((int8x4_t)a), v02, s0);
                    s0 = __smlad((int16x2_t)NQ_DSP_SXTB16_ROR8(a), v13, s0);
                    s1 = __smlad(__sxtb16((int8x4_t)d), v02, s1);
                    s1 = __smlad((int16x2_t)NQ_DSP_SXTB16_ROR8(d), v13, s1);
                }

                for (g = whole; g < depth; g++)
                {
                    s0 = (int32_t)((uint32_t)s0 + (uint32_t)(x[g] * w0[g]));
                    s1 = (int32_t)((uint32_t)s1 + (uint32_t)(x[g] * w1[g]));
                }

                if (per_channel)
                {
                    nq_dsp_quant_init(&q0, multipliers[u], shifts[u]);
                    nq_dsp_quant_init(&q1, multipliers[u1], shifts[u1]);
                    nq_dsp_quant_fast(&q0, fast_left);
                    nq_dsp_quant_fast(&q1, fast_left);
                    r0 = &q0;
                    r1 = &q1;
                }

                out[u] = nq_fc_output(r0, s0, output_offset, act_min, act_max);
                out[u1] = nq_fc_output(r1, s1, output_offset, act_min, act_max);
            }

            continue;
        }

        for (g = 0; g < groups; g++)
        {
            const uint32_t v = nq_fc_load32(x + (g * 4));
            column[g] = (uint64_t)(uint32_t)__sxtb16((int8x4_t)v) | ((uint64_t)NQ_DSP_SXTB16_ROR8(v) << 32);
        }

        for (u = 0; u < units; u += 2)
        {
            /* An odd last unit runs as a pair with itself. */
            const int32_t u1 = u + 1 < units ? u + 1 : u;
            const int8_t *w0 = filter + (u * depth);
            const int8_t *w1 = filter + (u1 * depth);
            const uint64_t *c = column;
            const uint64_t *end = column + groups;
            int32_t s0 = folded_bias[u];
            int32_t s1 = folded_bias[u1];
            nq_dsp_quant q0;
            nq_dsp_quant q1;
            const nq_dsp_quant *r0 = &shared;
            const nq_dsp_quant *r1 = &shared;
            int32_t k;
#if defined(__GNUC__)
            if (groups >= 2)
            {
                /* Two groups of 4 values per turn: 2 LDRD, 4 LDR, 8 SXTB16, 8 SMLAD, CMP, BNE for 16 MACs. The two
                 * halves, and the unit-0 and unit-1 lines within each, are deliberate copies (hot-loop unrolling);
                 * the C loop below is one group, for an odd last group and for compilers without GNU asm. */
                const uint64_t *pairs_end = column + (groups & ~1);
                uint32_t lo;
                uint32_t hi;
                uint32_t a;
                uint32_t t;
                __asm__("1:\n\t"
                        "ldrd %[lo], %[hi], [%[c]], #8\n\t"
                        "ldr %[a], [%[w0]], #4\n\t"
                        "sxtb16 %[t], %[a]\n\t"
                        "smlad %[s0], %[t], %[lo], %[s0]\n\t"
                        "sxtb16 %[t], %[a], ror #8\n\t"
                        "smlad %[s0], %[t], %[hi], %[s0]\n\t"
                        "ldr %[a], [%[w1]], #4\n\t"
                        "sxtb16 %[t], %[a]\n\t"
                        "smlad %[s1], %[t], %[lo], %[s1]\n\t"
                        "sxtb16 %[t], %[a], ror #8\n\t"
                        "smlad %[s1], %[t], %[hi], %[s1]\n\t"
                        "ldrd %[lo], %[hi], [%[c]], #8\n\t"
                        "ldr %[a], [%[w0]], #4\n\t"
                        "sxtb16 %[t], %[a]\n\t"
                        "smlad %[s0], %[t], %[lo], %[s0]\n\t"
                        "sxtb16 %[t], %[a], ror #8\n\t"
                        "smlad %[s0], %[t], %[hi], %[s0]\n\t"
                        "ldr %[a], [%[w1]], #4\n\t"
                        "sxtb16 %[t], %[a]\n\t"
                        "smlad %[s1], %[t], %[lo], %[s1]\n\t"
                        "sxtb16 %[t], %[a], ror #8\n\t"
                        "smlad %[s1], %[t], %[hi], %[s1]\n\t"
                        "cmp %[c], %[end]\n\t"
                        "bne 1b"
                        : [s0] "+r"(s0), [s1] "+r"(s1), [w0] "+r"(w0), [w1] "+r"(w1), [c] "+r"(c), [lo] "=&r"(lo), [hi] "=&r"(hi),
                          [a] "=&r"(a), [t] "=&r"(t)
                        : [end] "r"(pairs_end)
                        : "cc", "memory");
            }
#endif
            while (c != end)
            {
                const uint32_t a = nq_fc_load32(w0);
                const uint32_t d = nq_fc_load32(w1);
                const uint64_t v = *c++;
                s0 = __smlad(__sxtb16((int8x4_t)a), (int16x2_t)(uint32_t)v, s0);
                s0 = __smlad((int16x2_t)NQ_DSP_SXTB16_ROR8(a), (int16x2_t)(uint32_t)(v >> 32), s0);
                s1 = __smlad(__sxtb16((int8x4_t)d), (int16x2_t)(uint32_t)v, s1);
                s1 = __smlad((int16x2_t)NQ_DSP_SXTB16_ROR8(d), (int16x2_t)(uint32_t)(v >> 32), s1);
                w0 += 4;
                w1 += 4;
            }

            for (k = whole; k < depth; k++)
            {
                s0 = (int32_t)((uint32_t)s0 + (uint32_t)(x[k] * *w0++));
                s1 = (int32_t)((uint32_t)s1 + (uint32_t)(x[k] * *w1++));
            }

            if (per_channel)
            {
                nq_dsp_quant_init(&q0, multipliers[u], shifts[u]);
                nq_dsp_quant_init(&q1, multipliers[u1], shifts[u1]);
                nq_dsp_quant_fast(&q0, fast_left);
                nq_dsp_quant_fast(&q1, fast_left);
                r0 = &q0;
                r1 = &q1;
            }

            out[u] = nq_fc_output(r0, s0, output_offset, act_min, act_max);
            out[u1] = nq_fc_output(r1, s1, output_offset, act_min, act_max);
        }
    }

    return 1;
}
#else
typedef int nq_fully_connected_dsp_unused; /* an empty translation unit is not ISO C */
#endif
