/*
 * DEPTHWISE_CONV_2D on Armv7E-M DSP, depth multiplier 1, at most NQ_DSP_DEPTHWISE_TAPS_MAX taps. Channels in
 * blocks of 4 (outermost): the block's filter taps are packed once into int16 pairs in SXTB16's order
 * ((w0, w2), (w1, w3) per tap, 8 bytes), then for every output pixel each tap inside the input is one LDR of
 * the 4 channels' inputs, two SXTAB16 (input offset added), one LDRD of the packed weights and
 * SMLABB/SMLATT × 4. The sum bias + Σ (x + input offset) × w over the taps inside the input is the
 * portable kernel's int32 value modulo 2^32 (interior: folded bias + Σ x × w). The depth % 4 last channels
 * run the same sum one channel at a time.
 * The kernels of this file repeat each other's parameter unpacking (and the older ones their weight packing and
 * requantization loops; the 3 × 3 and planar kernels share nq_dsp_widen_line/_inside, nq_dsp_pack_3x3 and
 * nq_dsp_requantize_run), and inside each the taps and channels are written out one by one (NQ_DSP_DEPTHWISE_ROW3's
 * three taps, nq_depthwise_rows_dsp's nine NQ_DSP_ROW_TAPs, nq_depthwise_3x3_dsp's twelve SMLAxy lines, the planar
 * passes' NQ_PLANAR_S1/S2_LINE): deliberate
 * near-copies, hot-loop unrolling with the sums and weights in registers, each loop laid out for its shape
 * (the order they are tried in is nq_depthwise_conv_2d_dsp's, at the end; multipliers ≥ 2 on other windows:
 * depthwise_conv_2d_multiplier_dsp.c).
 */
#include "nanoquant_kernels.h"
#include "nq_dsp.h"

#ifdef NQ_DSP
#include <string.h>
#include <arm_acle.h>
#include "nq_window.h"

/* Output pixels of a row summed before they are requantized channel by channel. */
#define NQ_DSP_DEPTHWISE_CHUNK 16

/* One tap of 4 channels: their inputs (offset added), the packed weight pairs, 4 multiply-accumulates. */
#define NQ_DSP_DEPTHWISE_TAP(x_, pair_) \
    do \
    { \
        uint32_t v_; \
        uint32_t even_; \
        uint32_t odd_; \
        const uint64_t pair = (pair_); \
        memcpy(&v_, (x_), 4); \
        even_ = (uint32_t)__sxtab16((int16x2_t)offset2, (int8x4_t)v_); \
        odd_ = NQ_DSP_SXTAB16_ROR8(offset2, v_); \
        s0 = __smlabb((int32_t)even_, (int32_t)(uint32_t)pair, s0); \
        s2 = __smlatt((int32_t)even_, (int32_t)(uint32_t)pair, s2); \
        s1 = __smlabb((int32_t)odd_, (int32_t)(uint32_t)(pair >> 32), s1); \
        s3 = __smlatt((int32_t)odd_, (int32_t)(uint32_t)(pair >> 32), s3); \
    } while (0)

#if defined(__GNUC__)
/* Three taps of a row (GCC): per tap LDR, LDRD, 2 SXTAB16, 4 SMLAxy, and an ADD between taps. Uses s0..s3,
 * column_step and offset2 of the caller. */
#define NQ_DSP_DEPTHWISE_ROW3(x0_, w0_) \
    do \
    { \
        const int8_t *x_ = (x0_); \
        const uint64_t *w_ = (w0_); \
        uint32_t v; \
        uint32_t even; \
        uint32_t odd; \
        uint32_t lo; \
        uint32_t hi; \
        __asm__("ldr %[v], [%[x]]\n\t" \
        "ldrd %[lo], %[hi], [%[w]]\n\t" \
        "sxtab16 %[e], %[o2], %[v]\n\t" \
        "sxtab16 %[o], %[o2], %[v], ror #8\n\t" \
        "smlabb %[s0], %[e], %[lo], %[s0]\n\t" \
        "smlatt %[s2], %[e], %[lo], %[s2]\n\t" \
        "smlabb %[s1], %[o], %[hi], %[s1]\n\t" \
        "smlatt %[s3], %[o], %[hi], %[s3]\n\t" \
        "add %[x], %[x], %[step]\n\t" \
        "ldr %[v], [%[x]]\n\t" \
        "ldrd %[lo], %[hi], [%[w], #8]\n\t" \
        "sxtab16 %[e], %[o2], %[v]\n\t" \
        "sxtab16 %[o], %[o2], %[v], ror #8\n\t" \
        "smlabb %[s0], %[e], %[lo], %[s0]\n\t" \
        "smlatt %[s2], %[e], %[lo], %[s2]\n\t" \
        "smlabb %[s1], %[o], %[hi], %[s1]\n\t" \
        "smlatt %[s3], %[o], %[hi], %[s3]\n\t" \
        "add %[x], %[x], %[step]\n\t" \
        "ldr %[v], [%[x]]\n\t" \
        "ldrd %[lo], %[hi], [%[w], #16]\n\t" \
        "sxtab16 %[e], %[o2], %[v]\n\t" \
        "sxtab16 %[o], %[o2], %[v], ror #8\n\t" \
        "smlabb %[s0], %[e], %[lo], %[s0]\n\t" \
        "smlatt %[s2], %[e], %[lo], %[s2]\n\t" \
        "smlabb %[s1], %[o], %[hi], %[s1]\n\t" \
        "smlatt %[s3], %[o], %[hi], %[s3]" \
        : [s0] "+r"(s0), [s1] "+r"(s1), [s2] "+r"(s2), [s3] "+r"(s3), [x] "+r"(x_), [v] "=&r"(v), \
        [e] "=&r"(even), [o] "=&r"(odd), [lo] "=&r"(lo), [hi] "=&r"(hi) \
        : [w] "r"(w_), [step] "r"(column_step), [o2] "r"(offset2) \
        : "memory"); \
    } while (0)

#endif

/* The multiplier-1 kernel; not inlined, so that its stack frame is not added to the convolution's when one
 * input channel runs as a convolution. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int nq_depthwise_dsp(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                            const int32_t *multipliers, const int32_t *shifts, int8_t *output)
{
    const int32_t batches = p[NQ_CONV_BATCHES];
    const int32_t in_height = p[NQ_CONV_INPUT_HEIGHT];
    const int32_t in_width = p[NQ_CONV_INPUT_WIDTH];
    const int32_t depth = p[NQ_CONV_INPUT_DEPTH];
    const int32_t out_height = p[NQ_CONV_OUTPUT_HEIGHT];
    const int32_t out_width = p[NQ_CONV_OUTPUT_WIDTH];
    const int32_t kernel_height = p[NQ_CONV_KERNEL_HEIGHT];
    const int32_t kernel_width = p[NQ_CONV_KERNEL_WIDTH];
    const int32_t stride_height = p[NQ_CONV_STRIDE_HEIGHT];
    const int32_t stride_width = p[NQ_CONV_STRIDE_WIDTH];
    const int32_t dilation_height = p[NQ_CONV_DILATION_HEIGHT];
    const int32_t dilation_width = p[NQ_CONV_DILATION_WIDTH];
    const int32_t pad_top = p[NQ_CONV_PAD_TOP];
    const int32_t pad_left = p[NQ_CONV_PAD_LEFT];
    const int32_t offset = p[NQ_CONV_INPUT_OFFSET];
    const int32_t output_offset = p[NQ_CONV_OUTPUT_OFFSET];
    const int32_t act_min = p[NQ_CONV_ACTIVATION_MIN];
    const int32_t act_max = p[NQ_CONV_ACTIVATION_MAX];
    const int32_t taps = kernel_height * kernel_width;
    const uint32_t offset2 = ((uint32_t)offset & 0xFFFFu) | ((uint32_t)offset << 16);
    const int32_t row_step = dilation_height * in_width * depth;
    const int32_t column_step = dilation_width * depth;
    uint64_t packed[NQ_DSP_DEPTHWISE_TAPS_MAX];
    int32_t sums[NQ_DSP_DEPTHWISE_CHUNK][4];
    int32_t c;
    int32_t fast_left;
    if (p[NQ_CONV_FILTER_DEPTH] != 1 || taps > NQ_DSP_DEPTHWISE_TAPS_MAX)
    {
        return 0;
    }

    fast_left = nq_dsp_fast_left(nq_dsp_max_abs(bias, depth) + ((int64_t)taps * 255 * 128));
    for (c = 0; c < depth; c += 4)
    {
        const int32_t width = depth - c < 4 ? depth - c : 4;
        nq_dsp_quant q[4];
        int32_t b;
        int32_t t;
        int32_t j;
        for (j = 0; j < width; j++)
        {
            nq_dsp_quant_init(&q[j], multipliers[c + j], shifts[c + j]);
            nq_dsp_quant_fast(&q[j], fast_left);
        }

        if (width == 4)
        {
            const int8_t *w0 = filter + (c * taps);
            for (t = 0; t < taps; t++)
            {
                const uint32_t lo = ((uint32_t)(int32_t)w0[t] & 0xFFFFu) | ((uint32_t)(int32_t)w0[t + (2 * taps)] << 16);
                const uint32_t hi = ((uint32_t)(int32_t)w0[t + taps] & 0xFFFFu) | ((uint32_t)(int32_t)w0[t + (3 * taps)] << 16);
                packed[t] = (uint64_t)lo | ((uint64_t)hi << 32);
            }
        }

        for (b = 0; b < batches; b++)
        {
            const int8_t *image = input + (b * in_height * in_width * depth) + c;
            int8_t *out_image = output + (b * out_height * out_width * depth) + c;
            int32_t oy;
            for (oy = 0; oy < out_height; oy++)
            {
                const int32_t in_y = (oy * stride_height) - pad_top;
                const int32_t ky_first = nq_first_tap(in_y, dilation_height, kernel_height);
                const int32_t ky_end = nq_end_tap(in_y, dilation_height, kernel_height, in_height);
                int32_t chunk;
                for (chunk = 0; chunk < out_width; chunk += NQ_DSP_DEPTHWISE_CHUNK)
                {
                    const int32_t count = out_width - chunk < NQ_DSP_DEPTHWISE_CHUNK ? out_width - chunk : NQ_DSP_DEPTHWISE_CHUNK;
                    int8_t *out = out_image + (((oy * out_width) + chunk) * depth);
                    int32_t i;
                    for (i = 0; i < count; i++)
                    {
                        const int32_t in_x = ((chunk + i) * stride_width) - pad_left;
                        const int32_t kx_first = nq_first_tap(in_x, dilation_width, kernel_width);
                        const int32_t kx_end = nq_end_tap(in_x, dilation_width, kernel_width, in_width);
                        const int32_t columns = kx_end - kx_first;
                        const int8_t *row = image + (((in_y + (ky_first * dilation_height)) * in_width) + in_x + (kx_first * dilation_width)) * depth;
                        const int interior3 = kernel_height == 3 && kernel_width == 3 && ky_end - ky_first == 3 && columns == 3;
                        int32_t ky;
                        int32_t kx;
                        if (width == 4)
                        {
                            int32_t s0 = bias[c];
                            int32_t s1 = bias[c + 1];
                            int32_t s2 = bias[c + 2];
                            int32_t s3 = bias[c + 3];
#if defined(__GNUC__)
                            if (interior3)
                            {
                                /* kernel 3 × 3 wholly inside the input: 9 taps, straight line */
                                NQ_DSP_DEPTHWISE_ROW3(row, packed);
                                NQ_DSP_DEPTHWISE_ROW3(row + row_step, packed + 3);
                                NQ_DSP_DEPTHWISE_ROW3(row + (2 * row_step), packed + 6);
                            }
                            else
#endif
                            for (ky = ky_first; ky < ky_end; ky++, row += row_step)
                            {
                                const uint64_t *w = packed + (ky * kernel_width) + kx_first;
                                const int8_t *x = row;
                                if (columns == 3)
                                {
#if defined(__GNUC__)
                                    NQ_DSP_DEPTHWISE_ROW3(x, w);
#else
                                    NQ_DSP_DEPTHWISE_TAP(x, w[0]);
                                    NQ_DSP_DEPTHWISE_TAP(x + column_step, w[1]);
                                    NQ_DSP_DEPTHWISE_TAP(x + (2 * column_step), w[2]);
#endif
                                }
                                else
                                {
                                    for (kx = 0; kx < columns; kx++, x += column_step)
                                    {
                                        NQ_DSP_DEPTHWISE_TAP(x, w[kx]);
                                    }
                                }
                            }

                            sums[i][0] = s0;
                            sums[i][1] = s1;
                            sums[i][2] = s2;
                            sums[i][3] = s3;
                        }
                        else
                        {
                            for (j = 0; j < width; j++)
                            {
                                const int8_t *wj = filter + ((c + j) * taps);
                                const int8_t *r = row + j;
                                uint32_t s = (uint32_t)bias[c + j];
                                for (ky = ky_first; ky < ky_end; ky++, r += row_step)
                                {
                                    const int8_t *x = r;
                                    for (kx = 0; kx < columns; kx++, x += column_step)
                                    {
                                        s += (uint32_t)((x[0] + offset) * wj[(ky * kernel_width) + kx_first + kx]);
                                    }
                                }

                                sums[i][j] = (int32_t)s;
                            }
                        }
                    }

                    /* Requantization channel by channel: the channel's constants stay in registers. */
                    for (j = 0; j < width; j++)
                    {
                        const nq_dsp_quant qj = q[j];
                        int8_t *o = out + j;
                        if (qj.fast && act_min == -128 && act_max == 127)
                        {
                            for (i = 0; i < count; i++, o += depth)
                            {
                                *o = (int8_t)__ssat(nq_dsp_scale_fast(&qj, sums[i][j]) + output_offset, 8);
                            }
                        }
                        else if (qj.fast)
                        {
                            for (i = 0; i < count; i++, o += depth)
                            {
                                *o = nq_clamp(nq_dsp_scale_fast(&qj, sums[i][j]) + output_offset, act_min, act_max);
                            }
                        }
                        else
                        {
                            for (i = 0; i < count; i++, o += depth)
                            {
                                *o = nq_dsp_requantize(&qj, sums[i][j], output_offset, act_min, act_max);
                            }
                        }
                    }
                }
            }
        }
    }

    return 1;
}
/* One tap of the row kernel: widened inputs and packed weights of 4 channels, 4 SMLAxy. */
#define NQ_DSP_ROW_TAP(v_, pair_) \
    do \
    { \
        const uint64_t v = (v_); \
        const uint64_t pair = (pair_); \
        s0 = __smlabb((int32_t)(uint32_t)v, (int32_t)(uint32_t)pair, s0); \
        s2 = __smlatt((int32_t)(uint32_t)v, (int32_t)(uint32_t)pair, s2); \
        s1 = __smlabb((int32_t)(uint32_t)(v >> 32), (int32_t)(uint32_t)(pair >> 32), s1); \
        s3 = __smlatt((int32_t)(uint32_t)(v >> 32), (int32_t)(uint32_t)(pair >> 32), s3); \
    } while (0)

/* Row-buffer entries (8 bytes each: 4 channels' inputs as int16 pairs) the row kernel keeps on the stack:
 * kernel height × (the input columns a row of outputs reads). */
#define NQ_DSP_DEPTHWISE_ROW_ENTRIES 384

/*
 * Multiplier 1, depth a multiple of 4: per block of 4 channels and output row, the kernel-height input rows
 * are widened once (input offset added, SXTAB16's pair order, zeros outside the input: the padding), then
 * each tap of each output pixel is one LDRD of the inputs, one LDRD of the packed weights and 4 SMLAxy.
 */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int nq_depthwise_rows_dsp(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                                 const int32_t *multipliers, const int32_t *shifts, int8_t *output)
{
    const int32_t batches = p[NQ_CONV_BATCHES];
    const int32_t in_height = p[NQ_CONV_INPUT_HEIGHT];
    const int32_t in_width = p[NQ_CONV_INPUT_WIDTH];
    const int32_t depth = p[NQ_CONV_INPUT_DEPTH];
    const int32_t out_height = p[NQ_CONV_OUTPUT_HEIGHT];
    const int32_t out_width = p[NQ_CONV_OUTPUT_WIDTH];
    const int32_t kernel_height = p[NQ_CONV_KERNEL_HEIGHT];
    const int32_t kernel_width = p[NQ_CONV_KERNEL_WIDTH];
    const int32_t stride_height = p[NQ_CONV_STRIDE_HEIGHT];
    const int32_t stride_width = p[NQ_CONV_STRIDE_WIDTH];
    const int32_t dilation_height = p[NQ_CONV_DILATION_HEIGHT];
    const int32_t dilation_width = p[NQ_CONV_DILATION_WIDTH];
    const int32_t pad_top = p[NQ_CONV_PAD_TOP];
    const int32_t pad_left = p[NQ_CONV_PAD_LEFT];
    const int32_t offset = p[NQ_CONV_INPUT_OFFSET];
    const int32_t output_offset = p[NQ_CONV_OUTPUT_OFFSET];
    const int32_t act_min = p[NQ_CONV_ACTIVATION_MIN];
    const int32_t act_max = p[NQ_CONV_ACTIVATION_MAX];
    const int32_t taps = kernel_height * kernel_width;
    const uint32_t offset2 = ((uint32_t)offset & 0xFFFFu) | ((uint32_t)offset << 16);
    /* Input columns (padded coordinates x + pad_left) one row of outputs reads. */
    const int64_t span64 = ((int64_t)(out_width - 1) * stride_width) + ((int64_t)(kernel_width - 1) * dilation_width) + 1;
    const int32_t span = (int32_t)span64;
    const int full_range = act_min == -128 && act_max == 127;
    const int three = kernel_height == 3 && kernel_width == 3 && dilation_width == 1;
    uint64_t rows[NQ_DSP_DEPTHWISE_ROW_ENTRIES];
    uint64_t packed[NQ_DSP_DEPTHWISE_TAPS_MAX];
    const uint64_t *line[NQ_DSP_DEPTHWISE_TAPS_MAX];
    int32_t slot_y[NQ_DSP_DEPTHWISE_TAPS_MAX];
    int32_t sums[NQ_DSP_DEPTHWISE_CHUNK][4];
    int32_t fast_left;
    int32_t c;
    if ((depth & 3) != 0 || span64 * kernel_height > NQ_DSP_DEPTHWISE_ROW_ENTRIES)
    {
        return 0;
    }

    fast_left = nq_dsp_fast_left(nq_dsp_max_abs(bias, depth) + ((int64_t)taps * 255 * 128));
    for (c = 0; c < depth; c += 4)
    {
        nq_dsp_quant q[4];
        int32_t b;
        int32_t t;
        int32_t j;
        for (j = 0; j < 4; j++)
        {
            nq_dsp_quant_init(&q[j], multipliers[c + j], shifts[c + j]);
            nq_dsp_quant_fast(&q[j], fast_left);
        }

        {
            const int8_t *w0 = filter + (c * taps);
            for (t = 0; t < taps; t++)
            {
                const uint32_t lo = ((uint32_t)(int32_t)w0[t] & 0xFFFFu) | ((uint32_t)(int32_t)w0[t + (2 * taps)] << 16);
                const uint32_t hi = ((uint32_t)(int32_t)w0[t + taps] & 0xFFFFu) | ((uint32_t)(int32_t)w0[t + (3 * taps)] << 16);
                packed[t] = (uint64_t)lo | ((uint64_t)hi << 32);
            }
        }

        for (b = 0; b < batches; b++)
        {
            const int8_t *image = input + (b * in_height * in_width * depth) + c;
            int8_t *out_image = output + (b * out_height * out_width * depth) + c;
            int32_t oy;
            for (t = 0; t < kernel_height; t++)
            {
                slot_y[t] = INT32_MIN;
            }

            for (oy = 0; oy < out_height; oy++)
            {
                const int32_t in_y = (oy * stride_height) - pad_top;
                int32_t ky;
                int32_t chunk;
                /* The kernel-height input rows, widened, zeros outside the input; a row already in its slot
                 * (slot y mod kernel height) from an earlier output row is kept. */
                for (ky = 0; ky < kernel_height; ky++)
                {
                    const int32_t y = in_y + (ky * dilation_height);
                    /* rows y + k × dilation fall in distinct slots mod kernel height only when the two are
                     * coprime: the cache is kept for dilation 1, other dilations rebuild every row */
                    const int32_t slot = dilation_height == 1 ? ((y % kernel_height) + kernel_height) % kernel_height : ky;
                    uint64_t *row = rows + (slot * span);
                    int32_t xp;
                    line[ky] = row;
                    if (dilation_height == 1 && slot_y[slot] == y)
                    {
                        continue;
                    }

                    slot_y[slot] = y;
                    if (y < 0 || y >= in_height)
                    {
                        for (xp = 0; xp < span; xp++)
                        {
                            row[xp] = 0;
                        }
                    }
                    else
                    {
                        const int8_t *src = image + (y * in_width * depth);
                        for (xp = 0; xp < span; xp++)
                        {
                            const int32_t x = xp - pad_left;
                            if (x < 0 || x >= in_width)
                            {
                                row[xp] = 0;
                            }
                            else
                            {
                                uint32_t v;
                                memcpy(&v, src + (x * depth), 4);
                                row[xp] = (uint64_t)(uint32_t)__sxtab16((int16x2_t)offset2, (int8x4_t)v)
                                    | ((uint64_t)NQ_DSP_SXTAB16_ROR8(offset2, v) << 32);
                            }
                        }
                    }
                }

                for (chunk = 0; chunk < out_width; chunk += NQ_DSP_DEPTHWISE_CHUNK)
                {
                    const int32_t count = out_width - chunk < NQ_DSP_DEPTHWISE_CHUNK ? out_width - chunk : NQ_DSP_DEPTHWISE_CHUNK;
                    int8_t *out = out_image + (((oy * out_width) + chunk) * depth);
                    int32_t i;
                    for (i = 0; i < count; i++)
                    {
                        const int32_t at = (chunk + i) * stride_width;
                        const uint64_t *w = packed;
                        int32_t s0 = bias[c];
                        int32_t s1 = bias[c + 1];
                        int32_t s2 = bias[c + 2];
                        int32_t s3 = bias[c + 3];
                        if (three)
                        {
                            /* 3 × 3, dilation 1: 9 taps straight-line, the weights at fixed stack offsets. */
                            const uint64_t *x0 = line[0] + at;
                            const uint64_t *x1 = line[1] + at;
                            const uint64_t *x2 = line[2] + at;
                            NQ_DSP_ROW_TAP(x0[0], packed[0]);
                            NQ_DSP_ROW_TAP(x0[1], packed[1]);
                            NQ_DSP_ROW_TAP(x0[2], packed[2]);
                            NQ_DSP_ROW_TAP(x1[0], packed[3]);
                            NQ_DSP_ROW_TAP(x1[1], packed[4]);
                            NQ_DSP_ROW_TAP(x1[2], packed[5]);
                            NQ_DSP_ROW_TAP(x2[0], packed[6]);
                            NQ_DSP_ROW_TAP(x2[1], packed[7]);
                            NQ_DSP_ROW_TAP(x2[2], packed[8]);
                        }
                        else
                        for (ky = 0; ky < kernel_height; ky++)
                        {
                            const uint64_t *x = line[ky] + at;
                            int32_t kx;
                            for (kx = 0; kx < kernel_width; kx++)
                            {
                                const uint64_t v = x[kx * dilation_width];
                                const uint64_t pair = *w++;
                                s0 = __smlabb((int32_t)(uint32_t)v, (int32_t)(uint32_t)pair, s0);
                                s2 = __smlatt((int32_t)(uint32_t)v, (int32_t)(uint32_t)pair, s2);
                                s1 = __smlabb((int32_t)(uint32_t)(v >> 32), (int32_t)(uint32_t)(pair >> 32), s1);
                                s3 = __smlatt((int32_t)(uint32_t)(v >> 32), (int32_t)(uint32_t)(pair >> 32), s3);
                            }
                        }

                        sums[i][0] = s0;
                        sums[i][1] = s1;
                        sums[i][2] = s2;
                        sums[i][3] = s3;
                    }

                    for (j = 0; j < 4; j++)
                    {
                        const nq_dsp_quant qj = q[j];
                        int8_t *o = out + j;
                        if (qj.fast && full_range)
                        {
                            for (i = 0; i < count; i++, o += depth)
                            {
                                *o = (int8_t)__ssat(nq_dsp_scale_fast(&qj, sums[i][j]) + output_offset, 8);
                            }
                        }
                        else
                        {
                            for (i = 0; i < count; i++, o += depth)
                            {
                                *o = nq_dsp_requantize(&qj, sums[i][j], output_offset, act_min, act_max);
                            }
                        }
                    }
                }
            }
        }
    }

    return 1;
}

/*
 * One input channel, multiplier M ≤ 32, ≤ 16 taps (person_detect's first layer: 3 × 3, M = 8): per output
 * pixel the taps' inputs are gathered once as int16 pairs (offset added, zeros outside), then each channel is
 * (taps + 1) / 2 SMLADs against its weights, packed once per call.
 */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int nq_depthwise_single_dsp(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                                   const int32_t *multipliers, const int32_t *shifts, int8_t *output)
{
    const int32_t batches = p[NQ_CONV_BATCHES];
    const int32_t in_height = p[NQ_CONV_INPUT_HEIGHT];
    const int32_t in_width = p[NQ_CONV_INPUT_WIDTH];
    const int32_t out_height = p[NQ_CONV_OUTPUT_HEIGHT];
    const int32_t out_width = p[NQ_CONV_OUTPUT_WIDTH];
    const int32_t channels = p[NQ_CONV_OUTPUT_DEPTH];
    const int32_t kernel_height = p[NQ_CONV_KERNEL_HEIGHT];
    const int32_t kernel_width = p[NQ_CONV_KERNEL_WIDTH];
    const int32_t stride_height = p[NQ_CONV_STRIDE_HEIGHT];
    const int32_t stride_width = p[NQ_CONV_STRIDE_WIDTH];
    const int32_t dilation_height = p[NQ_CONV_DILATION_HEIGHT];
    const int32_t dilation_width = p[NQ_CONV_DILATION_WIDTH];
    const int32_t pad_top = p[NQ_CONV_PAD_TOP];
    const int32_t pad_left = p[NQ_CONV_PAD_LEFT];
    const int32_t offset = p[NQ_CONV_INPUT_OFFSET];
    const int32_t output_offset = p[NQ_CONV_OUTPUT_OFFSET];
    const int32_t act_min = p[NQ_CONV_ACTIVATION_MIN];
    const int32_t act_max = p[NQ_CONV_ACTIVATION_MAX];
    const int32_t taps = kernel_height * kernel_width;
    const int32_t pairs = (taps + 1) >> 1;
    uint32_t weights[32 * 8];
    int32_t multiplier[32];
    int32_t right[32];
    int32_t round[32];
    union
    {
        uint32_t words[8];
        int16_t values[16];
    } x;
    int32_t fast_left;
    int32_t c;
    int32_t b;
    if (channels > 32 || taps > 16)
    {
        return 0;
    }

    fast_left = nq_dsp_fast_left(nq_dsp_max_abs(bias, channels) + ((int64_t)taps * 255 * 128));
    for (c = 0; c < channels; c++)
    {
        const int8_t *w = filter + (c * taps);
        int32_t k;
        for (k = 0; k < pairs; k++)
        {
            const int32_t second = (2 * k) + 1 < taps ? w[(2 * k) + 1] : 0;
            weights[(c * pairs) + k] = ((uint32_t)(int32_t)w[2 * k] & 0xFFFFu) | ((uint32_t)second << 16);
        }

        /* right 0 marks a channel for the generic requantization */
        multiplier[c] = multipliers[c];
        right[c] = fast_left >= 0 && shifts[c] < 0 && multipliers[c] != INT32_MIN ? -shifts[c] : 0;
        round[c] = right[c] > 0 ? (int32_t)(1u << (right[c] - 1)) : 0;
    }

    x.values[taps] = 0; /* an odd last pair's second value */
    for (b = 0; b < batches; b++)
    {
        const int8_t *image = input + (b * in_height * in_width);
        int8_t *out = output + (b * out_height * out_width * channels);
        int32_t oy;
        for (oy = 0; oy < out_height; oy++)
        {
            const int32_t in_y = (oy * stride_height) - pad_top;
            int32_t ox;
            for (ox = 0; ox < out_width; ox++, out += channels)
            {
                const int32_t in_x = (ox * stride_width) - pad_left;
                int32_t ky;
                int32_t t = 0;
                for (ky = 0; ky < kernel_height; ky++)
                {
                    const int32_t y = in_y + (ky * dilation_height);
                    int32_t kx;
                    for (kx = 0; kx < kernel_width; kx++, t++)
                    {
                        const int32_t xx = in_x + (kx * dilation_width);
                        x.values[t] = (int16_t)(y >= 0 && y < in_height && xx >= 0 && xx < in_width ? image[(y * in_width) + xx] + offset : 0);
                    }
                }

                for (c = 0; c < channels; c++)
                {
                    const uint32_t *w = weights + (c * pairs);
                    int32_t s = bias[c];
                    int32_t k;
                    for (k = 0; k < pairs; k++)
                    {
                        s = __smlad((int16x2_t)w[k], (int16x2_t)x.words[k], s);
                    }

                    if (right[c] > 0)
                    {
                        out[c] = nq_clamp(nq_dsp_scale_right(s, multiplier[c], right[c], round[c]) + output_offset, act_min, act_max);
                    }
                    else
                    {
                        nq_dsp_quant q;
                        nq_dsp_quant_init(&q, multipliers[c], shifts[c]);
                        nq_dsp_quant_fast(&q, fast_left);
                        out[c] = nq_dsp_requantize(&q, s, output_offset, act_min, act_max);
                    }
                }
            }
        }
    }

    return 1;
}

static inline uint32_t nq_load_word(const int8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Channels g .. g + 3 of two columns, widened (SXTAB16: (g, g + 2), its ROR 8 form: (g + 1, g + 3)), into the
 * four channels' pair words at d[0], d[half], d[2 half], d[3 half]. */
static inline void nq_dsp_pack_pairs(uint32_t *d, int32_t half, uint32_t e0, uint32_t o0, uint32_t e1, uint32_t o1)
{
#if defined(__GNUC__)
    uint32_t r;
    __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(e0), "r"(e1));
    d[0] = r;
    __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(o0), "r"(o1));
    d[half] = r;
    __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(r) : "r"(e1), "r"(e0));
    d[2 * half] = r;
    __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(r) : "r"(o1), "r"(o0));
    d[3 * half] = r;
#else
    d[0] = (e0 & 0xFFFFu) | (e1 << 16);
    d[half] = (o0 & 0xFFFFu) | (o1 << 16);
    d[2 * half] = (e0 >> 16) | (e1 & 0xFFFF0000u);
    d[3 * half] = (o0 >> 16) | (o1 & 0xFFFF0000u);
#endif
}

/* Two columns inside the input (4 channels each, as loaded) into pair words. */
static inline void nq_dsp_pair_words(uint32_t *d, int32_t half, uint32_t v0, uint32_t v1, uint32_t offset2)
{
    nq_dsp_pack_pairs(d, half, (uint32_t)__sxtab16((int16x2_t)offset2, (int8x4_t)v0), NQ_DSP_SXTAB16_ROR8(offset2, v0),
                      (uint32_t)__sxtab16((int16x2_t)offset2, (int8x4_t)v1), NQ_DSP_SXTAB16_ROR8(offset2, v1));
}

/* One input line of 4 channels as pair words: word k of channel j (d[j × half + k]) = (x[2k − pad] + offset,
 * x[2k + 1 − pad] + offset) for k < words, zeros for columns outside [0, length); column i is at src + i × step. */
static inline void nq_dsp_widen_line(uint32_t *d, int32_t half, const int8_t *src, int32_t step, int32_t words, int32_t pad,
                                     int32_t length, uint32_t offset2)
{
    /* words k whose two columns 2k − pad, 2k + 1 − pad are both inside the input */
    const int32_t inside_first = (pad + 1) / 2;
    const int32_t inside_end = (length + pad) / 2 < words ? (length + pad) / 2 : words;
    int32_t k = 0;
    while (k < words)
    {
        if (k >= inside_first && k < inside_end)
        {
            /* both columns inside the input: no bounds, PKHBT/PKHTB */
            const int8_t *x = src + (((2 * k) - pad) * step);
            for (; k < inside_end; k++, x += 2 * step)
            {
                nq_dsp_pair_words(d + k, half, nq_load_word(x), nq_load_word(x + step), offset2);
            }

            continue;
        }

        {
            const int32_t x0 = (2 * k) - pad;
            const int32_t x1 = x0 + 1;
            uint32_t e0 = 0;
            uint32_t o0 = 0;
            uint32_t e1 = 0;
            uint32_t o1 = 0;
            if (x0 >= 0 && x0 < length)
            {
                const uint32_t v = nq_load_word(src + (x0 * step));
                e0 = (uint32_t)__sxtab16((int16x2_t)offset2, (int8x4_t)v);
                o0 = NQ_DSP_SXTAB16_ROR8(offset2, v);
            }

            if (x1 >= 0 && x1 < length)
            {
                const uint32_t v = nq_load_word(src + (x1 * step));
                e1 = (uint32_t)__sxtab16((int16x2_t)offset2, (int8x4_t)v);
                o1 = NQ_DSP_SXTAB16_ROR8(offset2, v);
            }

            nq_dsp_pack_pairs(d + k, half, e0, o0, e1, o1);
            k++;
        }
    }
}

/* The inside columns only of nq_dsp_widen_line (the words holding padding already hold its zeros): an odd pad's first
 * column alone (top halves), then pairs, then an odd last column alone (bottom halves). */
static inline void nq_dsp_widen_inside(uint32_t *d, int32_t half, const int8_t *src, int32_t step, int32_t pad, int32_t length,
                                       uint32_t offset2)
{
    int32_t x = pad & 1;
    uint32_t *w = d + ((x + pad) >> 1);
    const int8_t *at = src + (x * step);
    if (x == 1)
    {
        const uint32_t v = nq_load_word(src);
        nq_dsp_pack_pairs(w - 1, half, 0, 0, (uint32_t)__sxtab16((int16x2_t)offset2, (int8x4_t)v), NQ_DSP_SXTAB16_ROR8(offset2, v));
    }

    for (; x + 1 < length; x += 2, w++, at += 2 * step)
    {
        nq_dsp_pair_words(w, half, nq_load_word(at), nq_load_word(at + step), offset2);
    }

    if (x < length)
    {
        const uint32_t v = nq_load_word(at);
        nq_dsp_pack_pairs(w, half, (uint32_t)__sxtab16((int16x2_t)offset2, (int8x4_t)v), NQ_DSP_SXTAB16_ROR8(offset2, v), 0, 0);
    }
}

/*
 * One output channel of a 3 × 3 filter for SMLAD on pair words: per filter line a (its taps t0, t1, t2 along the
 * paired direction: the filter's width, or its height when transposed) A = (t0, t1) at weights[2a] and B = (t1, t2) at
 * weights[2a + 1]; weights and bias prescaled (nq_dsp_prescale, whose value is returned; 0: unscaled, the channel takes
 * nq_dsp_requantize).
 */
static inline int32_t nq_dsp_pack_3x3(const int8_t *w, int32_t bias, int32_t multiplier, int32_t shift, int transposed,
                                      uint32_t *weights, int32_t *start)
{
    const int64_t reach = (int64_t)9 * 255 * 128; /* the largest Σ |(x + offset) × w| of 9 taps */
    uint32_t factor;
    const int32_t scale = nq_dsp_prescale_channel(bias, reach, multiplier, shift, &factor, start);
    const int32_t along = transposed ? 3 : 1;
    const int32_t across = transposed ? 1 : 3;
    int32_t a;
    for (a = 0; a < 3; a++)
    {
        const int8_t *t = w + (a * across);
        const uint32_t w0 = (uint32_t)(int32_t)t[0] * factor;
        const uint32_t w1 = (uint32_t)(int32_t)t[along] * factor;
        const uint32_t w2 = (uint32_t)(int32_t)t[2 * along] * factor;
        weights[2 * a] = (w0 & 0xFFFFu) | (w1 << 16);
        weights[(2 * a) + 1] = (w1 & 0xFFFFu) | (w2 << 16);
    }

    return scale;
}

/* Words of the pair rows the 3 × 3 kernel keeps on the stack (3 rows × channels of a block × pairs per row). */
#define NQ_DSP_DEPTHWISE_PAIR_WORDS 768

/* Channels of a block of the 3 × 3 kernel (a multiple of 4) and outputs summed before they are requantized. */
#define NQ_DSP_DEPTHWISE_BLOCK 32
#define NQ_DSP_DEPTHWISE_RUN 32

/*
 * 3 × 3, dilation 1, stride width 1 or 2, input depth a multiple of 4 or 1, any depth multiplier up to a block
 * (person_detect's first layer: 1 → 8 channels): one output channel at a time with SMLAD on two horizontally
 * adjacent taps. Per block of channels and output row the three input rows are
 * widened once into pair rows (a row already widened for the output row before is kept) — per channel,
 * word k = (x[2k] + offset, x[2k + 1] + offset) over the padded columns, zeros outside the input
 * (PKHBT/PKHTB of two SXTAB16 words) — and each filter row into A = (w0, w1), B = (w1, w2). A filter row on
 * the pair words P0 = (x0, x1), P1 = (x2, x3):
 *   stride 1, outputs at x0 and x1:  SMLAD(P0, A) + SMLABT(P1, B)   and   SMLATB(P0, A) + SMLAD(P1, B)
 *   stride 2, output at x0:          SMLAD(P0, A) + SMLABT(P1, B)
 * 2 instructions per 3 multiply-accumulates, against 1 per MAC four channels at a time. Weights and bias
 * are prescaled at packing (nq_dsp_prescale) so that the requantization is one SMMLAR and at most two
 * more instructions.
 */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int nq_depthwise_3x3_dsp(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                                const int32_t *multipliers, const int32_t *shifts, int8_t *output)
{
    const int32_t batches = p[NQ_CONV_BATCHES];
    const int32_t in_height = p[NQ_CONV_INPUT_HEIGHT];
    const int32_t in_width = p[NQ_CONV_INPUT_WIDTH];
    const int32_t depth = p[NQ_CONV_INPUT_DEPTH];
    const int32_t multiplier = p[NQ_CONV_FILTER_DEPTH];
    const int32_t out_depth = p[NQ_CONV_OUTPUT_DEPTH];
    const int32_t out_height = p[NQ_CONV_OUTPUT_HEIGHT];
    const int32_t out_width = p[NQ_CONV_OUTPUT_WIDTH];
    const int32_t stride_height = p[NQ_CONV_STRIDE_HEIGHT];
    const int32_t stride_width = p[NQ_CONV_STRIDE_WIDTH];
    const int32_t pad_top = p[NQ_CONV_PAD_TOP];
    const int32_t pad_left = p[NQ_CONV_PAD_LEFT];
    const int32_t offset = p[NQ_CONV_INPUT_OFFSET];
    const int32_t output_offset = p[NQ_CONV_OUTPUT_OFFSET];
    const int32_t act_min = p[NQ_CONV_ACTIVATION_MIN];
    const int32_t act_max = p[NQ_CONV_ACTIVATION_MAX];
    const uint32_t offset2 = ((uint32_t)offset & 0xFFFFu) | ((uint32_t)offset << 16);
    /* Pair words per channel row: the padded columns the outputs read, rounded up to pairs. */
    const int32_t half = stride_width == 1 ? (out_width + 3) / 2 : out_width + 1;
    uint32_t pairs[NQ_DSP_DEPTHWISE_PAIR_WORDS];
    uint32_t weights[NQ_DSP_DEPTHWISE_BLOCK][6];
    int32_t start[NQ_DSP_DEPTHWISE_BLOCK];
    int32_t scale[NQ_DSP_DEPTHWISE_BLOCK];
    int32_t round_offset[NQ_DSP_DEPTHWISE_BLOCK];
    int32_t sums[NQ_DSP_DEPTHWISE_RUN];
    int32_t slot_y[3];
    int32_t block;
    int32_t c0;
    /* Input channels per block: a multiple of 4 (loaded 4 at a time) unless the input has one channel. */
    const int32_t unit = depth == 1 ? 1 : 4;
    if (p[NQ_CONV_KERNEL_HEIGHT] != 3 || p[NQ_CONV_KERNEL_WIDTH] != 3 || multiplier < 1 || multiplier > NQ_DSP_DEPTHWISE_BLOCK / unit
        || p[NQ_CONV_DILATION_HEIGHT] != 1 || p[NQ_CONV_DILATION_WIDTH] != 1 || (stride_width != 1 && stride_width != 2)
        || (depth != 1 && (depth & 3) != 0) || (int64_t)half * 3 * unit > NQ_DSP_DEPTHWISE_PAIR_WORDS)
    {
        return 0;
    }

    block = (NQ_DSP_DEPTHWISE_PAIR_WORDS / (3 * half)) / unit * unit;
    block = block * multiplier > NQ_DSP_DEPTHWISE_BLOCK ? NQ_DSP_DEPTHWISE_BLOCK / multiplier / unit * unit : block;
    for (c0 = 0; c0 < depth; c0 += block)
    {
        const int32_t width = depth - c0 < block ? depth - c0 : block;
        /* the block's output channels: from c0 × multiplier on; output channel j reads input channel j / multiplier */
        const int32_t outs = width * multiplier;
        const int32_t first = c0 * multiplier;
        int32_t b;
        int32_t j;
        for (j = 0; j < outs; j++)
        {
            /* the bound per channel: a few dead channels of huge bias leave the others fast */
            scale[j] = nq_dsp_pack_3x3(filter + ((first + j) * 9), bias[first + j], multipliers[first + j], shifts[first + j], 0,
                                       weights[j], &start[j]);
            round_offset[j] = nq_dsp_round_offset(shifts[first + j], output_offset);
        }

        for (b = 0; b < batches; b++)
        {
            const int8_t *image = input + (b * in_height * in_width * depth) + c0;
            int8_t *out_image = output + (b * out_height * out_width * out_depth) + first;
            int32_t oy;
            slot_y[0] = INT32_MIN;
            slot_y[1] = INT32_MIN;
            slot_y[2] = INT32_MIN;
            for (oy = 0; oy < out_height; oy++)
            {
                const int32_t in_y = (oy * stride_height) - pad_top;
                const uint32_t *line[3];
                int32_t ky;
                int32_t run;
                /* The three input rows as pair rows, in slot y mod 3; a row already there is kept. */
                for (ky = 0; ky < 3; ky++)
                {
                    const int32_t y = in_y + ky;
                    const int32_t slot = ((y % 3) + 3) % 3;
                    uint32_t *row = pairs + (slot * width * half);
                    int32_t g;
                    line[ky] = row;
                    if (slot_y[slot] == y)
                    {
                        continue;
                    }

                    slot_y[slot] = y;
                    if (y < 0 || y >= in_height)
                    {
                        memset(row, 0, (size_t)(width * half) * sizeof row[0]);
                        continue;
                    }

                    if (depth == 1)
                    {
                        /* one input channel: word k = (x[2k] + offset, x[2k + 1] + offset) */
                        const int8_t *src = image + (y * in_width);
                        int32_t k;
                        for (k = 0; k < half; k++)
                        {
                            const int32_t x0 = (2 * k) - pad_left;
                            const uint32_t v0 = x0 >= 0 && x0 < in_width ? (uint32_t)(src[x0] + offset) : 0u;
                            const uint32_t v1 = x0 + 1 >= 0 && x0 + 1 < in_width ? (uint32_t)(src[x0 + 1] + offset) : 0u;
                            row[k] = (v0 & 0xFFFFu) | (v1 << 16);
                        }

                        continue;
                    }

                    for (g = 0; g < width; g += 4)
                    {
                        nq_dsp_widen_line(row + (g * half), half, image + (y * in_width * depth) + g, depth, half, pad_left, in_width,
                                          offset2);
                    }
                }

                for (run = 0; run < out_width; run += NQ_DSP_DEPTHWISE_RUN)
                {
                    const int32_t count = out_width - run < NQ_DSP_DEPTHWISE_RUN ? out_width - run : NQ_DSP_DEPTHWISE_RUN;
                    int8_t *out = out_image + (((oy * out_width) + run) * out_depth);
                    for (j = 0; j < outs; j++)
                    {
                        const uint32_t a0 = weights[j][0];
                        const uint32_t b0 = weights[j][1];
                        const uint32_t a1 = weights[j][2];
                        const uint32_t b1 = weights[j][3];
                        const uint32_t a2 = weights[j][4];
                        const uint32_t b2 = weights[j][5];
                        const int32_t s = start[j];
                        const int32_t source = multiplier == 1 ? j : j / multiplier;
                        int32_t i;
                        if (stride_width == 1)
                        {
                            /* run is even: outputs run + i and run + i + 1 read pair words (run + i) / 2 and the next */
                            const uint32_t *r0 = line[0] + (source * half) + (run >> 1);
                            const uint32_t *r1 = line[1] + (source * half) + (run >> 1);
                            const uint32_t *r2 = line[2] + (source * half) + (run >> 1);
                            for (i = 0; i < count; i += 2, r0++, r1++, r2++)
                            {
                                int32_t s0 = __smlad((int16x2_t)r0[0], (int16x2_t)a0, s);
                                int32_t s1 = __smlatb((int32_t)r0[0], (int32_t)a0, s);
                                s0 = __smlabt((int32_t)r0[1], (int32_t)b0, s0);
                                s1 = __smlad((int16x2_t)r0[1], (int16x2_t)b0, s1);
                                s0 = __smlad((int16x2_t)r1[0], (int16x2_t)a1, s0);
                                s1 = __smlatb((int32_t)r1[0], (int32_t)a1, s1);
                                s0 = __smlabt((int32_t)r1[1], (int32_t)b1, s0);
                                s1 = __smlad((int16x2_t)r1[1], (int16x2_t)b1, s1);
                                s0 = __smlad((int16x2_t)r2[0], (int16x2_t)a2, s0);
                                s1 = __smlatb((int32_t)r2[0], (int32_t)a2, s1);
                                s0 = __smlabt((int32_t)r2[1], (int32_t)b2, s0);
                                s1 = __smlad((int16x2_t)r2[1], (int16x2_t)b2, s1);
                                sums[i] = s0;
                                sums[i + 1] = s1; /* when count is odd, a spare entry past the last output */
                            }
                        }
                        else
                        {
                            const uint32_t *r0 = line[0] + (source * half) + run;
                            const uint32_t *r1 = line[1] + (source * half) + run;
                            const uint32_t *r2 = line[2] + (source * half) + run;
                            for (i = 0; i < count; i++, r0++, r1++, r2++)
                            {
                                int32_t s0 = __smlad((int16x2_t)r0[0], (int16x2_t)a0, s);
                                s0 = __smlabt((int32_t)r0[1], (int32_t)b0, s0);
                                s0 = __smlad((int16x2_t)r1[0], (int16x2_t)a1, s0);
                                s0 = __smlabt((int32_t)r1[1], (int32_t)b1, s0);
                                s0 = __smlad((int16x2_t)r2[0], (int16x2_t)a2, s0);
                                s0 = __smlabt((int32_t)r2[1], (int32_t)b2, s0);
                                sums[i] = s0;
                            }
                        }

                        nq_dsp_requantize_run(sums, count, out + j, out_depth, scale[j], multipliers[first + j], shifts[first + j],
                                              round_offset[j], output_offset, act_min, act_max);
                    }
                }
            }
        }
    }

    return 1;
}

#if NQ_DSP_BLOCK_ASM
/* Values per line of the planar kernel's planes: 32, or 64 for longer runs (compile-time rows, so that its assembly
 * reaches the three lines of a window at fixed offsets), words of its planes on the stack, and its sums per band of
 * lines. */
#define NQ_DSP_PLANAR_ROW 32
#define NQ_DSP_PLANAR_LONG_ROW 64
#define NQ_DSP_PLANAR_WORDS 1024
#define NQ_DSP_PLANAR_SUMS 320

/* One channel's pass of the planar kernel (nq_depthwise_planar_macs): field offsets are the assembly's. */
typedef struct nq_planar_pass
{
    uint32_t weights[6]; /* 0: A0, B0, A1, B1, A2, B2 (nq_dsp_pack_3x3) */
    int32_t start;       /* 24: the prescaled bias */
    const uint32_t *line; /* 28: the plane's line of the first output line's first window line */
    int32_t *sums;       /* 32: two sums per pair, output line after output line */
    int32_t line_step;   /* 36: bytes from one output line's first window line to the next's (stride × 64) */
    int32_t pair_bytes;  /* 40: bytes the window moves over a line's pairs (pairs × 4 × stride) */
    int32_t lines;       /* 44: output lines (≥ 1) */
} nq_planar_pass;

/* The pair sums of one window line: stride 1, outputs i, i + 1 from the words (v_i, v_i+1), (v_i+2, v_i+3) (LOAD: into
 * r2, r3): SMLAD(P0, A) + SMLABT(P1, B) and SMLATB(P0, A) + SMLAD(P1, B), onto S0, S1 (r12, the start, for the first). */
#define NQ_PLANAR_S1_LINE(LOAD, A, B, S0, S1) \
        LOAD "\n\t" \
        "smlad r10, r2, " A ", " S0 "\n\t" \
        "smlatb r11, r2, " A ", " S1 "\n\t" \
        "smlabt r10, r3, " B ", r10\n\t" \
        "smlad r11, r3, " B ", r11\n\t"

/* Stride 2, outputs i, i + 1 from (v_2i, v_2i+1), (v_2i+2, v_2i+3) (LOAD) and (v_2i+4, ·) (LOAD2, into r2):
 * SMLAD(P0, A) + SMLABT(P1, B) and SMLAD(P1, A) + SMLABT(P2, B). */
#define NQ_PLANAR_S2_LINE(LOAD, LOAD2, A, B, S0, S1) \
        LOAD "\n\t" \
        "smlad r10, r2, " A ", " S0 "\n\t" \
        "smlabt r10, r3, " B ", r10\n\t" \
        LOAD2 "\n\t" \
        "smlad r11, r3, " A ", " S1 "\n\t" \
        "smlabt r11, r2, " B ", r11\n\t"

/* Per output line: r1 the window's first line (the last window line is read first, the first one last with the
 * post-increment), r0 the end of its pairs; each pair's two sums (r10, r11, from the start r12 and the weights r4–r9)
 * stored at lr, two pairs per turn (an odd count enters at the second). The line bookkeeping (line pointer, lines
 * left, line step, pair bytes) lives on the stack: every register is the pairs'. ODD: the pair_bytes bit of an odd
 * pair count. */
#define NQ_PLANAR_MACS(PAIR, ODD) \
        "push {r4-r11, lr}\n\t" \
        "ldm r0, {r4-r9}\n\t" \
        "ldr r12, [r0, #24]\n\t" \
        "ldr r1, [r0, #28]\n\t" \
        "ldr lr, [r0, #32]\n\t" \
        "ldr r2, [r0, #44]\n\t" \
        "ldr r3, [r0, #36]\n\t" \
        "ldr r10, [r0, #40]\n\t" \
        "push {r1, r2, r3, r10}\n" \
        "2:\n\t" \
        "ldr r1, [sp]\n\t" \
        "ldr r0, [sp, #12]\n\t" \
        "tst r0, #" ODD "\n\t" \
        "add r0, r1, r0\n\t" \
        "bne 3f\n" \
        "1:\n\t" \
        PAIR \
        "strd r10, r11, [lr], #8\n" \
        "3:\n\t" \
        PAIR \
        "strd r10, r11, [lr], #8\n\t" \
        "cmp r1, r0\n\t" \
        "bne 1b\n\t" \
        "ldm sp, {r1, r2, r3}\n\t" \
        "add r1, r1, r3\n\t" \
        "subs r2, r2, #1\n\t" \
        "stm sp, {r1, r2}\n\t" \
        "bne 2b\n\t" \
        "add sp, sp, #16\n\t" \
        "pop {r4-r11, pc}"

typedef char nq_planar_rows_are_64_and_128_bytes[NQ_DSP_PLANAR_ROW == 32 && NQ_DSP_PLANAR_LONG_ROW == 64 ? 1 : -1];

/* A pair of outputs over the window's three lines, the lines LINE and LINE2 bytes apart (+8: the stride-2 third word). */
#define NQ_PLANAR_S1_PAIR(LINE, LINE2) \
        NQ_PLANAR_S1_LINE("ldrd r2, r3, [r1, #" LINE2 "]", "r8", "r9", "r12", "r12") \
        NQ_PLANAR_S1_LINE("ldrd r2, r3, [r1, #" LINE "]", "r6", "r7", "r10", "r11") \
        NQ_PLANAR_S1_LINE("ldrd r2, r3, [r1], #4", "r4", "r5", "r10", "r11")

#define NQ_PLANAR_S2_PAIR(LINE, LINE_8, LINE2, LINE2_8) \
        NQ_PLANAR_S2_LINE("ldrd r2, r3, [r1, #" LINE2 "]", "ldr r2, [r1, #" LINE2_8 "]", "r8", "r9", "r12", "r12") \
        NQ_PLANAR_S2_LINE("ldrd r2, r3, [r1, #" LINE "]", "ldr r2, [r1, #" LINE_8 "]", "r6", "r7", "r10", "r11") \
        NQ_PLANAR_S2_LINE("ldrd r2, r3, [r1], #8", "ldr r2, [r1]", "r4", "r5", "r10", "r11")

__attribute__((naked, noinline)) static void nq_depthwise_planar_s1(const nq_planar_pass *pass __attribute__((unused)))
{
    __asm__ volatile(NQ_PLANAR_MACS(NQ_PLANAR_S1_PAIR("64", "128"), "4"));
}

__attribute__((naked, noinline)) static void nq_depthwise_planar_s2(const nq_planar_pass *pass __attribute__((unused)))
{
    __asm__ volatile(NQ_PLANAR_MACS(NQ_PLANAR_S2_PAIR("64", "72", "128", "136"), "8"));
}

__attribute__((naked, noinline)) static void nq_depthwise_planar_long_s1(const nq_planar_pass *pass __attribute__((unused)))
{
    __asm__ volatile(NQ_PLANAR_MACS(NQ_PLANAR_S1_PAIR("128", "256"), "4"));
}

__attribute__((naked, noinline)) static void nq_depthwise_planar_long_s2(const nq_planar_pass *pass __attribute__((unused)))
{
    __asm__ volatile(NQ_PLANAR_MACS(NQ_PLANAR_S2_PAIR("128", "136", "256", "264"), "8"));
}

/* One channel's requantization in the planar kernel (nq_depthwise_planar_requantize), the prescaled right shift with
 * act_min −128: field offsets are the assembly's. */
typedef struct nq_planar_requant
{
    const int32_t *sums; /* 0: two per pair, line after line */
    int8_t *out;         /* 4: the first line's first output */
    int32_t run_step;    /* 8: output bytes between outputs of a line */
    int32_t line_step;   /* 12: output bytes between lines */
    int32_t lines;       /* 16 */
    int32_t multiplier;  /* 20 */
    int32_t right;       /* 24: −shift */
    int32_t round_offset; /* 28: nq_dsp_round_offset */
    int32_t full_pairs;  /* 32: outputs / 2 */
    int32_t odd;         /* 36: outputs % 2 */
    int32_t act_max;     /* 40 */
} nq_planar_requant;

/* nq_dsp_requantize_right of sum S into int8 at T (ADD, SMMLAR, ASR, SSAT, then CLAMP): r4 multiplier, r5 right, r6 round
 * offset, r12 act_max. */
#define NQ_PLANAR_REQUANTIZE(S, T, CLAMP) \
        "add " T ", r6, " S ", asr #31\n\t" \
        "smmlar " T ", " S ", r4, " T "\n\t" \
        "asr " T ", " T ", r5\n\t" \
        "ssat " T ", #8, " T "\n\t" \
        CLAMP(T)

#define NQ_PLANAR_NO_CLAMP(T) ""
#define NQ_PLANAR_CLAMP_MAX(T) \
        "cmp " T ", r12\n\t" \
        "it gt\n\t" \
        "movgt " T ", r12\n\t"

/* Two outputs from one pair of sums: r0 sums, r2 the output, r3 the run step. */
#define NQ_PLANAR_REQUANTIZE_PAIR(CLAMP) \
        "ldrd r10, r11, [r0], #8\n\t" \
        NQ_PLANAR_REQUANTIZE("r10", "r8", CLAMP) \
        NQ_PLANAR_REQUANTIZE("r11", "r9", CLAMP) \
        "strb r8, [r2]\n\t" \
        "strb r9, [r2, r3]\n\t" \
        "add r2, r2, r3, lsl #1\n\t"

/* Per line: pairs of sums, two per turn (an odd pair count enters at the second; r7 the turns left), then an odd last
 * output; r1 the line's first output, lr the lines left; the line step, pair count and odd flag on the stack. */
#define NQ_PLANAR_REQUANTIZE_LINES(CLAMP) \
        "push {r4-r11, lr}\n\t" \
        "ldr r1, [r0, #4]\n\t" \
        "ldr r3, [r0, #8]\n\t" \
        "ldr r12, [r0, #40]\n\t" \
        "ldr lr, [r0, #16]\n\t" \
        "ldr r4, [r0, #20]\n\t" \
        "ldr r5, [r0, #24]\n\t" \
        "ldr r6, [r0, #28]\n\t" \
        "ldr r7, [r0, #12]\n\t" \
        "ldr r8, [r0, #32]\n\t" \
        "ldr r9, [r0, #36]\n\t" \
        "ldr r0, [r0, #0]\n\t" \
        "push {r7, r8, r9}\n" \
        "2:\n\t" \
        "mov r2, r1\n\t" \
        "ldr r7, [sp, #4]\n\t" \
        "cmp r7, #0\n\t" \
        "beq 3f\n\t" \
        "adds r7, r7, #1\n\t" \
        "lsrs r7, r7, #1\n\t" \
        "bcc 5f\n" \
        "1:\n\t" \
        NQ_PLANAR_REQUANTIZE_PAIR(CLAMP) \
        "5:\n\t" \
        NQ_PLANAR_REQUANTIZE_PAIR(CLAMP) \
        "subs r7, r7, #1\n\t" \
        "bne 1b\n" \
        "3:\n\t" \
        "ldr r7, [sp, #8]\n\t" \
        "cbz r7, 4f\n\t" \
        "ldrd r10, r11, [r0], #8\n\t" \
        NQ_PLANAR_REQUANTIZE("r10", "r8", CLAMP) \
        "strb r8, [r2]\n" \
        "4:\n\t" \
        "ldr r7, [sp]\n\t" \
        "add r1, r1, r7\n\t" \
        "subs lr, lr, #1\n\t" \
        "bne 2b\n\t" \
        "add sp, sp, #12\n\t" \
        "pop {r4-r11, pc}"

/* act_max 127: SSAT is the clamp. */
__attribute__((naked, noinline)) static void nq_depthwise_planar_requantize(const nq_planar_requant *q __attribute__((unused)))
{
    __asm__ volatile(NQ_PLANAR_REQUANTIZE_LINES(NQ_PLANAR_NO_CLAMP));
}

/* act_max below 127 (ReLU6), act_min −128. */
__attribute__((naked, noinline)) static void nq_depthwise_planar_requantize_max(const nq_planar_requant *q __attribute__((unused)))
{
    __asm__ volatile(NQ_PLANAR_REQUANTIZE_LINES(NQ_PLANAR_CLAMP_MAX));
}

/* The MAC pass for a run stride and a row of row values. */
typedef void (*nq_planar_macs)(const nq_planar_pass *pass);

static nq_planar_macs nq_depthwise_planar_macs_for(int32_t stride, int32_t row)
{
    if (row == NQ_DSP_PLANAR_ROW)
    {
        return stride == 1 ? nq_depthwise_planar_s1 : nq_depthwise_planar_s2;
    }

    return stride == 1 ? nq_depthwise_planar_long_s1 : nq_depthwise_planar_long_s2;
}

/*
 * 3 × 3, multiplier 1, dilation 1, input depth a multiple of 4, stride 1 or 2 along the longer output side (the run):
 * kws's 25 × 5 × 64 layers run down their 25 rows, not along their 5 columns. Per 4 channels and band of output lines
 * the input is transposed once into 4 int16 planes on the stack (input offset added, zeros for the padding: no bounds
 * in the MAC loop), a line of NQ_DSP_PLANAR_ROW (or _LONG_ROW) values per input line along the run; then per channel one assembly
 * pass over the band (nq_depthwise_planar_s1/s2: two outputs per turn, 3 LDRD, 12 SMLAxy, no set-up per line but a
 * few loads) and its requantization (the prescaled forms of nq_dsp.h). Runs longer than the long row (more than 62
 * outputs at stride 1, 30 at stride 2), and builds without the Thumb-2 passes (NQ_DSP_BLOCK_ASM 0), take
 * nq_depthwise_3x3_dsp.
 */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int nq_depthwise_planar_dsp(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                                   const int32_t *multipliers, const int32_t *shifts, int8_t *output)
{
    const int32_t batches = p[NQ_CONV_BATCHES];
    const int32_t in_height = p[NQ_CONV_INPUT_HEIGHT];
    const int32_t in_width = p[NQ_CONV_INPUT_WIDTH];
    const int32_t depth = p[NQ_CONV_INPUT_DEPTH];
    const int32_t out_height = p[NQ_CONV_OUTPUT_HEIGHT];
    const int32_t out_width = p[NQ_CONV_OUTPUT_WIDTH];
    const int32_t offset = p[NQ_CONV_INPUT_OFFSET];
    const int32_t output_offset = p[NQ_CONV_OUTPUT_OFFSET];
    const int32_t act_min = p[NQ_CONV_ACTIVATION_MIN];
    const int32_t act_max = p[NQ_CONV_ACTIVATION_MAX];
    const uint32_t offset2 = ((uint32_t)offset & 0xFFFFu) | ((uint32_t)offset << 16);
    /* The run (paired, contiguous in the planes) and the cross direction, in input and output terms. */
    const int transposed = out_height > out_width;
    const int32_t runs = transposed ? out_height : out_width;
    const int32_t lines = transposed ? out_width : out_height;
    const int32_t run_stride = transposed ? p[NQ_CONV_STRIDE_HEIGHT] : p[NQ_CONV_STRIDE_WIDTH];
    const int32_t line_stride = transposed ? p[NQ_CONV_STRIDE_WIDTH] : p[NQ_CONV_STRIDE_HEIGHT];
    const int32_t run_pad = transposed ? p[NQ_CONV_PAD_TOP] : p[NQ_CONV_PAD_LEFT];
    const int32_t line_pad = transposed ? p[NQ_CONV_PAD_LEFT] : p[NQ_CONV_PAD_TOP];
    const int32_t run_length = transposed ? in_height : in_width;
    const int32_t line_length = transposed ? in_width : in_height;
    const int32_t in_run_step = transposed ? in_width * depth : depth;
    const int32_t in_line_step = transposed ? depth : in_width * depth;
    const int32_t out_run_step = transposed ? out_width * depth : depth;
    const int32_t out_line_step = transposed ? depth : out_width * depth;
    const int32_t pairs = (runs + 1) / 2;
    /* Words per plane line the pairs read, and plane lines per band. */
    const int32_t words = run_stride == 1 ? pairs + 1 : (2 * pairs) + 1;
    const int32_t row = words <= NQ_DSP_PLANAR_ROW / 2 ? NQ_DSP_PLANAR_ROW : NQ_DSP_PLANAR_LONG_ROW;
    const int32_t plane_lines = NQ_DSP_PLANAR_WORDS / (4 * (row / 2));
    const int32_t plane = plane_lines * (row / 2);
    /* input columns the pairs read (a wider input's last columns are not copied) */
    const int32_t read_length = run_length < (2 * words) - run_pad ? run_length : (2 * words) - run_pad;
    int32_t band = (plane_lines - 3) / (line_stride > 0 ? line_stride : 1) + 1;
    uint32_t planes[NQ_DSP_PLANAR_WORDS];
    int32_t sums[NQ_DSP_PLANAR_SUMS];
    uint8_t zeroed[NQ_DSP_PLANAR_WORDS / (4 * (NQ_DSP_PLANAR_ROW / 2))]; /* plane line t holds zeros only */
    nq_planar_pass pass;
    nq_planar_requant requant;
    const nq_planar_macs macs = nq_depthwise_planar_macs_for(run_stride, row);
    int32_t c0;
    if (p[NQ_CONV_KERNEL_HEIGHT] != 3 || p[NQ_CONV_KERNEL_WIDTH] != 3 || p[NQ_CONV_FILTER_DEPTH] != 1
        || p[NQ_CONV_DILATION_HEIGHT] != 1 || p[NQ_CONV_DILATION_WIDTH] != 1 || (depth & 3) != 0 || (run_stride != 1 && run_stride != 2)
        || line_stride < 1 || runs < 1 || lines < 1 || words > NQ_DSP_PLANAR_LONG_ROW / 2 || run_pad < 0 || run_pad >= 2 * words || line_pad < 0)
    {
        return 0;
    }

    band = band * 2 * pairs > NQ_DSP_PLANAR_SUMS ? NQ_DSP_PLANAR_SUMS / (2 * pairs) : band;
    pass.line_step = line_stride * row * 2;
    pass.pair_bytes = pairs * 4 * run_stride;
    /* every word the pairs read is zero but the inside columns an input line writes (nq_dsp_widen_inside) */
    memset(planes, 0, sizeof planes);
    memset(zeroed, 1, sizeof zeroed);
    pass.sums = sums;
    requant.sums = sums;
    requant.run_step = out_run_step;
    requant.line_step = out_line_step;
    requant.full_pairs = runs / 2;
    requant.odd = runs & 1;
    requant.act_max = act_max;
    for (c0 = 0; c0 < depth; c0 += 4)
    {
        int32_t b;
        for (b = 0; b < batches; b++)
        {
            const int8_t *image = input + (b * in_height * in_width * depth) + c0;
            int8_t *out_image = output + (b * out_height * out_width * depth) + c0;
            int32_t first;
            for (first = 0; first < lines; first += band)
            {
                const int32_t count = lines - first < band ? lines - first : band;
                const int32_t in_first = (first * line_stride) - line_pad;
                const int32_t in_lines = ((count - 1) * line_stride) + 3;
                int32_t t;
                int32_t j;
                for (t = 0; t < in_lines; t++)
                {
                    const int32_t at = in_first + t;
                    uint32_t *d = planes + (t * (row / 2));
                    if (at >= 0 && at < line_length)
                    {
                        nq_dsp_widen_inside(d, plane, image + (at * in_line_step), in_run_step, run_pad, read_length, offset2);
                        zeroed[t] = 0;
                    }
                    else if (!zeroed[t])
                    {
                        for (j = 0; j < 4; j++)
                        {
                            memset(d + (j * plane), 0, (size_t)words * sizeof d[0]);
                        }

                        zeroed[t] = 1;
                    }
                }

                pass.lines = count;
                for (j = 0; j < 4; j++)
                {
                    const int32_t c = c0 + j;
                    const int32_t scale = nq_dsp_pack_3x3(filter + (c * 9), bias[c], multipliers[c], shifts[c], transposed, pass.weights,
                                                          &pass.start);
                    const int32_t round_offset = nq_dsp_round_offset(shifts[c], output_offset);
                    int8_t *out = out_image + j + (first * out_line_step);
                    int32_t n;
                    pass.line = planes + (j * plane);
                    macs(&pass);
                    if (scale != 0 && shifts[c] < 0 && act_min == -128)
                    {
                        requant.out = out;
                        requant.lines = count;
                        requant.multiplier = multipliers[c];
                        requant.right = -shifts[c];
                        requant.round_offset = round_offset;
                        if (act_max == 127)
                        {
                            nq_depthwise_planar_requantize(&requant);
                        }
                        else
                        {
                            nq_depthwise_planar_requantize_max(&requant);
                        }

                        continue;
                    }

                    for (n = 0; n < count; n++, out += out_line_step)
                    {
                        nq_dsp_requantize_run(sums + (n * 2 * pairs), runs, out, out_run_step, scale, multipliers[c], shifts[c], round_offset,
                                              output_offset, act_min, act_max);
                    }
                }
            }
        }
    }

    return 1;
}
#endif

int nq_depthwise_conv_2d_dsp(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                             const int32_t *multipliers, const int32_t *shifts, int8_t *output)
{
#if NQ_DSP_BLOCK_ASM
    if (nq_depthwise_planar_dsp(p, input, filter, bias, multipliers, shifts, output))
    {
        return 1;
    }
#endif

    if (nq_depthwise_3x3_dsp(p, input, filter, bias, multipliers, shifts, output))
    {
        return 1;
    }

    /* after the 3 × 3 kernel: on its shapes it is ahead (person_detect's 1 -> 8: 594,440 against 642,800 instructions) */
    if (p[NQ_CONV_FILTER_DEPTH] >= 2 && nq_depthwise_multiplier_dsp(p, input, filter, bias, multipliers, shifts, output))
    {
        return 1;
    }

    if (p[NQ_CONV_INPUT_DEPTH] == 1 && nq_depthwise_single_dsp(p, input, filter, bias, multipliers, shifts, output))
    {
        return 1;
    }

    if (p[NQ_CONV_INPUT_DEPTH] == 1)
    {
        /* One input channel: the depthwise filter [multiplier, kh, kw] is a convolution's [out d, kh, kw, 1]. */
        int32_t conv[NQ_CONV_COUNT];
        memcpy(conv, p, sizeof conv);
        conv[NQ_CONV_FILTER_DEPTH] = 1;
        return nq_conv_2d_dsp(conv, input, filter, bias, multipliers, shifts, output);
    }

    if (p[NQ_CONV_FILTER_DEPTH] == 1 && p[NQ_CONV_KERNEL_HEIGHT] * p[NQ_CONV_KERNEL_WIDTH] <= NQ_DSP_DEPTHWISE_TAPS_MAX
        && nq_depthwise_rows_dsp(p, input, filter, bias, multipliers, shifts, output))
    {
        return 1;
    }

    return nq_depthwise_dsp(p, input, filter, bias, multipliers, shifts, output);
}
#else
typedef int nq_depthwise_conv_2d_dsp_unused; /* an empty translation unit is not ISO C */
#endif
