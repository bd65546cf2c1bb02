/*
 * CONV_2D on Armv7E-M DSP (SMLAD: two 16 × 16 multiply-accumulates per instruction), one group, patches of
 * at most NQ_DSP_PATCH_MAX values. Per pair of output pixels: each pixel's patch (kernel height × width ×
 * input depth, the filter's order) is widened once into int16 with the input offset added and zeros for
 * the taps outside the input (im2col), stored as words in the order SXTB16 unpacks a weight word:
 * (x0, x2), (x1, x3) per group of 4. Then per pair of output channels one pass over the patch reads a
 * weight word per channel (SXTB16 twice) and a patch word pair per pixel: 8 SMLADs for 16 MACs. The sum
 * bias + Σ (x + input offset) × w is the portable kernel's int32 value (interior: folded bias + Σ x × w)
 * modulo 2^32; requantization after the block.
 */
#include "nanoquant_kernels.h"
#include "nq_dsp.h"

#ifdef NQ_DSP
#include <string.h>
#include <arm_acle.h>
#include "quantized_math.h"
#include "nq_window.h"

static inline uint32_t nq_load32(const int8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline uint32_t nq_ror8(uint32_t v)
{
    return (v >> 8) | (v << 24);
}

/* One pixel's patch into column: words (x0+o, x2+o), (x1+o, x3+o) per 4 values, K4 = patch & ~3 values;
 * the last patch % 4 values after them as plain int16 in tail. */
static void nq_dsp_im2col(const int32_t *p, const int8_t *image, int32_t in_y, int32_t in_x, uint32_t *column, int16_t *tail)
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
    if ((depth & 3) == 0)
    {
        uint32_t *out = column;
        for (ky = 0; ky < kernel_height; ky++)
        {
            const int32_t y = in_y + (ky * dilation_height);
            for (kx = 0; kx < kernel_width; kx++)
            {
                const int32_t x = in_x + (kx * dilation_width);
                int32_t i;
                if (y < 0 || y >= in_height || x < 0 || x >= in_width)
                {
                    for (i = 0; i < depth; i += 4)
                    {
                        out[0] = 0;
                        out[1] = 0;
                        out += 2;
                    }
                }
                else
                {
                    const int8_t *src = image + (((y * in_width) + x) * depth);
                    for (i = 0; i < depth; i += 4)
                    {
                        const uint32_t v = nq_load32(src + i);
                        out[0] = (uint32_t)__sxtab16((int16x2_t)offset2, (int8x4_t)v);
                        out[1] = (uint32_t)__sxtab16((int16x2_t)offset2, (int8x4_t)nq_ror8(v));
                        out += 2;
                    }
                }
            }
        }

        return;
    }

    {
        /* Depths not a multiple of 4 (first layers): value by value into its place. */
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
                        /* group of 4 at k & ~3: values 0, 2 in the first word, 1, 3 in the second */
                        static const int8_t place[4] = { 0, 2, 1, 3 };
                        half[(k & ~3) + place[k & 3]] = v;
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
    const int32_t patch = p[NQ_CONV_KERNEL_HEIGHT] * p[NQ_CONV_KERNEL_WIDTH] * p[NQ_CONV_FILTER_DEPTH];
    const int32_t groups4 = patch >> 2;
    const int32_t rest = patch & 3;
    const int32_t pixels = out_height * out_width;
    uint32_t columns[2][NQ_DSP_PATCH_MAX / 2];
    int16_t tails[2][4];
    int32_t b;
    int32_t pixel;
    if (p[NQ_CONV_FILTER_DEPTH] != in_depth || patch > NQ_DSP_PATCH_MAX)
    {
        return 0;
    }

    for (b = 0; b < batches; b++)
    {
        const int8_t *image = input + (b * in_height * in_width * in_depth);
        int8_t *image_out = output + (b * pixels * out_depth);
        for (pixel = 0; pixel < pixels; pixel += 2)
        {
            /* The last pixel of an odd count runs as a pair with itself; only the first is written. */
            const int32_t second = pixel + 1 < pixels ? pixel + 1 : pixel;
            int8_t *out0 = image_out + (pixel * out_depth);
            int8_t *out1 = image_out + (second * out_depth);
            int32_t c;
            int32_t n;
            for (n = 0; n < 2; n++)
            {
                const int32_t at = n == 0 ? pixel : second;
                const int32_t oy = at / out_width;
                const int32_t ox = at - (oy * out_width);
                nq_dsp_im2col(p, image, (oy * stride_height) - pad_top, (ox * stride_width) - pad_left, columns[n], tails[n]);
            }

            for (c = 0; c < out_depth; c += 2)
            {
                /* An odd last channel runs as a pair with itself. */
                const int32_t c1 = c + 1 < out_depth ? c + 1 : c;
                const int8_t *w0 = filter + (c * patch);
                const int8_t *w1 = filter + (c1 * patch);
                const uint32_t *x0 = columns[0];
                const uint32_t *x1 = columns[1];
                int32_t s00 = bias[c];
                int32_t s01 = bias[c];
                int32_t s10 = bias[c1];
                int32_t s11 = bias[c1];
                int32_t g;
                int32_t r;
                for (g = 0; g < groups4; g++)
                {
                    const uint32_t a = nq_load32(w0);
                    const uint32_t d = nq_load32(w1);
                    const int16x2_t a02 = __sxtb16((int8x4_t)a);
                    const int16x2_t a13 = __sxtb16((int8x4_t)nq_ror8(a));
                    const int16x2_t d02 = __sxtb16((int8x4_t)d);
                    const int16x2_t d13 = __sxtb16((int8x4_t)nq_ror8(d));
                    const int16x2_t p0 = (int16x2_t)x0[0];
                    const int16x2_t q0 = (int16x2_t)x0[1];
                    const int16x2_t p1 = (int16x2_t)x1[0];
                    const int16x2_t q1 = (int16x2_t)x1[1];
                    s00 = __smlad(a02, p0, s00);
                    s00 = __smlad(a13, q0, s00);
                    s01 = __smlad(a02, p1, s01);
                    s01 = __smlad(a13, q1, s01);
                    s10 = __smlad(d02, p0, s10);
                    s10 = __smlad(d13, q0, s10);
                    s11 = __smlad(d02, p1, s11);
                    s11 = __smlad(d13, q1, s11);
                    w0 += 4;
                    w1 += 4;
                    x0 += 2;
                    x1 += 2;
                }

                for (r = 0; r < rest; r++)
                {
                    s00 = (int32_t)((uint32_t)s00 + (uint32_t)(w0[r] * tails[0][r]));
                    s01 = (int32_t)((uint32_t)s01 + (uint32_t)(w0[r] * tails[1][r]));
                    s10 = (int32_t)((uint32_t)s10 + (uint32_t)(w1[r] * tails[0][r]));
                    s11 = (int32_t)((uint32_t)s11 + (uint32_t)(w1[r] * tails[1][r]));
                }

                out0[c] = nq_requantize((uint32_t)s00, multipliers[c], shifts[c], output_offset, act_min, act_max);
                out0[c1] = nq_requantize((uint32_t)s10, multipliers[c1], shifts[c1], output_offset, act_min, act_max);
                if (second != pixel)
                {
                    out1[c] = nq_requantize((uint32_t)s01, multipliers[c], shifts[c], output_offset, act_min, act_max);
                    out1[c1] = nq_requantize((uint32_t)s11, multipliers[c1], shifts[c1], output_offset, act_min, act_max);
                }
            }
        }
    }

    return 1;
}
#else
typedef int nq_conv_2d_dsp_unused; /* an empty translation unit is not ISO C */
#endif
