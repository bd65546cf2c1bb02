/*
 * FULLY_CONNECTED on Armv7E-M DSP, inputs of at most NQ_DSP_FC_DEPTH_MAX values. Per batch row the input is
 * widened once into int16 words in SXTB16's order ((x0, x2), (x1, x3) per 4 values); then two units per
 * pass: per 4 values one weight word per unit (two SXTB16), one 8-byte load of the input words and four
 * SMLADs. folded bias + Σ x × w is the portable kernel's int32 value modulo 2^32.
 */
#include "nanoquant_kernels.h"
#include "nq_dsp.h"

#ifdef NQ_DSP
#include <stddef.h>
#include <string.h>
#include <arm_acle.h>

static inline uint32_t nq_fc_load32(const int8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Four values of both units of the few-units path, each operand widened as it is read (x, w0, w1, s0, s1 of the caller). */
#define NQ_FC_FEW_UNITS_GROUP(g_) \
    do \
    { \
        const uint32_t v_ = nq_fc_load32(x + (g_)); \
        const uint32_t a_ = nq_fc_load32(w0 + (g_)); \
        const uint32_t d_ = nq_fc_load32(w1 + (g_)); \
        const int16x2_t v02_ = __sxtb16((int8x4_t)v_); \
        const int16x2_t v13_ = (int16x2_t)NQ_DSP_SXTB16_ROR8(v_); \
        s0 = __smlad(__sxtb16((int8x4_t)a_), v02_, s0); \
        s0 = __smlad((int16x2_t)NQ_DSP_SXTB16_ROR8(a_), v13_, s0); \
        s1 = __smlad(__sxtb16((int8x4_t)d_), v02_, s1); \
        s1 = __smlad((int16x2_t)NQ_DSP_SXTB16_ROR8(d_), v13_, s1); \
    } while (0)

static inline int8_t nq_fc_output(const nq_dsp_quant *q, int32_t acc, int32_t output_offset, int32_t min, int32_t max)
{
    return q->fast ? nq_clamp(nq_dsp_scale_fast(q, acc) + output_offset, min, max)
                   : nq_dsp_requantize(q, acc, output_offset, min, max);
}

#if NQ_DSP_BLOCK_ASM
/* What nq_fc_block_pass reads (the offsets are the assembly's: keep the order). */
typedef struct nq_fc_block
{
    const uint64_t *column;     /* 0: the batch row's input, widened (SXTB16 pairs) */
    const uint64_t *pairs_end;  /* 4: column + groups rounded down to pairs */
    const uint64_t *end;        /* 8: column + groups */
    const int8_t *filter;       /* 12: unit 0's weights */
    int32_t depth;              /* 16 */
    const int32_t *folded_bias; /* 20 */
    const int32_t *multipliers; /* 24 */
    const int32_t *shifts;      /* 28: all < 0 */
    int8_t *out;                /* 32: the batch row's unit 0 */
    int32_t round_base;         /* 36: 2 × output offset + 1 */
    int32_t units_end;          /* 40: 4 × the units the pass runs (even) */
    int32_t quant_mask;         /* 44: −1 per channel, 0 per tensor (index 0 for every unit) */
    const uint64_t *quads_end;  /* 48: column + groups rounded down to a multiple of 4 */
    int32_t multiplier;         /* 52: per tensor: the multiplier, */
    int32_t right;              /* 56: the right shift (−shift) */
    int32_t round_offset;       /* 60: and nq_dsp_round_offset */
} nq_fc_block;

typedef char nq_fc_block_layout[(sizeof(void *) == 4 && offsetof(nq_fc_block, round_offset) == 60) ? 1 : -1];

/* One group of 4 inputs for both units: r3 column, r1/r6 the two units' weights, r4/r5 their sums. */
#define NQ_FC_BLOCK_GROUP \
        "ldrd r8, r9, [r3], #8\n\t" \
        "ldr r2, [r1], #4\n\t" \
        "sxtb16 r10, r2\n\t" \
        "smlad r4, r10, r8, r4\n\t" \
        "sxtb16 r10, r2, ror #8\n\t" \
        "smlad r4, r10, r9, r4\n\t" \
        "ldr r2, [r6], #4\n\t" \
        "sxtb16 r10, r2\n\t" \
        "smlad r5, r10, r8, r5\n\t" \
        "sxtb16 r10, r2, ror #8\n\t" \
        "smlad r5, r10, r9, r5\n\t"

/* Two groups of 4 inputs (8 values) for both units: r3 column, r8–r11 the 4 widened input words, LOAD_W0 / LOAD_W1 the
 * units' next 8 weights into r0 and r2 from r1 / r6 (LDRD where the filter is word-aligned: one load per 8 weights),
 * r12 scratch, r4/r5 the sums: 20 instructions for 16 MACs with LDRD. */
#define NQ_FC_BLOCK_GROUP8(LOAD_W0, LOAD_W1) \
        "ldrd r8, r9, [r3], #8\n\t" \
        "ldrd r10, r11, [r3], #8\n\t" \
        LOAD_W0 \
        "sxtb16 r12, r0\n\t" \
        "smlad r4, r12, r8, r4\n\t" \
        "sxtb16 r12, r0, ror #8\n\t" \
        "smlad r4, r12, r9, r4\n\t" \
        "sxtb16 r12, r2\n\t" \
        "smlad r4, r12, r10, r4\n\t" \
        "sxtb16 r12, r2, ror #8\n\t" \
        "smlad r4, r12, r11, r4\n\t" \
        LOAD_W1 \
        "sxtb16 r12, r0\n\t" \
        "smlad r5, r12, r8, r5\n\t" \
        "sxtb16 r12, r0, ror #8\n\t" \
        "smlad r5, r12, r9, r5\n\t" \
        "sxtb16 r12, r2\n\t" \
        "smlad r5, r12, r10, r5\n\t" \
        "sxtb16 r12, r2, ror #8\n\t" \
        "smlad r5, r12, r11, r5\n\t"

#define NQ_FC_LDRD_W0 "ldrd r0, r2, [r1], #8\n\t"
#define NQ_FC_LDRD_W1 "ldrd r0, r2, [r6], #8\n\t"
#define NQ_FC_LDR_W0 "ldr r0, [r1], #4\n\t" "ldr r2, [r1], #4\n\t"
#define NQ_FC_LDR_W1 "ldr r0, [r6], #4\n\t" "ldr r2, [r6], #4\n\t"

/* The prescaled right-shift requantization (nq_dsp_requantize_right, scaled = 2 × acc, round offset
 * (2 × output offset + 1) << (right − 1)) of sum S with the constants at index register I; full-range clamp. */
#define NQ_FC_BLOCK_REQUANTIZE(S, I) \
        "ldr r2, [lr, #24]\n\t" \
        "ldr r8, [r2, " I "]\n\t" \
        "ldr r2, [lr, #28]\n\t" \
        "ldr r9, [r2, " I "]\n\t" \
        "ldr r10, [lr, #36]\n\t" \
        "mvn r2, r9\n\t" \
        "lsl r10, r10, r2\n\t" \
        "rsb r9, r9, #0\n\t" \
        "lsl r2, " S ", #1\n\t" \
        "add r3, r10, " S ", asr #31\n\t" \
        "smmlar r2, r2, r8, r3\n\t" \
        "asr r2, r2, r9\n\t" \
        "ssat " S ", #8, r2\n\t"

/* The pair's requantization per channel: the constants of units r0 / 4 and r0 / 4 + 1 (index 0 for both per tensor). */
#define NQ_FC_QUANT_PER_CHANNEL \
        "ldr r11, [lr, #44]\n\t" \
        "add r12, r0, #4\n\t" \
        "and r12, r12, r11\n\t" \
        "and r11, r0, r11\n\t" \
        NQ_FC_BLOCK_REQUANTIZE("r4", "r11") \
        NQ_FC_BLOCK_REQUANTIZE("r5", "r12")

/* The pair's requantization per tensor, the same arithmetic with the constants computed once per call: 13 instructions
 * for the two outputs where the per-channel form takes 30. */
#define NQ_FC_QUANT_PER_TENSOR \
        "ldr r8, [lr, #52]\n\t" \
        "ldr r9, [lr, #56]\n\t" \
        "ldr r10, [lr, #60]\n\t" \
        "lsl r2, r4, #1\n\t" \
        "add r3, r10, r4, asr #31\n\t" \
        "smmlar r2, r2, r8, r3\n\t" \
        "asr r2, r2, r9\n\t" \
        "ssat r4, #8, r2\n\t" \
        "lsl r2, r5, #1\n\t" \
        "add r3, r10, r5, asr #31\n\t" \
        "smmlar r2, r2, r8, r3\n\t" \
        "asr r2, r2, r9\n\t" \
        "ssat r5, #8, r2\n\t"

/*
 * FULLY_CONNECTED's units two at a time for one batch row, as the C loop below computes them (the MAC loop of that
 * loop), then the requantization and the two stores in the same pass: about 40 instructions per pair beyond the
 * MACs, where the compiled C spent about 110. MACs: 4 groups of 4 inputs per turn (NQ_FC_BLOCK_GROUP8 twice; one
 * compare and branch per 64 MACs), then at most one GROUP8 and one group of 4. Registers: r0 4 × unit (pushed
 * during the MACs, which use it for weights), r1/r6 the units' weights, r3 column, r4/r5 the sums, r7 end,
 * r2/r8–r12 scratch, lr the block. GROUP8 is NQ_FC_BLOCK_GROUP8 with the weight loads of the filter's alignment,
 * QUANT the pair's requantization (NQ_FC_QUANT_PER_CHANNEL or _PER_TENSOR).
 */
#define NQ_FC_BLOCK_PASS(GROUP8, QUANT) \
    __asm__ volatile( \
        "push {r4-r11, lr}\n\t" \
        "mov lr, r0\n\t" \
        "ldr r1, [lr, #12]\n\t" \
        "ldr r2, [lr, #16]\n\t" \
        "add r6, r1, r2\n\t" \
        "movs r0, #0\n" \
        "2:\n\t" \
        "ldr r2, [lr, #20]\n\t" \
        "add r2, r2, r0\n\t" \
        "ldr r4, [r2]\n\t" \
        "ldr r5, [r2, #4]\n\t" \
        "push {r0}\n\t" \
        "ldr r3, [lr, #0]\n\t" \
        "ldr r7, [lr, #48]\n\t" \
        "cmp r3, r7\n\t" \
        "beq 5f\n" \
        "1:\n\t" \
        GROUP8 \
        GROUP8 \
        "cmp r3, r7\n\t" \
        "bne 1b\n" \
        "5:\n\t" \
        "ldr r7, [lr, #4]\n\t" \
        "cmp r3, r7\n\t" \
        "beq 3f\n\t" \
        GROUP8 \
        "3:\n\t" \
        "ldr r7, [lr, #8]\n\t" \
        "cmp r3, r7\n\t" \
        "beq 4f\n\t" \
        NQ_FC_BLOCK_GROUP \
        "4:\n\t" \
        "pop {r0}\n\t" \
        QUANT \
        "ldr r2, [lr, #32]\n\t" \
        "add r2, r2, r0, lsr #2\n\t" \
        "strb r4, [r2]\n\t" \
        "strb r5, [r2, #1]\n\t" \
        "mov r1, r6\n\t" \
        "ldr r2, [lr, #16]\n\t" \
        "add r6, r6, r2\n\t" \
        "adds r0, #8\n\t" \
        "ldr r2, [lr, #40]\n\t" \
        "cmp r0, r2\n\t" \
        "bne 2b\n\t" \
        "pop {r4-r11, pc}")

/* The passes for a word-aligned filter (every unit's row then is: the depth is a multiple of 4): LDRD per 8 weights. */
__attribute__((naked, noinline)) static void nq_fc_block_pass_aligned(const nq_fc_block *block __attribute__((unused)))
{
    NQ_FC_BLOCK_PASS(NQ_FC_BLOCK_GROUP8(NQ_FC_LDRD_W0, NQ_FC_LDRD_W1), NQ_FC_QUANT_PER_CHANNEL);
}

__attribute__((naked, noinline)) static void nq_fc_block_pass_aligned_per_tensor(const nq_fc_block *block __attribute__((unused)))
{
    NQ_FC_BLOCK_PASS(NQ_FC_BLOCK_GROUP8(NQ_FC_LDRD_W0, NQ_FC_LDRD_W1), NQ_FC_QUANT_PER_TENSOR);
}

/* The pass for a filter off a word boundary (LDRD would fault there): two LDR per 8 weights; per channel or per tensor. */
__attribute__((naked, noinline)) static void nq_fc_block_pass(const nq_fc_block *block __attribute__((unused)))
{
    NQ_FC_BLOCK_PASS(NQ_FC_BLOCK_GROUP8(NQ_FC_LDR_W0, NQ_FC_LDR_W1), NQ_FC_QUANT_PER_CHANNEL);
}
/* The block's fields for one call (out is set per batch row). */
static void nq_fc_block_init(nq_fc_block *block, const uint64_t *column, int32_t groups, const int8_t *filter, int32_t depth,
                             const int32_t *folded_bias, const int32_t *multipliers, const int32_t *shifts, int32_t output_offset,
                             int32_t units, int32_t per_channel)
{
    block->column = column;
    block->pairs_end = column + (groups & ~1);
    block->end = column + groups;
    block->filter = filter;
    block->depth = depth;
    block->folded_bias = folded_bias;
    block->multipliers = multipliers;
    block->shifts = shifts;
    block->round_base = (2 * output_offset) + 1;
    block->units_end = 4 * (units & ~1);
    block->quant_mask = per_channel ? -1 : 0;
    block->quads_end = column + (groups & ~3);
    block->multiplier = multipliers[0];
    block->right = -shifts[0];
    block->round_offset = nq_dsp_round_offset(shifts[0], output_offset);
}
#endif

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
    int32_t u;
    if (depth > NQ_DSP_FC_DEPTH_MAX)
    {
        return 0;
    }

    const int32_t fast_left = nq_dsp_fast_left(nq_dsp_max_abs(folded_bias, units) + reach);
    int32_t slow[NQ_DSP_SLOW_MAX];
    int32_t slow_count = 0;
    int use_block = act_min == -128 && act_max == 127 && (depth & 3) == 0 && units >= 4;
#if NQ_DSP_BLOCK_ASM
    nq_fc_block block;
#endif
    for (u = 0; u < (per_channel ? units & ~1 : 1) && use_block; u++)
    {
        /* the block pass's requantization (the operator's bound: fast_left) for every unit but at most NQ_DSP_SLOW_MAX
         * (the C loop redoes their pairs); per tensor, one check */
        if (!nq_dsp_prescale_right(multipliers[u], shifts[u], fast_left))
        {
            use_block = per_channel && slow_count < NQ_DSP_SLOW_MAX;
            slow[use_block ? slow_count++ : 0] = u;
        }
    }

#if NQ_DSP_BLOCK_ASM
    if (use_block)
    {
        nq_fc_block_init(&block, column, groups, filter, depth, folded_bias, multipliers, shifts, output_offset, units, per_channel);
    }
#else
    use_block = 0;
#endif
    nq_dsp_quant_init(&shared, multipliers[0], shifts[0]);
    nq_dsp_quant_fast(&shared, fast_left);
    for (b = 0; b < batches; b++)
    {
        const int8_t *x = input + (b * depth);
        int8_t *out = output + (b * units);
        int32_t g;
        int32_t k;
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
                /* two groups of 4 values per turn (one compare and branch per 16 MACs), then an odd last group */
                for (g = 0; g + 8 <= whole; g += 8)
                {
                    NQ_FC_FEW_UNITS_GROUP(g);
                    NQ_FC_FEW_UNITS_GROUP(g + 4);
                }

                if (g < whole)
                {
                    NQ_FC_FEW_UNITS_GROUP(g);
                    g += 4;
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

#if NQ_DSP_BLOCK_ASM
        if (use_block)
        {
            block.out = out;
            if (((uintptr_t)filter & 3) == 0 && !per_channel)
            {
                nq_fc_block_pass_aligned_per_tensor(&block);
            }
            else if (((uintptr_t)filter & 3) == 0)
            {
                nq_fc_block_pass_aligned(&block);
            }
            else
            {
                nq_fc_block_pass(&block);
            }
        }
#endif
        k = 0;
        for (u = use_block && slow_count == 0 ? units & ~1 : 0; u < units; u += 2)
        {
            /* An odd last unit runs as a pair with itself. After the block pass only the pairs with a slow unit and an
             * odd last unit run here. */
            if (use_block && u + 1 < units && (k == slow_count || slow[k] > u + 1))
            {
                continue;
            }

            while (use_block && k < slow_count && slow[k] <= u + 1)
            {
                k++;
            }

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
