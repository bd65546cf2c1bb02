/*
 * FULLY_CONNECTED on Armv7E-M DSP, inputs of at most NQ_DSP_FC_DEPTH_MAX values. Per batch row the input is
 * widened once into int16 words in SXTB16's order ((x0, x2), (x1, x3) per 4 values); then two units per
 * pass (three in the per-tensor pass for depths a multiple of 64): per 4 values one weight word per unit (two
 * SXTB16, two SMLADs), the input words loaded once for the pass's units. folded bias + Σ x × w is the portable
 * kernel's int32 value modulo 2^32.
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

/*
 * An upper bound of the largest |bias| for the fast-requantization bound (nq_dsp_fast_left): 2^28 when every bias is in
 * [−2^28, 2^28 − 1] (with Σ |x × w| ≤ 1,024 × 2^14 = 2^24 the bound stays under 2^29, which is all the fast form and the
 * block passes ask: a shift < 0, so left 0 ≤ fast_left), else the exact largest |bias| (nq_dsp_max_abs, 11 instructions a
 * unit). The test is SSAT #29 on each bias, 4 per turn (2 instructions a unit), with the sticky Q flag cleared before and
 * read once after.
 */
static int64_t nq_fc_bias_bound(const int32_t *bias, int32_t units)
{
#if NQ_DSP_BLOCK_ASM
    int32_t i;
    int within = 1;
    if (units >= 4)
    {
        const int32_t *v = bias;
        const int32_t *end = bias + (units & ~3);
        uint32_t a;
        uint32_t b;
        uint32_t c;
        uint32_t d;
        __asm__ volatile("movs %[a], #0\n\t"
                         "msr APSR_nzcvq, %[a]\n"
                         "1:\n\t"
                         "ldrd %[a], %[b], [%[v]], #8\n\t"
                         "ldrd %[c], %[d], [%[v]], #8\n\t"
                         "ssat %[a], #29, %[a]\n\t"
                         "ssat %[b], #29, %[b]\n\t"
                         "ssat %[c], #29, %[c]\n\t"
                         "ssat %[d], #29, %[d]\n\t"
                         "cmp %[v], %[end]\n\t"
                         "bne 1b\n\t"
                         "mrs %[a], APSR"
                         : [v] "+r"(v), [a] "=&r"(a), [b] "=&r"(b), [c] "=&r"(c), [d] "=&r"(d)
                         : [end] "r"(end)
                         : "cc", "memory");
        within = (a & (1u << 27)) == 0;
    }

    for (i = units & ~3; i < units && within; i++)
    {
        within = bias[i] >= -(1 << 28) && bias[i] < (1 << 28);
    }

    if (within)
    {
        return (int64_t)1 << 28;
    }
#endif
    return nq_dsp_max_abs(bias, units);
}

/* The batch row's input widened into column: per 4 values (x0, x2), (x1, x3) as int16 pairs. */
static void nq_fc_widen(uint64_t *column, const int8_t *x, int32_t groups)
{
    int32_t g = 0;
    if (groups & 1)
    {
        const uint32_t v = nq_fc_load32(x);
        column[0] = (uint64_t)(uint32_t)__sxtb16((int8x4_t)v) | ((uint64_t)NQ_DSP_SXTB16_ROR8(v) << 32);
        g = 1;
    }

#if NQ_DSP_BLOCK_ASM
    if (g < groups)
    {
        /* two groups per turn: 2 LDR, 4 SXTB16, 2 STRD, CMP, BNE (the compiled C took 8 instructions a group). The conv's
         * patch widening (conv_2d_dsp.c) has this loop's shape but adds the input offset (SXTAB16) and interleaves four
         * pixels (a 32-byte store stride): a shared helper would cost both an instruction per group. */
        const uint64_t *end = column + groups;
        uint64_t *c = column + g;
        const int8_t *v = x + (g * 4);
        uint32_t a;
        uint32_t d;
        uint32_t lo;
        uint32_t hi;
        __asm__ volatile("1:\n\t"
                         "ldr %[a], [%[v]], #4\n\t"
                         "ldr %[d], [%[v]], #4\n\t"
                         "sxtb16 %[lo], %[a]\n\t"
                         "sxtb16 %[hi], %[a], ror #8\n\t"
                         "strd %[lo], %[hi], [%[c]], #8\n\t"
                         "sxtb16 %[lo], %[d]\n\t"
                         "sxtb16 %[hi], %[d], ror #8\n\t"
                         "strd %[lo], %[hi], [%[c]], #8\n\t"
                         "cmp %[c], %[end]\n\t"
                         "bne 1b"
                         : [v] "+r"(v), [c] "+r"(c), [a] "=&r"(a), [d] "=&r"(d), [lo] "=&r"(lo), [hi] "=&r"(hi)
                         : [end] "r"(end)
                         : "cc", "memory");
    }
#else
    for (; g < groups; g++)
    {
        const uint32_t v = nq_fc_load32(x + (g * 4));
        column[g] = (uint64_t)(uint32_t)__sxtb16((int8x4_t)v) | ((uint64_t)NQ_DSP_SXTB16_ROR8(v) << 32);
    }
#endif
}

#if NQ_DSP_BLOCK_ASM
/* What the block passes read (the offsets are the assembly's: keep the order). Fields 0-28 are the ones the pass loads
 * with one LDM after each pair (r0, r2, r3, r7-r11); it advances out and bias as it goes. */
typedef struct nq_fc_block
{
    int8_t *out;                /* 0: the next pair's outputs (advanced by the pass) */
    const int32_t *bias;        /* 4: the next pair's folded biases (advanced by the pass) */
    const uint64_t *column;     /* 8: the batch row's input, widened (SXTB16 pairs) */
    const uint64_t *loop_end;   /* 12: where the main loop stops: column + groups (whole-loop pass) or + groups & ~3 */
    int32_t multiplier;         /* 16: per tensor: the multiplier, */
    int32_t right;              /* 20: the right shift (−shift) */
    int32_t round_offset;       /* 24: and nq_dsp_round_offset */
    const int8_t *out_end;      /* 28: the batch row's outputs + the units the pass runs (even) */
    const int8_t *filter;       /* 32: unit 0's weights */
    int32_t depth;              /* 36 */
    const uint64_t *pairs_end;  /* 40: column + groups rounded down to pairs */
    const uint64_t *end;        /* 44: column + groups */
    const int32_t *multipliers; /* 48 */
    const int32_t *shifts;      /* 52: all < 0 */
    int32_t round_base;         /* 56: 2 × output offset + 1 */
    int32_t quant_mask;         /* 60: −1 per channel, 0 per tensor (index 0 for every unit) */
    const int8_t *out_first;    /* 64: the batch row's unit 0 */
} nq_fc_block;

typedef char nq_fc_block_layout[(sizeof(void *) == 4 && offsetof(nq_fc_block, out_end) == 28 && offsetof(nq_fc_block, out_first) == 64) ? 1 : -1];

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

/* 8 inputs of one unit: LOAD its next 8 weights into r0 and r2, then 4 SXTB16 and 4 SMLAD onto sum S with the widened
 * input words r8-r11 (r12 scratch). */
#define NQ_FC_UNIT8(LOAD, S) \
        LOAD \
        "sxtb16 r12, r0\n\t" \
        "smlad " S ", r12, r8, " S "\n\t" \
        "sxtb16 r12, r0, ror #8\n\t" \
        "smlad " S ", r12, r9, " S "\n\t" \
        "sxtb16 r12, r2\n\t" \
        "smlad " S ", r12, r10, " S "\n\t" \
        "sxtb16 r12, r2, ror #8\n\t" \
        "smlad " S ", r12, r11, " S "\n\t"

/* The next 8 weights of unit 0 / 1 of a pair into r0 and r2: LDRD where the filter is word-aligned, else two LDR. */
#define NQ_FC_LDRD_W0 "ldrd r0, r2, [r1], #8\n\t"
#define NQ_FC_LDRD_W1 "ldrd r0, r2, [r6], #8\n\t"
#define NQ_FC_LDR_W0 "ldr r0, [r1], #4\n\t" "ldr r2, [r1], #4\n\t"
#define NQ_FC_LDR_W1 "ldr r0, [r6], #4\n\t" "ldr r2, [r6], #4\n\t"

/* Two groups of 4 inputs (8 values) for both units: r3 column, r8–r11 the 4 widened input words (one LDM), LOAD_W0 /
 * LOAD_W1 the units' next 8 weights into r0 and r2 from r1 / r6 (LDRD where the filter is word-aligned: one load per 8
 * weights), r4/r5 the sums: 19 instructions for 16 MACs with LDRD. */
#define NQ_FC_BLOCK_GROUP8(LOAD_W0, LOAD_W1) \
        "ldm r3!, {r8-r11}\n\t" \
        NQ_FC_UNIT8(LOAD_W0, "r4") \
        NQ_FC_UNIT8(LOAD_W1, "r5")

/* The same 8 inputs for three units (weights r1, r6, lr; sums r4, r5, r7): 28 instructions for 24 MACs. */
#define NQ_FC_BLOCK_GROUP24 \
        "ldm r3!, {r8-r11}\n\t" \
        NQ_FC_UNIT8(NQ_FC_LDRD_W0, "r4") \
        NQ_FC_UNIT8(NQ_FC_LDRD_W1, "r5") \
        NQ_FC_UNIT8("ldrd r0, r2, [lr], #8\n\t", "r7")

/* The MACs of a pair whose depth is a multiple of 32 (at least 32): 4 GROUP8 per turn, one compare and branch per 64
 * MACs, no tail (loop_end = end). */
#define NQ_FC_MACS_WHOLE(GROUP8) \
        "1:\n\t" \
        GROUP8 \
        GROUP8 \
        GROUP8 \
        GROUP8 \
        "cmp r3, r7\n\t" \
        "bne 1b\n\t"

/* The MACs of a pair of any depth (a multiple of 4): 2 GROUP8 per turn up to loop_end (groups & ~3), then at most one
 * GROUP8 and one group of 4. */
#define NQ_FC_MACS_ANY(GROUP8) \
        "cmp r3, r7\n\t" \
        "beq 5f\n" \
        "1:\n\t" \
        GROUP8 \
        GROUP8 \
        "cmp r3, r7\n\t" \
        "bne 1b\n" \
        "5:\n\t" \
        "ldr r7, [lr, #40]\n\t" \
        "cmp r3, r7\n\t" \
        "beq 3f\n\t" \
        GROUP8 \
        "3:\n\t" \
        "ldr r7, [lr, #44]\n\t" \
        "cmp r3, r7\n\t" \
        "beq 4f\n\t" \
        NQ_FC_BLOCK_GROUP \
        "4:\n\t"

/* The prescaled right-shift requantization (nq_dsp_requantize_right, scaled = 2 × acc, round offset
 * (2 × output offset + 1) << (right − 1)) of sum S with the constants at index register I; full-range clamp. */
#define NQ_FC_BLOCK_REQUANTIZE(S, I) \
        "ldr r2, [lr, #48]\n\t" \
        "ldr r8, [r2, " I "]\n\t" \
        "ldr r2, [lr, #52]\n\t" \
        "ldr r9, [r2, " I "]\n\t" \
        "ldr r10, [lr, #56]\n\t" \
        "mvn r2, r9\n\t" \
        "lsl r10, r10, r2\n\t" \
        "rsb r9, r9, #0\n\t" \
        "lsl r2, " S ", #1\n\t" \
        "add r3, r10, " S ", asr #31\n\t" \
        "smmlar r2, r2, r8, r3\n\t" \
        "asr r2, r2, r9\n\t" \
        "ssat " S ", #8, r2\n\t"

/* The pair's requantization per channel: the constants of units u and u + 1 (u = out − out_first; index 0 for both per
 * tensor), then the next pair's fields. */
#define NQ_FC_QUANT_PER_CHANNEL \
        "ldr r0, [lr, #0]\n\t" \
        "ldr r11, [lr, #64]\n\t" \
        "sub r11, r0, r11\n\t" \
        "lsl r11, r11, #2\n\t" \
        "ldr r2, [lr, #60]\n\t" \
        "add r12, r11, #4\n\t" \
        "and r12, r12, r2\n\t" \
        "and r11, r11, r2\n\t" \
        NQ_FC_BLOCK_REQUANTIZE("r4", "r11") \
        NQ_FC_BLOCK_REQUANTIZE("r5", "r12") \
        "ldm lr, {r0, r2, r3, r7, r8, r9, r10, r11}\n\t"

/* Right-shift requantization of sum S per tensor (r8 multiplier, r9 right, r10 round offset; r12 scratch). */
#define NQ_FC_REQUANTIZE_PER_TENSOR(S) \
        "add r12, r10, " S ", asr #31\n\t" \
        "lsl " S ", " S ", #1\n\t" \
        "smmlar " S ", " S ", r8, r12\n\t" \
        "asr " S ", " S ", r9\n\t" \
        "ssat " S ", #8, " S "\n\t"

/* The pair's requantization per tensor, the same arithmetic with the constants computed once per call and loaded with
 * the next pair's fields in one LDM: 11 instructions for the two outputs. */
#define NQ_FC_QUANT_PER_TENSOR \
        "ldm lr, {r0, r2, r3, r7, r8, r9, r10, r11}\n\t" \
        NQ_FC_REQUANTIZE_PER_TENSOR("r4") \
        NQ_FC_REQUANTIZE_PER_TENSOR("r5")

/*
 * FULLY_CONNECTED's units two at a time for one batch row, as the C loop below computes them (the MAC loop of that
 * loop), then the requantization and the two stores in the same pass. Registers: r1/r6 the units' weights, r3 column,
 * r7 where the MAC loop stops, r4/r5 the sums, r0/r2/r8–r12 scratch, lr the block. After the MACs, QUANT requantizes
 * r4/r5 and loads block fields 0-28 (r0 out, r2 bias, r3 column, r7 loop_end, r11 out_end); per pair beyond the MACs:
 * QUANT, 2 stores, the loop test, the next biases (LDRD), out and bias back (STM), the next weights (the second unit's
 * row ends where the next pair's first begins: 3 instructions): 21 with the per-tensor QUANT, where the pass before
 * this one took about 48. MACS is NQ_FC_MACS_WHOLE or _ANY with NQ_FC_BLOCK_GROUP8 of the filter's alignment.
 */
#define NQ_FC_BLOCK_PASS(MACS, QUANT) \
    __asm__ volatile( \
        "push {r4-r11, lr}\n\t" \
        "mov lr, r0\n\t" \
        "ldr r1, [lr, #32]\n\t" \
        "ldr r2, [lr, #36]\n\t" \
        "add r6, r1, r2\n\t" \
        "ldm lr, {r0, r2, r3, r7}\n\t" \
        "ldrd r4, r5, [r2], #8\n\t" \
        "str r2, [lr, #4]\n" \
        "2:\n\t" \
        MACS \
        QUANT \
        "strb r4, [r0], #1\n\t" \
        "strb r5, [r0], #1\n\t" \
        "cmp r0, r11\n\t" \
        "beq 9f\n\t" \
        "ldrd r4, r5, [r2], #8\n\t" \
        "stm lr, {r0, r2}\n\t" \
        "sub r12, r6, r1\n\t" \
        "mov r1, r6\n\t" \
        "add r6, r6, r12\n\t" \
        "b 2b\n" \
        "9:\n\t" \
        "pop {r4-r11, pc}")

/*
 * Per tensor, word-aligned filter, depth a multiple of 64: three units per pass (NQ_FC_BLOCK_GROUP24, 28 instructions per
 * 24 MACs where the pair pass takes 19 per 16; 8 per turn), out_end the last whole triple. Every register is taken in
 * the MACs (r1/r6/lr weights, r4/r5/r7 sums), so the block pointer and the loop's end live on the stack ([sp], [sp + 4]):
 * the loop test is 3 instructions per 64 inputs. Per triple beyond the MACs: 30 instructions (10 a unit; the pair pass:
 * 10.5).
 */
__attribute__((naked, noinline)) static void nq_fc_block_pass_triple_per_tensor(const nq_fc_block *block __attribute__((unused)))
{
    __asm__ volatile(
        "push {r4-r11, lr}\n\t"
        "ldr r1, [r0, #12]\n\t"
        "push {r0, r1}\n\t"
        "mov r12, r0\n\t"
        "ldr r1, [r12, #32]\n\t"
        "ldr r2, [r12, #36]\n\t"
        "add r6, r1, r2\n\t"
        "add lr, r6, r2\n\t"
        "ldm r12, {r0, r2, r3}\n\t"
        "ldm r2!, {r4, r5, r7}\n\t"
        "str r2, [r12, #4]\n"
        "1:\n\t"
        NQ_FC_BLOCK_GROUP24
        NQ_FC_BLOCK_GROUP24
        NQ_FC_BLOCK_GROUP24
        NQ_FC_BLOCK_GROUP24
        NQ_FC_BLOCK_GROUP24
        NQ_FC_BLOCK_GROUP24
        NQ_FC_BLOCK_GROUP24
        NQ_FC_BLOCK_GROUP24
        "ldr r12, [sp, #4]\n\t"
        "cmp r3, r12\n\t"
        "bne 1b\n\t"
        "ldr r12, [sp]\n\t"
        "ldm r12!, {r0, r2, r3, r8}\n\t"
        "ldm r12, {r8, r9, r10, r11}\n\t"
        NQ_FC_REQUANTIZE_PER_TENSOR("r4")
        NQ_FC_REQUANTIZE_PER_TENSOR("r5")
        NQ_FC_REQUANTIZE_PER_TENSOR("r7")
        "strb r4, [r0], #1\n\t"
        "strb r5, [r0], #1\n\t"
        "strb r7, [r0], #1\n\t"
        "cmp r0, r11\n\t"
        "beq 9f\n\t"
        "ldm r2!, {r4, r5, r7}\n\t"
        "ldr r12, [sp]\n\t"
        "stm r12, {r0, r2}\n\t"
        "sub r12, r6, r1\n\t"
        "mov r1, lr\n\t"
        "add r6, lr, r12\n\t"
        "add lr, r6, r12\n\t"
        "b 1b\n"
        "9:\n\t"
        "add sp, sp, #8\n\t"
        "pop {r4-r11, pc}");
}

/* Per tensor, word-aligned filter (every unit's row then is: the depth is a multiple of 4; LDRD per 8 weights), depth a
 * multiple of 32: the layers the three-unit pass does not take, and the last two units it leaves. */
__attribute__((naked, noinline)) static void nq_fc_block_pass_whole_per_tensor(const nq_fc_block *block __attribute__((unused)))
{
    NQ_FC_BLOCK_PASS(NQ_FC_MACS_WHOLE(NQ_FC_BLOCK_GROUP8(NQ_FC_LDRD_W0, NQ_FC_LDRD_W1)), NQ_FC_QUANT_PER_TENSOR);
}

/* Per tensor, word-aligned filter, any depth. */
__attribute__((naked, noinline)) static void nq_fc_block_pass_aligned_per_tensor(const nq_fc_block *block __attribute__((unused)))
{
    NQ_FC_BLOCK_PASS(NQ_FC_MACS_ANY(NQ_FC_BLOCK_GROUP8(NQ_FC_LDRD_W0, NQ_FC_LDRD_W1)), NQ_FC_QUANT_PER_TENSOR);
}

/* Per channel, word-aligned filter. */
__attribute__((naked, noinline)) static void nq_fc_block_pass_aligned(const nq_fc_block *block __attribute__((unused)))
{
    NQ_FC_BLOCK_PASS(NQ_FC_MACS_ANY(NQ_FC_BLOCK_GROUP8(NQ_FC_LDRD_W0, NQ_FC_LDRD_W1)), NQ_FC_QUANT_PER_CHANNEL);
}

/* The pass for a filter off a word boundary (LDRD would fault there): two LDR per 8 weights; per channel or per tensor. */
__attribute__((naked, noinline)) static void nq_fc_block_pass(const nq_fc_block *block __attribute__((unused)))
{
    NQ_FC_BLOCK_PASS(NQ_FC_MACS_ANY(NQ_FC_BLOCK_GROUP8(NQ_FC_LDR_W0, NQ_FC_LDR_W1)), NQ_FC_QUANT_PER_CHANNEL);
}

/* The block's fields for one call (out, bias, out_end and out_first are set per batch row). */
static void nq_fc_block_init(nq_fc_block *block, const uint64_t *column, int32_t groups, const int8_t *filter, int32_t depth,
                             const int32_t *multipliers, const int32_t *shifts, int32_t output_offset, int32_t per_channel,
                             int whole_loop)
{
    block->column = column;
    block->loop_end = column + (whole_loop ? groups : groups & ~3);
    block->multiplier = multipliers[0];
    block->right = -shifts[0];
    block->round_offset = nq_dsp_round_offset(shifts[0], output_offset);
    block->filter = filter;
    block->depth = depth;
    block->pairs_end = column + (groups & ~1);
    block->end = column + groups;
    block->multipliers = multipliers;
    block->shifts = shifts;
    block->round_base = (2 * output_offset) + 1;
    block->quant_mask = per_channel ? -1 : 0;
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

    const int32_t fast_left = nq_dsp_fast_left(nq_fc_bias_bound(folded_bias, units) + reach);
    int32_t slow[NQ_DSP_SLOW_MAX];
    int32_t slow_count = 0;
    int use_block = act_min == -128 && act_max == 127 && (depth & 3) == 0 && units >= 4;
    /* the units the block pass computes (the C loop the rest): pairs, or triples in the three-unit pass */
    int32_t block_units = 0;
    int32_t pass_units = 0; /* the units computed by the block passes (the three-unit pass leaves a pair to the pair pass) */
#if NQ_DSP_BLOCK_ASM
    nq_fc_block block;
    int whole_loop = 0;
    int triple = 0;
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
        whole_loop = ((uintptr_t)filter & 3) == 0 && !per_channel && (depth & 31) == 0;
        triple = whole_loop && (depth & 63) == 0;
        block_units = triple ? 3 * (units / 3) : units & ~1;
        pass_units = triple && units - block_units >= 2 ? block_units + 2 : block_units;
        nq_fc_block_init(&block, column, groups, filter, depth, multipliers, shifts, output_offset, per_channel, whole_loop);
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

        nq_fc_widen(column, x, groups);

#if NQ_DSP_BLOCK_ASM
        if (use_block)
        {
            block.out = out;
            block.bias = folded_bias;
            block.out_end = out + block_units;
            block.out_first = out;
            if (triple)
            {
                nq_fc_block_pass_triple_per_tensor(&block);
                if (units - block_units >= 2)
                {
                    /* the two units left (units = 3k + 2): the pair pass from unit 3k */
                    block.out = out + block_units;
                    block.bias = folded_bias + block_units;
                    block.out_end = out + block_units + 2;
                    block.filter = filter + (block_units * depth);
                    nq_fc_block_pass_whole_per_tensor(&block);
                    block.filter = filter;
                }
            }
            else if (whole_loop)
            {
                nq_fc_block_pass_whole_per_tensor(&block);
            }
            else if (((uintptr_t)filter & 3) == 0 && !per_channel)
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
        for (u = slow_count == 0 ? pass_units : 0; u < units; u += 2)
        {
            /* An odd last unit runs as a pair with itself. After the block pass only the pairs with a slow unit and an
             * odd last unit run here. */
            if (u + 1 < block_units && (k == slow_count || slow[k] > u + 1))
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
