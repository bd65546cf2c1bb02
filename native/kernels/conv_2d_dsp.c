/*
 * CONV_2D on Armv7E-M DSP (SMLAD: two 16 × 16 multiply-accumulates per instruction), one group, patches of
 * at most NQ_DSP_PATCH_MAX values. Four output pixels at a time: each pixel's patch (kernel height × width
 * × input depth, the filter's order) is widened once into int16 with the input offset added and zeros for
 * the taps outside the input (im2col), in the order SXTB16 unpacks a weight word — (x0, x2), (x1, x3) per
 * group of 4 values — and the four pixels' groups interleaved (32 bytes per group: one LDRD per pixel).
 * Then per output channel one pass over the patch: per 4 values one weight word (LDR, two SXTB16), four
 * LDRDs and eight SMLADs for 16 MACs; the channel's requantization constants are computed once for the
 * four outputs. The sum bias + Σ (x + input offset) × w is the portable kernel's int32 value (interior:
 * folded bias + Σ x × w) modulo 2^32, as SMLAD wraps.
 */
#include "nanoquant_kernels.h"
#include "nq_dsp.h"

#ifdef NQ_DSP
#include <stddef.h>
#include <string.h>
#include <arm_acle.h>

#define NQ_DSP_PIXELS 4

/* Patches of depths not a multiple of 4 up to this many values are gathered in order first. */
#define NQ_DSP_SMALL_PATCH 64

/* Bytes of nq_conv_2d_dsp's stack scratch: the padded-row filter copy (nq_dsp_im2col with row_groups; larger filters take the
 * other layout), or else the four pixels' outputs of a last block with fewer pixels (its block pass writes all four). */
#define NQ_DSP_CONV_SCRATCH 1536

static inline uint32_t nq_load32(const int8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Groups of 4 input values (offset added) into one pixel's slot of the interleaved columns: low word (x0+o, x2+o),
 * high word (x1+o, x3+o), the next group 4 pixels (8 words) on. Returns the slot of the group after the last. In
 * assembly: LDR, two SXTAB16, STRD per group, two groups per turn (the compiled loop spent 9 per group). */
static inline uint32_t *nq_dsp_widen_groups(uint32_t *out, const int8_t *src, int32_t groups, uint32_t offset2)
{
#if NQ_DSP_BLOCK_ASM
    uint32_t v;
    uint32_t lo;
    uint32_t hi;
    if ((groups & 1) != 0)
    {
        __asm__ volatile("ldr %[v], [%[src]], #4\n\t"
                "sxtab16 %[lo], %[o], %[v]\n\t"
                "sxtab16 %[hi], %[o], %[v], ror #8\n\t"
                "strd %[lo], %[hi], [%[out]], #32"
                : [src] "+r"(src), [out] "+r"(out), [v] "=&r"(v), [lo] "=&r"(lo), [hi] "=&r"(hi)
                : [o] "r"(offset2)
                : "memory");
    }

    groups >>= 1;
    if (groups != 0)
    {
        /* the second group of the turn a deliberate copy of the first */
        __asm__ volatile("1:\n\t"
                "ldr %[v], [%[src]], #4\n\t"
                "sxtab16 %[lo], %[o], %[v]\n\t"
                "sxtab16 %[hi], %[o], %[v], ror #8\n\t"
                "strd %[lo], %[hi], [%[out]], #32\n\t"
                "ldr %[v], [%[src]], #4\n\t"
                "sxtab16 %[lo], %[o], %[v]\n\t"
                "sxtab16 %[hi], %[o], %[v], ror #8\n\t"
                "strd %[lo], %[hi], [%[out]], #32\n\t"
                "subs %[n], %[n], #1\n\t"
                "bne 1b"
                : [src] "+r"(src), [out] "+r"(out), [n] "+r"(groups), [v] "=&r"(v), [lo] "=&r"(lo), [hi] "=&r"(hi)
                : [o] "r"(offset2)
                : "cc", "memory");
    }

    return out;
#else
    int32_t g;
    for (g = 0; g < groups; g++, src += 4, out += 2 * NQ_DSP_PIXELS)
    {
        const uint32_t v = nq_load32(src);
        out[0] = (uint32_t)__sxtab16((int16x2_t)offset2, (int8x4_t)v);
        out[1] = NQ_DSP_SXTAB16_ROR8(offset2, v);
    }

    return out;
#endif
}

/* Zero groups (taps outside the input) into one pixel's slot; returns the slot after them. */
static inline uint32_t *nq_dsp_zero_groups(uint32_t *out, int32_t groups)
{
    int32_t g;
    for (g = 0; g < groups; g++, out += 2 * NQ_DSP_PIXELS)
    {
        out[0] = 0;
        out[1] = 0;
    }

    return out;
}

/* GCC turns the im2col copy and zero loops into memcpy/memset calls, which cost more than the loops for runs of a
 * few bytes (vww's first conv: 3 runs of 9 bytes per pixel). */
#if defined(__GNUC__) && !defined(__clang__)
#define NQ_DSP_INLINE_COPIES __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define NQ_DSP_INLINE_COPIES
#endif

/*
 * nq_dsp_im2col for depths not a multiple of 4, small patches (first layers), every tap inside the input (src: the
 * first tap): a kernel row's taps are kernel width × depth consecutive bytes, so the patch is kernel height byte
 * runs, copied in order, then widened a word (4 values) at a time. Not inlined: it keeps the convolution's
 * registers as they were for the other shapes.
 */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
NQ_DSP_INLINE_COPIES static void nq_dsp_im2col_inside(const int32_t *p, const int8_t *src, uint64_t *column, int16_t *tail)
{
    const int32_t in_width = p[NQ_CONV_INPUT_WIDTH];
    const int32_t depth = p[NQ_CONV_INPUT_DEPTH];
    const int32_t kernel_height = p[NQ_CONV_KERNEL_HEIGHT];
    const int32_t run = p[NQ_CONV_KERNEL_WIDTH] * depth;
    const int32_t row_step = p[NQ_CONV_DILATION_HEIGHT] * in_width * depth;
    const int32_t offset = p[NQ_CONV_INPUT_OFFSET];
    const uint32_t offset2 = ((uint32_t)offset & 0xFFFFu) | ((uint32_t)offset << 16);
    const int32_t patch = kernel_height * run;
    const int32_t whole = patch & ~3;
    union
    {
        uint32_t words[(NQ_DSP_SMALL_PATCH / 4) + 1];
        int8_t values[NQ_DSP_SMALL_PATCH + 4];
    } bytes;
    uint32_t *out = (uint32_t *)(void *)column;
    int32_t k = 0;
    int32_t ky;
    int32_t g;
    for (ky = 0; ky < kernel_height; ky++, src += row_step)
    {
        int32_t i;
        /* a word at a time (unaligned LDR/STR), then the run's last bytes */
        for (i = 0; i + 4 <= run; i += 4, k += 4)
        {
            memcpy(&bytes.values[k], src + i, 4);
        }

        for (; i < run; i++)
        {
            bytes.values[k++] = src[i];
        }
    }

    for (g = 0; g < (whole >> 2); g++)
    {
        const uint32_t v = bytes.words[g];
        out[0] = (uint32_t)__sxtab16((int16x2_t)offset2, (int8x4_t)v);
        out[1] = NQ_DSP_SXTAB16_ROR8(offset2, v);
        out += 2 * NQ_DSP_PIXELS;
    }

    for (k = whole; k < patch; k++)
    {
        tail[k - whole] = (int16_t)(bytes.values[k] + offset);
    }
}

/* One pixel's patch into slot n of the interleaved columns: group g's words at column[g × 4 + n]
 * (low word (x0+o, x2+o), high word (x1+o, x3+o)); the last patch % 4 values as plain int16 in tail.
 * row_groups ≠ 0: depths not a multiple of 4 in the padded-row layout (vww's and ResNet-8's 3-channel first
 * layers): each kernel row's kernel width × depth values padded with zeros to whole groups of 4 (row_groups), the
 * filter padded the same way (nq_conv_2d_dsp), so that the block pass has no tail group and no channel left to the
 * C loop. A row whose taps are all inside is widened straight from the image, with the up to 3 bytes after it (their
 * weights are zero; only when they are still inside the image); a row outside is zeros; a row across an edge is
 * gathered value by value.
 */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
NQ_DSP_INLINE_COPIES static void nq_dsp_im2col(const int32_t *p, const int8_t *image, int32_t in_y, int32_t in_x, uint64_t *column, int32_t n,
                          int16_t *tail, int32_t row_groups)
{
    const int32_t in_height = p[NQ_CONV_INPUT_HEIGHT];
    const int32_t in_width = p[NQ_CONV_INPUT_WIDTH];
    const int32_t depth = p[NQ_CONV_INPUT_DEPTH];
    const int32_t kernel_height = p[NQ_CONV_KERNEL_HEIGHT];
    const int32_t kernel_width = p[NQ_CONV_KERNEL_WIDTH];
    const int32_t dilation_height = p[NQ_CONV_DILATION_HEIGHT];
    const int32_t dilation_width = p[NQ_CONV_DILATION_WIDTH];
    const int32_t offset = p[NQ_CONV_INPUT_OFFSET];
    const uint32_t offset2 = ((uint32_t)offset & 0xFFFFu) | ((uint32_t)offset << 16);
    const int32_t patch = kernel_height * kernel_width * depth;
    const int32_t whole = patch & ~3;
    int32_t ky;
    int32_t kx;
    if (row_groups != 0)
    {
        const int32_t image_bytes = in_height * in_width * depth;
        const int row_inside = in_x >= 0 && in_x + kernel_width <= in_width;
        uint32_t *out = (uint32_t *)(void *)(column + n);
        int32_t ky;
        for (ky = 0; ky < kernel_height; ky++)
        {
            const int32_t y = in_y + (ky * dilation_height);
            if (y < 0 || y >= in_height)
            {
                out = nq_dsp_zero_groups(out, row_groups);
            }
            else if (row_inside && (((y * in_width) + in_x) * depth) + (row_groups * 4) <= image_bytes)
            {
                out = nq_dsp_widen_groups(out, image + (((y * in_width) + in_x) * depth), row_groups, offset2);
            }
            else
            {
                union
                {
                    uint32_t words[NQ_DSP_SMALL_PATCH / 2];
                    int16_t values[NQ_DSP_SMALL_PATCH];
                } plain;
                int32_t k = 0;
                int32_t kx;
                int32_t g;
                for (kx = 0; kx < kernel_width; kx++)
                {
                    const int32_t x = in_x + kx;
                    const int inside = x >= 0 && x < in_width;
                    const int8_t *src = inside ? image + (((y * in_width) + x) * depth) : image;
                    int32_t i;
                    for (i = 0; i < depth; i++)
                    {
                        plain.values[k++] = (int16_t)(inside ? src[i] + offset : 0);
                    }
                }

                for (; k < row_groups * 4; k++)
                {
                    plain.values[k] = 0;
                }

                for (g = 0; g < row_groups; g++)
                {
                    const uint32_t w0 = plain.words[2 * g];
                    const uint32_t w1 = plain.words[(2 * g) + 1];
                    out[0] = (w0 & 0xFFFFu) | (w1 << 16);
                    out[1] = (w0 >> 16) | (w1 & 0xFFFF0000u);
                    out += 2 * NQ_DSP_PIXELS;
                }
            }
        }
        return;
    }

    if ((depth & 3) == 0)
    {
        /* A kernel row whose taps are all inside (no dilation across) is kernel width × depth consecutive bytes: one
         * run; a row outside the input, zeros; the others tap by tap. */
        const int32_t tap_groups = depth >> 2;
        const int32_t row_inside = dilation_width == 1 && in_x >= 0 && in_x + kernel_width <= in_width;
        uint32_t *out = (uint32_t *)(void *)(column + n);
        for (ky = 0; ky < kernel_height; ky++)
        {
            const int32_t y = in_y + (ky * dilation_height);
            if (y < 0 || y >= in_height)
            {
                out = nq_dsp_zero_groups(out, kernel_width * tap_groups);
            }
            else if (row_inside)
            {
                out = nq_dsp_widen_groups(out, image + (((y * in_width) + in_x) * depth), kernel_width * tap_groups, offset2);
            }
            else
            {
                for (kx = 0; kx < kernel_width; kx++)
                {
                    const int32_t x = in_x + (kx * dilation_width);
                    out = x < 0 || x >= in_width ? nq_dsp_zero_groups(out, tap_groups)
                                                 : nq_dsp_widen_groups(out, image + (((y * in_width) + x) * depth), tap_groups, offset2);
                }
            }
        }

        return;
    }

    if (patch <= NQ_DSP_SMALL_PATCH && dilation_width == 1 && in_y >= 0 && in_y + ((kernel_height - 1) * dilation_height) < in_height
        && in_x >= 0 && in_x + kernel_width <= in_width)
    {
        nq_dsp_im2col_inside(p, image + (((in_y * in_width) + in_x) * depth), column + n, tail);
        return;
    }

    if (patch <= NQ_DSP_SMALL_PATCH)
    {
        /* Depths not a multiple of 4, small patches (first layers): the values in order into a plain int16
         * buffer, then each group of 4 rearranged into its two words. */
        union
        {
            uint32_t words[(NQ_DSP_SMALL_PATCH / 2) + 2];
            int16_t values[NQ_DSP_SMALL_PATCH + 4];
        } plain;
        uint32_t *out = (uint32_t *)(void *)(column + n);
        int32_t k = 0;
        int32_t g;
        for (ky = 0; ky < kernel_height; ky++)
        {
            const int32_t y = in_y + (ky * dilation_height);
            for (kx = 0; kx < kernel_width; kx++)
            {
                const int32_t x = in_x + (kx * dilation_width);
                int32_t i;
                if (y < 0 || y >= in_height || x < 0 || x >= in_width)
                {
                    for (i = 0; i < depth; i++)
                    {
                        plain.values[k++] = 0;
                    }
                }
                else
                {
                    const int8_t *src = image + (((y * in_width) + x) * depth);
                    for (i = 0; i < depth; i++)
                    {
                        plain.values[k++] = (int16_t)(src[i] + offset);
                    }
                }
            }
        }

        for (g = 0; g < (whole >> 2); g++)
        {
            const uint32_t w0 = plain.words[2 * g];
            const uint32_t w1 = plain.words[(2 * g) + 1];
            out[0] = (w0 & 0xFFFFu) | (w1 << 16);
            out[1] = (w0 >> 16) | (w1 & 0xFFFF0000u);
            out += 2 * NQ_DSP_PIXELS;
        }

        for (k = whole; k < patch; k++)
        {
            tail[k - whole] = plain.values[k];
        }

        return;
    }

    {
        /* Depths not a multiple of 4 (first layers): value by value into its place. */
        static const int8_t place[4] = { 0, 2, 1, 3 };
        int16_t *half = (int16_t *)(void *)column;
        int32_t k = 0;
        for (ky = 0; ky < kernel_height; ky++)
        {
            const int32_t y = in_y + (ky * dilation_height);
            for (kx = 0; kx < kernel_width; kx++)
            {
                const int32_t x = in_x + (kx * dilation_width);
                const int inside = y >= 0 && y < in_height && x >= 0 && x < in_width;
                const int8_t *src = inside ? image + (((y * in_width) + x) * depth) : image;
                int32_t i;
                for (i = 0; i < depth; i++, k++)
                {
                    const int16_t v = (int16_t)(inside ? src[i] + offset : 0);
                    if (k < whole)
                    {
                        half[((((k >> 2) * NQ_DSP_PIXELS) + n) * 4) + place[k & 3]] = v;
                    }
                    else
                    {
                        tail[k - whole] = v;
                    }
                }
            }
        }
    }
}


#if NQ_DSP_BLOCK_ASM
/* What nq_conv_block_pass reads (the offsets are the assembly's: keep the order). */
typedef struct nq_conv_block
{
    const int8_t *filter;      /* 0: channel 0's weights; each channel's follow the last (patch % 4 = 0) */
    const uint64_t *columns;   /* 4: the four pixels' interleaved patches (nq_dsp_im2col) */
    const uint64_t *pairs_end; /* 8: columns + (1 + the groups of 4 values after the first rounded down to pairs) × 4 */
    const uint64_t *end;       /* 12: columns + groups × 4 */
    const int32_t *bias;       /* 16: past the pass's channels (indexed by r0 = 4 × (channel − channels), < 0) */
    const int32_t *multipliers; /* 20: the same */
    const int32_t *shifts;     /* 24: the same; all < 0 */
    int8_t *out;               /* 28: pixel 0 of the block, past the pass's channels */
    int32_t out_depth;         /* 32 */
    int32_t round_base;        /* 36: 2 × output offset + 1 */
    int32_t channel_bytes;     /* 40: −4 × the channels the pass runs (r0 counts up to 0) */
    int32_t weight_step;       /* 44: patch − 4 × groups read (patch % 4 ≠ 0: the last group is padded, so negative) */
    const int8_t *weights;     /* 48: the generic pass's spill of its weight pointer */
    int32_t output_offset;     /* 52 */
    int32_t channel;           /* 56: the MAC loop's spill of 4 × the channel (r0 holds input words there) */
    const uint64_t *quads_end; /* 60: columns + (1 + the groups of 4 values after the first rounded down to fours) × 4 */
} nq_conv_block;

typedef char nq_conv_block_layout[(sizeof(void *) == 4 && offsetof(nq_conv_block, quads_end) == 60) ? 1 : -1];

/*
 * The output channels of four output pixels (all, or all but the last when the patch is not a multiple of 4: its
 * last group is padded with zero inputs and reads 4 − patch % 4 weight bytes of the next channel), full-range clamp:
 * per channel the MAC loop of nq_conv_2d_dsp, the requantization, four STRBs, about 50 instructions of set-up and
 * requantization per channel where the compiled C loop spent about 110 (it spills the four sums and the constants).
 * Two variants share the MAC loop and the stores (string macros below):
 * - nq_conv_block_pass: the prescaled right-shift requantization of nq_dsp.h (nq_dsp_requantize_right with
 *   scaled = 2 × acc; round offset (2 × output offset + 1) << (right − 1) = nq_dsp_round_offset): per output LSL,
 *   ADD, SMMLAR, ASR, SSAT;
 * - nq_conv_block_pass_generic: nq_dsp_scale for shifts ≤ 0 and any accumulator (channels of huge bias, vww's
 *   ±2^30): SaturatingRoundingDoublingHighMul as (acc × m + 2^30) >> 31 (SMULL, ADDS, ADC, LSL, ORR), then
 *   RoundingDivideByPOT (AND, ADD, ASR, CMP, IT, ADDGT), the output offset and SSAT: 13 per output.
 * Registers: r0 4 × channel (kept at 56 during the MAC loop, where it holds input words), r1 weights, r3 columns, r4–r7
 * the sums, r8 end, r2/r9–r12 scratch, lr the block. Per group of 4 values: LDR, two SXTB16, two LDMs of four words
 * (two pixels each) and eight SMLADs: 13 instructions for 16 MACs.
 */
#define NQ_CONV_BLOCK_GROUP \
        "ldr r2, [r1], #4\n\t" \
        "ldm r3!, {r0, r9, r11, r12}\n\t" \
        "sxtb16 r10, r2, ror #8\n\t" \
        "sxtb16 r2, r2\n\t" \
        "smlad r4, r2, r0, r4\n\t" \
        "smlad r4, r10, r9, r4\n\t" \
        "smlad r5, r2, r11, r5\n\t" \
        "smlad r5, r10, r12, r5\n\t" \
        "ldm r3!, {r0, r9, r11, r12}\n\t" \
        "smlad r6, r2, r0, r6\n\t" \
        "smlad r6, r10, r9, r6\n\t" \
        "smlad r7, r2, r11, r7\n\t" \
        "smlad r7, r10, r12, r7\n\t"

/* Channel start and its sums: the first group of 4 values onto the bias (r8) into r4–r7, then the other groups four
 * per turn, then a pair and an odd last group (the copies of the group are deliberate: one compare and branch per 64
 * MACs, no moves of the bias). */
#define NQ_CONV_BLOCK_MACS \
        "push {r4-r11, lr}\n\t" \
        "mov lr, r0\n\t" \
        "ldr r1, [lr, #0]\n\t" \
        "ldr r0, [lr, #40]\n" \
        "2:\n\t" \
        "ldr r2, [lr, #16]\n\t" \
        "ldr r8, [r2, r0]\n\t" \
        "ldr r3, [lr, #4]\n\t" \
        "str r0, [lr, #56]\n\t" \
        "ldr r2, [r1], #4\n\t" \
        "ldm r3!, {r0, r9, r11, r12}\n\t" \
        "sxtb16 r10, r2, ror #8\n\t" \
        "sxtb16 r2, r2\n\t" \
        "smlad r4, r2, r0, r8\n\t" \
        "smlad r4, r10, r9, r4\n\t" \
        "smlad r5, r2, r11, r8\n\t" \
        "smlad r5, r10, r12, r5\n\t" \
        "ldm r3!, {r0, r9, r11, r12}\n\t" \
        "smlad r6, r2, r0, r8\n\t" \
        "smlad r6, r10, r9, r6\n\t" \
        "smlad r7, r2, r11, r8\n\t" \
        "smlad r7, r10, r12, r7\n\t" \
        "ldr r8, [lr, #60]\n\t" \
        "cmp r3, r8\n\t" \
        "beq 5f\n" \
        "1:\n\t" \
        NQ_CONV_BLOCK_GROUP \
        NQ_CONV_BLOCK_GROUP \
        NQ_CONV_BLOCK_GROUP \
        NQ_CONV_BLOCK_GROUP \
        "cmp r3, r8\n\t" \
        "bne 1b\n" \
        "5:\n\t" \
        "ldr r8, [lr, #8]\n\t" \
        "cmp r3, r8\n\t" \
        "beq 3f\n\t" \
        NQ_CONV_BLOCK_GROUP \
        NQ_CONV_BLOCK_GROUP \
        "3:\n\t" \
        "ldr r8, [lr, #12]\n\t" \
        "cmp r3, r8\n\t" \
        "beq 4f\n\t" \
        NQ_CONV_BLOCK_GROUP \
        "4:\n\t" \
        "ldr r0, [lr, #56]\n\t"

/* The four outputs (r4–r7) stored, the weights moved to the next channel, the next channel. */
#define NQ_CONV_BLOCK_STORE \
        "ldr r2, [lr, #28]\n\t" \
        "ldr r12, [lr, #32]\n\t" \
        "add r2, r2, r0, asr #2\n\t" \
        "strb r4, [r2]\n\t" \
        "strb r5, [r2, r12]\n\t" \
        "add r2, r2, r12, lsl #1\n\t" \
        "strb r6, [r2]\n\t" \
        "strb r7, [r2, r12]\n\t" \
        "ldr r2, [lr, #44]\n\t" \
        "add r1, r1, r2\n\t" \
        "adds r0, #4\n\t" \
        "bne 2b\n\t" \
        "pop {r4-r11, pc}"

/* Prescaled right shift of sum S: r9 multiplier, r10 right, r11 round offset. */
#define NQ_CONV_REQUANTIZE_RIGHT(S) \
        "lsl r2, " S ", #1\n\t" \
        "add r12, r11, " S ", asr #31\n\t" \
        "smmlar r2, r2, r9, r12\n\t" \
        "asr r2, r2, r10\n\t" \
        "ssat " S ", #8, r2\n\t"

/* nq_dsp_scale with left shift 0 of sum S, plus the output offset: r9 multiplier, r10 right, r11 mask, r1 offset. */
#define NQ_CONV_REQUANTIZE_GENERIC(S) \
        "smull r2, r12, " S ", r9\n\t" \
        "adds r2, r2, #0x40000000\n\t" \
        "adc r12, r12, #0\n\t" \
        "lsl r12, r12, #1\n\t" \
        "orr r12, r12, r2, lsr #31\n\t" \
        "and r2, r12, r11\n\t" \
        "add r2, r2, r12, asr #31\n\t" \
        "asr r12, r12, r10\n\t" \
        "cmp r2, r11, lsr #1\n\t" \
        "it gt\n\t" \
        "addgt r12, r12, #1\n\t" \
        "add r12, r12, r1\n\t" \
        "ssat " S ", #8, r12\n\t"

__attribute__((naked, noinline)) static void nq_conv_block_pass(const nq_conv_block *block __attribute__((unused)))
{
    __asm__ volatile(
        NQ_CONV_BLOCK_MACS
        /* r9 multiplier, r10 right = −shift, r11 round offset */
        "ldr r2, [lr, #20]\n\t"
        "ldr r9, [r2, r0]\n\t"
        "ldr r2, [lr, #24]\n\t"
        "ldr r10, [r2, r0]\n\t"
        "ldr r11, [lr, #36]\n\t"
        "mvn r2, r10\n\t"
        "lsl r11, r11, r2\n\t"
        "rsb r10, r10, #0\n\t"
        NQ_CONV_REQUANTIZE_RIGHT("r4")
        NQ_CONV_REQUANTIZE_RIGHT("r5")
        NQ_CONV_REQUANTIZE_RIGHT("r6")
        NQ_CONV_REQUANTIZE_RIGHT("r7")
        NQ_CONV_BLOCK_STORE);
}

__attribute__((naked, noinline)) static void nq_conv_block_pass_generic(const nq_conv_block *block __attribute__((unused)))
{
    __asm__ volatile(
        NQ_CONV_BLOCK_MACS
        /* r9 multiplier, r10 right = −shift, r11 mask = 2^right − 1, r1 output offset (the weight pointer kept at 48) */
        "str r1, [lr, #48]\n\t"
        "ldr r1, [lr, #52]\n\t"
        "ldr r2, [lr, #20]\n\t"
        "ldr r9, [r2, r0]\n\t"
        "ldr r2, [lr, #24]\n\t"
        "ldr r10, [r2, r0]\n\t"
        "rsb r10, r10, #0\n\t"
        "movs r11, #1\n\t"
        "lsl r11, r11, r10\n\t"
        "sub r11, r11, #1\n\t"
        NQ_CONV_REQUANTIZE_GENERIC("r4")
        NQ_CONV_REQUANTIZE_GENERIC("r5")
        NQ_CONV_REQUANTIZE_GENERIC("r6")
        NQ_CONV_REQUANTIZE_GENERIC("r7")
        "ldr r1, [lr, #48]\n\t"
        NQ_CONV_BLOCK_STORE);
}
/* The pointwise passes' requantization of the sum in r8 (the constants from the channel's record at r0, LSL, ADD,
 * SMMLAR, ASR, SSAT as nq_conv_block_pass) and its store at r2. */
#define NQ_CONV_POINTWISE_STORE \
        "ldmia r0!, {r4-r6}\n\t" \
        "lsl r7, r8, #1\n\t" \
        "add r6, r6, r8, asr #31\n\t" \
        "smmlar r7, r7, r4, r6\n\t" \
        "asr r7, r7, r5\n\t" \
        "ssat r7, #8, r7\n\t" \
        "strb r7, [r2], #1\n\t"

/* One output channel of nq_conv_pointwise8_pass: r9–r12 the pixel's values, r0 the channel's record, r2 the output. */
#define NQ_CONV_POINTWISE8_CHANNEL \
        "ldmia r0!, {r4-r8}\n\t" \
        "smlad r8, r4, r9, r8\n\t" \
        "smlad r8, r5, r10, r8\n\t" \
        "smlad r8, r6, r11, r8\n\t" \
        "smlad r8, r7, r12, r8\n\t" \
        NQ_CONV_POINTWISE_STORE

/* One output channel of nq_conv_pointwise16_pass: r1 the pixel's widened values. */
#define NQ_CONV_POINTWISE16_CHANNEL \
        "ldmia r1, {r9-r12}\n\t" \
        "ldmia r0!, {r4-r8}\n\t" \
        "smlad r8, r4, r9, r8\n\t" \
        "smlad r8, r5, r10, r8\n\t" \
        "smlad r8, r6, r11, r8\n\t" \
        "smlad r8, r7, r12, r8\n\t" \
        "ldrd r9, r10, [r1, #16]\n\t" \
        "ldrd r11, r12, [r1, #24]\n\t" \
        "ldmia r0!, {r4-r7}\n\t" \
        "smlad r8, r4, r9, r8\n\t" \
        "smlad r8, r5, r10, r8\n\t" \
        "smlad r8, r6, r11, r8\n\t" \
        "smlad r8, r7, r12, r8\n\t" \
        NQ_CONV_POINTWISE_STORE

/* What nq_conv_pointwise8_pass reads (the offsets are the assembly's: keep the order). */
typedef struct nq_conv_pointwise8
{
    const int8_t *input;       /* 0: pixel 0's 8 values */
    int8_t *out;               /* 4 */
    const int32_t *table;      /* 8: per output channel 8 words (nq_conv_2d_dsp) */
    const int32_t *table_end;  /* 12 */
    const int8_t *input_end;   /* 16: past the last pixel's values */
    uint32_t offset2;          /* 20: the input offset in both halves */
    uint32_t values[8];        /* 24: nq_conv_pointwise16_pass's widened pixel */
} nq_conv_pointwise8;

typedef char nq_conv_pointwise8_layout[(sizeof(void *) == 4 && offsetof(nq_conv_pointwise8, values) == 24) ? 1 : -1];

/*
 * A 1 × 1 convolution of 8 input channels (vww's and person_detect's 8 → 16 layer), every channel in the prescaled
 * right-shift requantization: a pixel's 8 values widened once into four registers (LDR, LDR, four SXTAB16), then per
 * output channel one LDM of its widened weights and bias, four SMLADs, one LDM of multiplier, right shift and round
 * offset, the requantization of nq_conv_block_pass (LSL, ADD, SMMLAR, ASR, SSAT) and one STRB: 13 instructions per
 * output of 8 MACs, where the four-pixel block pass spends about 21 (its per-channel set-up and stores amortized over
 * only 32 MACs); two channels per turn (an even number of them; the second a deliberate copy). Table per channel:
 * weights (w0, w2), (w1, w3), (w4, w6), (w5, w7) as int16 pairs, bias, multiplier, −shift, nq_dsp_round_offset.
 * Registers: r9–r12 the pixel's values, r0 table, r3 its end, r1 input, r2 output.
 */
__attribute__((naked, noinline)) static void nq_conv_pointwise8_pass(const nq_conv_pointwise8 *pass __attribute__((unused)))
{
    __asm__ volatile(
        "push {r4-r11, lr}\n\t"
        "mov lr, r0\n\t"
        "ldr r1, [lr, #0]\n\t"
        "ldr r2, [lr, #4]\n"
        "5:\n\t"
        "ldr r4, [r1], #4\n\t"
        "ldr r5, [r1], #4\n\t"
        "ldr r12, [lr, #20]\n\t"
        "sxtab16 r9, r12, r4\n\t"
        "sxtab16 r10, r12, r4, ror #8\n\t"
        "sxtab16 r11, r12, r5\n\t"
        "sxtab16 r12, r12, r5, ror #8\n\t"
        "ldr r0, [lr, #8]\n\t"
        "ldr r3, [lr, #12]\n"
        "1:\n\t"
        NQ_CONV_POINTWISE8_CHANNEL
        NQ_CONV_POINTWISE8_CHANNEL
        "cmp r0, r3\n\t"
        "bne 1b\n\t"
        "ldr r3, [lr, #16]\n\t"
        "cmp r1, r3\n\t"
        "bne 5b\n\t"
        "pop {r4-r11, pc}");
}

/*
 * The same for 16 input channels (vww's and person_detect's 16 → 32 layer): the pixel's 16 values widened once into
 * values (two STMs), then per output channel one LDM of its first four values and one of its first widened weights
 * and bias, four SMLADs, two LDRDs of the other four values, one LDM of the other weights, four SMLADs, one LDM of
 * the requantization constants, the requantization and the STRB: 21 instructions per output of 16 MACs. Table per
 * channel: w0–w3 (as in nq_conv_pointwise8_pass), bias, w4–w7 (values 8–15), multiplier, −shift, round offset.
 */
__attribute__((naked, noinline)) static void nq_conv_pointwise16_pass(const nq_conv_pointwise8 *pass __attribute__((unused)))
{
    __asm__ volatile(
        "push {r4-r11, lr}\n\t"
        "mov lr, r0\n\t"
        "ldr r2, [lr, #4]\n"
        "5:\n\t"
        "ldr r1, [lr, #0]\n\t"
        "ldr r12, [lr, #20]\n\t"
        "ldr r4, [r1], #4\n\t"
        "ldr r5, [r1], #4\n\t"
        "ldr r6, [r1], #4\n\t"
        "ldr r7, [r1], #4\n\t"
        "str r1, [lr, #0]\n\t"
        "sxtab16 r8, r12, r4\n\t"
        "sxtab16 r9, r12, r4, ror #8\n\t"
        "sxtab16 r10, r12, r5\n\t"
        "sxtab16 r11, r12, r5, ror #8\n\t"
        "add r1, lr, #24\n\t"
        "stmia r1, {r8-r11}\n\t"
        "sxtab16 r8, r12, r6\n\t"
        "sxtab16 r9, r12, r6, ror #8\n\t"
        "sxtab16 r10, r12, r7\n\t"
        "sxtab16 r11, r12, r7, ror #8\n\t"
        "add r3, lr, #40\n\t"
        "stmia r3, {r8-r11}\n\t"
        "ldr r0, [lr, #8]\n\t"
        "ldr r3, [lr, #12]\n"
        "1:\n\t"
        NQ_CONV_POINTWISE16_CHANNEL
        NQ_CONV_POINTWISE16_CHANNEL
        "cmp r0, r3\n\t"
        "bne 1b\n\t"
        "ldr r1, [lr, #0]\n\t"
        "ldr r3, [lr, #16]\n\t"
        "cmp r1, r3\n\t"
        "bne 5b\n\t"
        "pop {r4-r11, pc}");
}

/*
 * The channels a block pass leaves to the C loop (at most NQ_DSP_SLOW_MAX, into slow; 0 when there are more):
 * those outside its requantization — the prescaled right shift (generic 0) or shifts ≤ 0 with a multiplier other
 * than INT32_MIN (generic 1) — and, when the patch is not a multiple of 4, the last channel.
 */
static int nq_conv_slow_channels(int generic, int32_t out_depth, int32_t patch, const int32_t *bias, const int32_t *multipliers,
                                 const int32_t *shifts, int32_t *slow, int32_t *count)
{
    int32_t c;
    int32_t n = 0;
    for (c = 0; c < out_depth; c++)
    {
        const int64_t bound = (bias[c] < 0 ? -(int64_t)bias[c] : (int64_t)bias[c]) + ((int64_t)patch * 255 * 128);
        const int fits = generic ? shifts[c] <= 0 && multipliers[c] != INT32_MIN
                                 : nq_dsp_prescale_right(multipliers[c], shifts[c], nq_dsp_fast_left(bound));
        if (!fits || ((patch & 3) != 0 && c == out_depth - 1))
        {
            if (n == NQ_DSP_SLOW_MAX)
            {
                return 0;
            }

            slow[n++] = c;
        }
    }

    *count = n;
    return 1;
}
#endif

int nq_conv_2d_dsp(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                   const int32_t *multipliers, const int32_t *shifts, int8_t *output)
{
    const int32_t batches = p[NQ_CONV_BATCHES];
    const int32_t in_height = p[NQ_CONV_INPUT_HEIGHT];
    const int32_t in_width = p[NQ_CONV_INPUT_WIDTH];
    const int32_t in_depth = p[NQ_CONV_INPUT_DEPTH];
    const int32_t out_height = p[NQ_CONV_OUTPUT_HEIGHT];
    const int32_t out_width = p[NQ_CONV_OUTPUT_WIDTH];
    const int32_t out_depth = p[NQ_CONV_OUTPUT_DEPTH];
    const int32_t stride_height = p[NQ_CONV_STRIDE_HEIGHT];
    const int32_t stride_width = p[NQ_CONV_STRIDE_WIDTH];
    const int32_t pad_top = p[NQ_CONV_PAD_TOP];
    const int32_t pad_left = p[NQ_CONV_PAD_LEFT];
    const int32_t output_offset = p[NQ_CONV_OUTPUT_OFFSET];
    const int32_t act_min = p[NQ_CONV_ACTIVATION_MIN];
    const int32_t act_max = p[NQ_CONV_ACTIVATION_MAX];
    const int32_t kernel_height = p[NQ_CONV_KERNEL_HEIGHT];
    const int32_t run = p[NQ_CONV_KERNEL_WIDTH] * in_depth;
    const int32_t row_groups = (run + 3) >> 2;
    /* depths not a multiple of 4, small filters: the padded-row layout (nq_dsp_im2col with row_groups) */
    const int padded_rows = (in_depth & 3) != 0 && p[NQ_CONV_DILATION_WIDTH] == 1 && kernel_height * row_groups * 4 <= NQ_DSP_SMALL_PATCH
                            && ((run & 3) == 0 || out_depth * kernel_height * row_groups * 4 <= NQ_DSP_CONV_SCRATCH);
    /* rows not already whole groups (kws's 10 × 4 × 1 filter is): the filter copied with the padding into the scratch */
    const int row_copy = padded_rows && (run & 3) != 0;
    const int32_t patch = padded_rows ? kernel_height * row_groups * 4 : kernel_height * p[NQ_CONV_KERNEL_WIDTH] * p[NQ_CONV_FILTER_DEPTH];
    const int32_t groups4 = patch >> 2;
    const int32_t rest = patch & 3;
    const int32_t row_span = ((kernel_height - 1) * p[NQ_CONV_DILATION_HEIGHT]) + 1;
    const int32_t row_step = p[NQ_CONV_DILATION_HEIGHT] * in_width * in_depth;
    const int32_t image_bytes = in_height * in_width * in_depth;
    /* a last block of fewer pixels through the block pass: its outputs via the scratch */
    const int partial_block = !row_copy && NQ_DSP_PIXELS * out_depth <= NQ_DSP_CONV_SCRATCH;
    union
    {
        int32_t words[NQ_DSP_CONV_SCRATCH / 4];
        int8_t bytes[NQ_DSP_CONV_SCRATCH];
    } scratch;
    const int32_t pixels = out_height * out_width;
    uint64_t columns[(NQ_DSP_PATCH_MAX / 4) * NQ_DSP_PIXELS];
    int16_t tails[NQ_DSP_PIXELS][4];
    int32_t b;
    int32_t pixel;
    int32_t fast_left;
    const int full_range = act_min == -128 && act_max == 127;
    const int pointwise = patch == in_depth && (in_depth & 3) == 0 && stride_height == 1 && stride_width == 1 && pad_top == 0
                          && pad_left == 0 && out_height == in_height && out_width == in_width;
    const uint32_t offset2 = ((uint32_t)p[NQ_CONV_INPUT_OFFSET] & 0xFFFFu) | ((uint32_t)p[NQ_CONV_INPUT_OFFSET] << 16);
    int32_t slow[NQ_DSP_SLOW_MAX];
    int32_t slow_count = 0;
    int use_block = 0;
#if NQ_DSP_BLOCK_ASM
    nq_conv_block block;
    /* the channels the block pass runs: all, or all but the last when the patch is not a multiple of 4 */
    const int32_t block_channels = rest != 0 ? out_depth - 1 : out_depth;
#endif
    /* Fewer than 4 output channels: widening each patch does not pay (person_detect's last 1×1 conv, 256 → 2:
     * 5,680 instructions here against 3,480 in the portable kernel on the Cortex-M4 replay). */
    if (p[NQ_CONV_FILTER_DEPTH] != in_depth || patch > NQ_DSP_PATCH_MAX || out_depth < 4)
    {
        return 0;
    }

    if (row_copy)
    {
        /* each channel's kernel rows padded with zero weights to row_groups × 4 */
        int8_t *to = scratch.bytes;
        int32_t i;
        for (i = 0; i < out_depth * kernel_height; i++, filter += run)
        {
            int32_t k;
            for (k = 0; k < row_groups * 4; k++)
            {
                *to++ = (int8_t)(k < run ? filter[k] : 0);
            }
        }

        filter = scratch.bytes;
    }

    fast_left = nq_dsp_fast_left(nq_dsp_max_abs(bias, out_depth) + ((int64_t)patch * 255 * 128));
#if NQ_DSP_BLOCK_ASM
    /* The whole-block pass when every channel but at most NQ_DSP_SLOW_MAX takes the prescaled right-shift
     * requantization (the bound per channel: a dead channel of huge bias leaves the others in), else the generic one. */
    if (full_range && nq_conv_slow_channels(0, out_depth, patch, bias, multipliers, shifts, slow, &slow_count))
    {
        use_block = 1;
    }
    else if (full_range && nq_conv_slow_channels(1, out_depth, patch, bias, multipliers, shifts, slow, &slow_count))
    {
        use_block = 2;
    }

    if (use_block == 1 && slow_count == 0 && pointwise && (in_depth == 8 || in_depth == 16) && (out_depth & 1) == 0
        && out_depth * (in_depth + 8) * 2 <= NQ_DSP_CONV_SCRATCH)
    {
        /* per channel: the widened weights (the first 8 values, the bias, the next 8), the requantization constants */
        nq_conv_pointwise8 pass;
        int32_t *t = scratch.words;
        int32_t c;
        for (c = 0; c < out_depth; c++)
        {
            const int8_t *w = filter + (c * in_depth);
            int32_t g;
            for (g = 0; g < (in_depth >> 2); g++)
            {
                const uint32_t a = nq_load32(w + (4 * g));
                *t++ = (int32_t)(uint32_t)__sxtb16((int8x4_t)a);
                *t++ = (int32_t)NQ_DSP_SXTB16_ROR8(a);
                if (g == 1)
                {
                    *t++ = bias[c];
                }
            }

            *t++ = multipliers[c];
            *t++ = -shifts[c];
            *t++ = nq_dsp_round_offset(shifts[c], output_offset);
        }

        pass.input = input;
        pass.out = output;
        pass.table = scratch.words;
        pass.table_end = t;
        pass.input_end = input + (batches * pixels * in_depth);
        pass.offset2 = offset2;
        if (in_depth == 8)
        {
            nq_conv_pointwise8_pass(&pass);
        }
        else
        {
            nq_conv_pointwise16_pass(&pass);
        }

        return 1;
    }

    block.filter = filter;
    block.columns = columns;
    /* the groups after the first */
    block.quads_end = columns + ((1 + ((groups4 + (rest != 0) - 1) & ~3)) * NQ_DSP_PIXELS);
    block.pairs_end = columns + ((1 + ((groups4 + (rest != 0) - 1) & ~1)) * NQ_DSP_PIXELS);
    block.end = columns + ((groups4 + (rest != 0)) * NQ_DSP_PIXELS);
    block.bias = bias + block_channels;
    block.multipliers = multipliers + block_channels;
    block.shifts = shifts + block_channels;
    block.out_depth = out_depth;
    block.round_base = (2 * output_offset) + 1;
    block.output_offset = output_offset;
    block.channel_bytes = -4 * block_channels;
    block.weight_step = rest != 0 ? rest - 4 : 0;
#endif
    for (b = 0; b < batches; b++)
    {
        const int8_t *image = input + (b * in_height * in_width * in_depth);
        int8_t *image_out = output + (b * pixels * out_depth);
        for (pixel = 0; pixel < pixels; pixel += NQ_DSP_PIXELS)
        {
            /* Past the last pixel, the last pixel again: computed, not written. */
            const int32_t count = pixels - pixel < NQ_DSP_PIXELS ? pixels - pixel : NQ_DSP_PIXELS;
            int8_t *out = image_out + (pixel * out_depth);
            int block_pass;
            int32_t k;
            int32_t n;
            for (n = 0; n < NQ_DSP_PIXELS && pointwise; n++)
            {
                /* 1 × 1, stride 1, no padding, depth a multiple of 4: a pixel's patch is its input vector */
                const int32_t at = pixel + (n < count ? n : count - 1);
                nq_dsp_widen_groups((uint32_t *)(void *)(columns + n), image + (at * in_depth), groups4, offset2);
            }

            for (n = 0; n < NQ_DSP_PIXELS && !pointwise; n++)
            {
                const int32_t at = pixel + (n < count ? n : count - 1);
                const int32_t oy = at / out_width;
                const int32_t ox = at - (oy * out_width);
                const int32_t in_y = (oy * stride_height) - pad_top;
                const int32_t in_x = (ox * stride_width) - pad_left;
                if (padded_rows && in_y >= 0 && in_y + row_span <= in_height && in_x >= 0 && in_x + p[NQ_CONV_KERNEL_WIDTH] <= in_width
                    && (((((in_y + row_span) - 1) * in_width) + in_x) * in_depth) + (row_groups * 4) <= image_bytes)
                {
                    /* every row inside, and the bytes the last row's padding reads: each row widened in place */
                    const int8_t *src = image + (((in_y * in_width) + in_x) * in_depth);
                    uint32_t *slot = (uint32_t *)(void *)(columns + n);
                    for (k = 0; k < kernel_height; k++, src += row_step)
                    {
                        slot = nq_dsp_widen_groups(slot, src, row_groups, offset2);
                    }
                }
                else
                {
                    nq_dsp_im2col(p, image, in_y, in_x, columns, n, tails[n], padded_rows ? row_groups : 0);
                }
            }

            block_pass = use_block && (count == NQ_DSP_PIXELS || partial_block);
#if NQ_DSP_BLOCK_ASM
            if (block_pass)
            {
                /* every channel; then the C loop below redoes the slow ones */
                for (n = 0; n < NQ_DSP_PIXELS && rest != 0; n++)
                {
                    /* the last values as one more group, zeros past the patch */
                    const int16_t *t = tails[n];
                    const uint32_t t1 = rest > 1 ? (uint32_t)t[1] & 0xFFFFu : 0u;
                    const uint32_t t2 = rest > 2 ? (uint32_t)t[2] << 16 : 0u;
                    columns[(groups4 * NQ_DSP_PIXELS) + n] = (uint64_t)(((uint32_t)t[0] & 0xFFFFu) | t2) | ((uint64_t)t1 << 32);
                }

                block.out = (count == NQ_DSP_PIXELS ? out : scratch.bytes) + block_channels;
                if (use_block == 1)
                {
                    nq_conv_block_pass(&block);
                }
                else
                {
                    nq_conv_block_pass_generic(&block);
                }

                if (count != NQ_DSP_PIXELS)
                {
                    memcpy(out, scratch.bytes, (size_t)(count * out_depth));
                }
            }
#endif
            for (k = 0; k < (block_pass ? slow_count : out_depth); k++)
            {
                const int32_t c = block_pass ? slow[k] : k;
                const int8_t *w = filter + (c * patch);
                const uint64_t *x = columns;
                const uint64_t *end = columns + (groups4 * NQ_DSP_PIXELS);
                int32_t s[NQ_DSP_PIXELS];
                int32_t s0 = bias[c];
                int32_t s1 = s0;
                int32_t s2 = s0;
                int32_t s3 = s0;
                nq_dsp_quant q;
                int32_t r;
#if defined(__GNUC__)
                if (groups4 >= 2)
                {
                    /* Two groups of 4 values per turn: 2 LDR, 4 SXTB16, 8 LDRD, 16 SMLAD, CMP, BNE for 32 MACs. The two
                     * halves are deliberate copies (hot-loop unrolling: one compare and branch per 32 MACs); the C loop
                     * below is the same group once, for an odd last group and for compilers without GNU asm. */
                    const uint64_t *pairs_end = columns + ((groups4 & ~1) * NQ_DSP_PIXELS);
                    uint32_t a;
                    uint32_t a02;
                    uint32_t a13;
                    uint32_t lo;
                    uint32_t hi;
                    __asm__("1:\n\t"
                            "ldr %[a], [%[w]], #4\n\t"
                            "ldrd %[lo], %[hi], [%[x]], #8\n\t"
                            "sxtb16 %[a13], %[a], ror #8\n\t"
                            "sxtb16 %[a02], %[a]\n\t"
                            "smlad %[s0], %[a02], %[lo], %[s0]\n\t"
                            "smlad %[s0], %[a13], %[hi], %[s0]\n\t"
                            "ldrd %[lo], %[hi], [%[x]], #8\n\t"
                            "smlad %[s1], %[a02], %[lo], %[s1]\n\t"
                            "smlad %[s1], %[a13], %[hi], %[s1]\n\t"
                            "ldrd %[lo], %[hi], [%[x]], #8\n\t"
                            "smlad %[s2], %[a02], %[lo], %[s2]\n\t"
                            "smlad %[s2], %[a13], %[hi], %[s2]\n\t"
                            "ldrd %[lo], %[hi], [%[x]], #8\n\t"
                            "smlad %[s3], %[a02], %[lo], %[s3]\n\t"
                            "smlad %[s3], %[a13], %[hi], %[s3]\n\t"
                            "ldr %[a], [%[w]], #4\n\t"
                            "ldrd %[lo], %[hi], [%[x]], #8\n\t"
                            "sxtb16 %[a13], %[a], ror #8\n\t"
                            "sxtb16 %[a02], %[a]\n\t"
                            "smlad %[s0], %[a02], %[lo], %[s0]\n\t"
                            "smlad %[s0], %[a13], %[hi], %[s0]\n\t"
                            "ldrd %[lo], %[hi], [%[x]], #8\n\t"
                            "smlad %[s1], %[a02], %[lo], %[s1]\n\t"
                            "smlad %[s1], %[a13], %[hi], %[s1]\n\t"
                            "ldrd %[lo], %[hi], [%[x]], #8\n\t"
                            "smlad %[s2], %[a02], %[lo], %[s2]\n\t"
                            "smlad %[s2], %[a13], %[hi], %[s2]\n\t"
                            "ldrd %[lo], %[hi], [%[x]], #8\n\t"
                            "smlad %[s3], %[a02], %[lo], %[s3]\n\t"
                            "smlad %[s3], %[a13], %[hi], %[s3]\n\t"
                            "cmp %[x], %[end]\n\t"
                            "bne 1b"
                            : [s0] "+r"(s0), [s1] "+r"(s1), [s2] "+r"(s2), [s3] "+r"(s3), [w] "+r"(w), [x] "+r"(x), [a] "=&r"(a),
                              [a02] "=&r"(a02), [a13] "=&r"(a13), [lo] "=&r"(lo), [hi] "=&r"(hi)
                            : [end] "r"(pairs_end)
                            : "cc", "memory");
                }
#endif
                while (x != end)
                {
                    const uint32_t a = nq_load32(w);
                    const int16x2_t a02 = __sxtb16((int8x4_t)a);
                    const int16x2_t a13 = (int16x2_t)NQ_DSP_SXTB16_ROR8(a);
                    uint64_t v = x[0];
                    s0 = __smlad(a02, (int16x2_t)(uint32_t)v, s0);
                    s0 = __smlad(a13, (int16x2_t)(uint32_t)(v >> 32), s0);
                    v = x[1];
                    s1 = __smlad(a02, (int16x2_t)(uint32_t)v, s1);
                    s1 = __smlad(a13, (int16x2_t)(uint32_t)(v >> 32), s1);
                    v = x[2];
                    s2 = __smlad(a02, (int16x2_t)(uint32_t)v, s2);
                    s2 = __smlad(a13, (int16x2_t)(uint32_t)(v >> 32), s2);
                    v = x[3];
                    s3 = __smlad(a02, (int16x2_t)(uint32_t)v, s3);
                    s3 = __smlad(a13, (int16x2_t)(uint32_t)(v >> 32), s3);
                    w += 4;
                    x += NQ_DSP_PIXELS;
                }

                for (r = 0; r < rest; r++)
                {
                    const int32_t wr = w[r];
                    s0 = (int32_t)((uint32_t)s0 + (uint32_t)(wr * tails[0][r]));
                    s1 = (int32_t)((uint32_t)s1 + (uint32_t)(wr * tails[1][r]));
                    s2 = (int32_t)((uint32_t)s2 + (uint32_t)(wr * tails[2][r]));
                    s3 = (int32_t)((uint32_t)s3 + (uint32_t)(wr * tails[3][r]));
                }

                if (count == NQ_DSP_PIXELS && fast_left >= 0 && shifts[c] < 0 && multipliers[c] != INT32_MIN)
                {
                    /* The fast requantization with left shift 0 (nq_dsp.h), the constants computed here. */
                    const int32_t m = multipliers[c];
                    const int32_t right = -shifts[c];
                    const int32_t round = (int32_t)(1u << (right - 1));
                    int8_t *o = out + c;
                    int32_t v0 = nq_dsp_scale_right(s0, m, right, round) + output_offset;
                    int32_t v1 = nq_dsp_scale_right(s1, m, right, round) + output_offset;
                    int32_t v2 = nq_dsp_scale_right(s2, m, right, round) + output_offset;
                    int32_t v3 = nq_dsp_scale_right(s3, m, right, round) + output_offset;
                    if (full_range)
                    {
                        v0 = __ssat(v0, 8);
                        v1 = __ssat(v1, 8);
                        v2 = __ssat(v2, 8);
                        v3 = __ssat(v3, 8);
                    }
                    else
                    {
                        v0 = nq_clamp(v0, act_min, act_max);
                        v1 = nq_clamp(v1, act_min, act_max);
                        v2 = nq_clamp(v2, act_min, act_max);
                        v3 = nq_clamp(v3, act_min, act_max);
                    }

                    o[0] = (int8_t)v0;
                    o[out_depth] = (int8_t)v1;
                    o[2 * out_depth] = (int8_t)v2;
                    o[3 * out_depth] = (int8_t)v3;
                    continue;
                }

                nq_dsp_quant_init(&q, multipliers[c], shifts[c]);
                nq_dsp_quant_fast(&q, fast_left);
                /* The four pixels' outputs written out one by one below (and above): deliberate copies, so that
                 * the four sums stay in registers (an array indexed in a loop would go through the stack). */
                if (q.fast && count == NQ_DSP_PIXELS)
                {
                    int8_t *o = out + c;
                    o[0] = nq_clamp(nq_dsp_scale_fast(&q, s0) + output_offset, act_min, act_max);
                    o += out_depth;
                    o[0] = nq_clamp(nq_dsp_scale_fast(&q, s1) + output_offset, act_min, act_max);
                    o += out_depth;
                    o[0] = nq_clamp(nq_dsp_scale_fast(&q, s2) + output_offset, act_min, act_max);
                    o += out_depth;
                    o[0] = nq_clamp(nq_dsp_scale_fast(&q, s3) + output_offset, act_min, act_max);
                }
                else if (q.generic || count != NQ_DSP_PIXELS)
                {
                    s[0] = s0;
                    s[1] = s1;
                    s[2] = s2;
                    s[3] = s3;
                    for (n = 0; n < count; n++)
                    {
                        out[(n * out_depth) + c] = nq_dsp_requantize(&q, s[n], output_offset, act_min, act_max);
                    }
                }
                else
                {
                    int8_t *o = out + c;
                    o[0] = nq_clamp(nq_add_wrap(nq_dsp_scale(&q, s0), output_offset), act_min, act_max);
                    o += out_depth;
                    o[0] = nq_clamp(nq_add_wrap(nq_dsp_scale(&q, s1), output_offset), act_min, act_max);
                    o += out_depth;
                    o[0] = nq_clamp(nq_add_wrap(nq_dsp_scale(&q, s2), output_offset), act_min, act_max);
                    o += out_depth;
                    o[0] = nq_clamp(nq_add_wrap(nq_dsp_scale(&q, s3), output_offset), act_min, act_max);
                }
            }
        }
    }

    return 1;
}
#else
typedef int nq_conv_2d_dsp_unused; /* an empty translation unit is not ISO C */
#endif
