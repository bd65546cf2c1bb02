/*
 * DEPTHWISE_CONV_2D on Armv7E-M DSP, channel multiplier M ≥ 2 (nq_depthwise_multiplier_dsp), the planar form of
 * depthwise_conv_2d_dsp.c's multiplier-1 kernel for any window up to NQ_DSP_MULTIPLIER_WORDS_MAX pair words: per
 * input channel and band of output rows the input is transposed once into an int16 plane on the stack (input offset
 * added, padding stored as zeros: no bounds in the MAC loop) and reused for its M output channels. A plane row holds
 * the padded columns as pair words (x[2k], x[2k + 1]); at stride width 2 every window starts on an even padded
 * column, at stride 1 the odd outputs read a second copy of the row shifted by one value, so every window line is
 * ceil(kw / 2) aligned words against the filter row packed as (w0, w1), (w2, w3), …, (w_{kw−1}, 0): one SMLAD each.
 * The sum bias + Σ (x + input offset) × w over the window (padding zeros) is the portable kernel's int32 value
 * modulo 2^32. The window sums of 3 × 3 and 5 × 5 are written out (NQ_MULTIPLIER_PAIRS over unrolled lines), and the
 * parameter unpacking repeats depthwise_conv_2d_dsp.c's kernels': deliberate near-copies, as there (one function per
 * variant, CMSIS-NN's shape), the unrolled passes so that the compiler keeps each in registers.
 */
#include "nanoquant_kernels.h"
#include "nq_dsp.h"

#ifdef NQ_DSP
#include <string.h>
#include <arm_acle.h>

/* Words of the plane(s) on the stack (4 KB), sums of one output channel per band, and pair words of one channel's
 * packed filter (kernel height × ceil(kernel width / 2)). */
#define NQ_DSP_MULTIPLIER_PLANE_WORDS 1024
#define NQ_DSP_MULTIPLIER_SUMS 256
#define NQ_DSP_MULTIPLIER_WORDS_MAX 32

/* One window line of two neighbouring outputs (their first words x[0], x[1]) against a filter line of 1-4 pair words at
 * w, onto s0 and s1: each word the two read is loaded once. */
#define NQ_MULTIPLIER_PAIR1(x, w) \
    s0 = __smlad((int16x2_t)(x)[0], (int16x2_t)(w)[0], s0); \
    s1 = __smlad((int16x2_t)(x)[1], (int16x2_t)(w)[0], s1)
#define NQ_MULTIPLIER_PAIR2(x, w) \
    NQ_MULTIPLIER_PAIR1(x, w); \
    s0 = __smlad((int16x2_t)(x)[1], (int16x2_t)(w)[1], s0); \
    s1 = __smlad((int16x2_t)(x)[2], (int16x2_t)(w)[1], s1)
#define NQ_MULTIPLIER_PAIR3(x, w) \
    NQ_MULTIPLIER_PAIR2(x, w); \
    s0 = __smlad((int16x2_t)(x)[2], (int16x2_t)(w)[2], s0); \
    s1 = __smlad((int16x2_t)(x)[3], (int16x2_t)(w)[2], s1)
#define NQ_MULTIPLIER_PAIR4(x, w) \
    NQ_MULTIPLIER_PAIR3(x, w); \
    s0 = __smlad((int16x2_t)(x)[3], (int16x2_t)(w)[3], s0); \
    s1 = __smlad((int16x2_t)(x)[4], (int16x2_t)(w)[3], s1)

/* Two outputs per turn over the window's kh lines (LINES: the unrolled lines, or a loop over them), an odd last output
 * as the first of a pair whose second sum is dropped (its words are inside the row: row_words has one to spare). */
#define NQ_MULTIPLIER_PAIRS(LINES) \
    for (n = 0; n < lines; n++, first_word += line_step, first_sum += sum_line) \
    { \
        const uint32_t *x = first_word; \
        int32_t *sums = first_sum; \
        for (i = 0; i < count; i += 2, x += 2, sums += 2 * sum_step) \
        { \
            int32_t s0 = start; \
            int32_t s1 = start; \
            LINES; \
            sums[0] = s0; \
            if (i + 1 < count) \
            { \
                sums[sum_step] = s1; \
            } \
        } \
    }

#define NQ_MULTIPLIER_LINES(PAIR) \
    do \
    { \
        const uint32_t *l = x; \
        const uint32_t *wl = w; \
        int32_t ky; \
        for (ky = 0; ky < kh; ky++, l += span, wl += k) \
        { \
            PAIR(l, wl); \
        } \
    } while (0)

/* A window line of any k words (k of the pass), a word at a time. */
#define NQ_MULTIPLIER_PAIR_ANY(x, w) \
    do \
    { \
        int32_t j; \
        for (j = 0; j < k; j++) \
        { \
            NQ_MULTIPLIER_PAIR1((x) + j, (w) + j); \
        } \
    } while (0)

/* One input line as pair words d[0 … words − 1], word w = (x[2w − pad] + offset, x[2w + 1 − pad] + offset), zeros for
 * columns outside [0, length); column i of the input is at src + i × step. Words built whole, not int16 stores that a
 * word load would alias. The words with both columns inside take the loop without bounds, a line outside the input
 * is zeros. */
static void nq_multiplier_widen(uint32_t *d, int32_t words, const int8_t *src, int32_t step, int32_t pad, int32_t length, int32_t offset)
{
    /* [inside_first, inside_end): the words whose two columns are inside */
    const int32_t inside_first = (pad + 1) / 2;
    int32_t inside_end = (length + pad) / 2;
    int32_t w;
    inside_end = inside_end > words ? words : inside_end;
    inside_end = inside_end < inside_first ? inside_first : inside_end;
    if (length == 0)
    {
        memset(d, 0, (size_t)words * sizeof d[0]);
        return;
    }

    for (w = 0; w < words; w++)
    {
        if (w == inside_first && w < inside_end)
        {
            const int8_t *x = src + (((2 * w) - pad) * step);
            for (; w < inside_end; w++, x += 2 * step)
            {
                d[w] = ((uint32_t)(x[0] + offset) & 0xFFFFu) | ((uint32_t)(x[step] + offset) << 16);
            }

            if (w == words)
            {
                break;
            }
        }

        {
            const int32_t j = (2 * w) - pad;
            const int32_t v0 = (uint32_t)j < (uint32_t)length ? src[j * step] + offset : 0;
            const int32_t v1 = (uint32_t)(j + 1) < (uint32_t)length ? src[(j + 1) * step] + offset : 0;
            d[w] = ((uint32_t)v0 & 0xFFFFu) | ((uint32_t)v1 << 16);
        }
    }
}

/* The window sums of count outputs of each of lines output lines: output i of line n has its window's first word at
 * first_word + n × line_step + i (window lines span words apart) and its sum at first_sum[n × sum_line + i × sum_step];
 * w: the packed filter, kh lines of k words. */
static void nq_multiplier_pass(const uint32_t *first_word, int32_t span, int32_t line_step, int32_t lines, int32_t count, const uint32_t *w,
                               int32_t kh, int32_t k, int32_t start, int32_t *first_sum, int32_t sum_line, int32_t sum_step)
{
    int32_t n;
    int32_t i;
    if (kh == 3 && k == 2)
    {
        NQ_MULTIPLIER_PAIRS(const uint32_t *l = x; NQ_MULTIPLIER_PAIR2(l, w); l += span; NQ_MULTIPLIER_PAIR2(l, w + 2); l += span;
                            NQ_MULTIPLIER_PAIR2(l, w + 4))
    }
    else if (kh == 5 && k == 3)
    {
        NQ_MULTIPLIER_PAIRS(const uint32_t *l = x; NQ_MULTIPLIER_PAIR3(l, w); l += span; NQ_MULTIPLIER_PAIR3(l, w + 3); l += span;
                            NQ_MULTIPLIER_PAIR3(l, w + 6); l += span; NQ_MULTIPLIER_PAIR3(l, w + 9); l += span; NQ_MULTIPLIER_PAIR3(l, w + 12))
    }
    else if (k == 1)
    {
        NQ_MULTIPLIER_PAIRS(NQ_MULTIPLIER_LINES(NQ_MULTIPLIER_PAIR1))
    }
    else if (k == 2)
    {
        NQ_MULTIPLIER_PAIRS(NQ_MULTIPLIER_LINES(NQ_MULTIPLIER_PAIR2))
    }
    else if (k == 3)
    {
        NQ_MULTIPLIER_PAIRS(NQ_MULTIPLIER_LINES(NQ_MULTIPLIER_PAIR3))
    }
    else if (k == 4)
    {
        NQ_MULTIPLIER_PAIRS(NQ_MULTIPLIER_LINES(NQ_MULTIPLIER_PAIR4))
    }
    else
    {
        NQ_MULTIPLIER_PAIRS(NQ_MULTIPLIER_LINES(NQ_MULTIPLIER_PAIR_ANY))
    }
}

int nq_depthwise_multiplier_dsp(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                                const int32_t *multipliers, const int32_t *shifts, int8_t *output)
{
    const int32_t batches = p[NQ_CONV_BATCHES];
    const int32_t in_height = p[NQ_CONV_INPUT_HEIGHT];
    const int32_t in_width = p[NQ_CONV_INPUT_WIDTH];
    const int32_t in_depth = p[NQ_CONV_INPUT_DEPTH];
    const int32_t out_height = p[NQ_CONV_OUTPUT_HEIGHT];
    const int32_t out_width = p[NQ_CONV_OUTPUT_WIDTH];
    const int32_t out_depth = p[NQ_CONV_OUTPUT_DEPTH];
    const int32_t kh = p[NQ_CONV_KERNEL_HEIGHT];
    const int32_t kw = p[NQ_CONV_KERNEL_WIDTH];
    const int32_t multiplier_count = p[NQ_CONV_FILTER_DEPTH];
    const int32_t stride_height = p[NQ_CONV_STRIDE_HEIGHT];
    const int32_t stride_width = p[NQ_CONV_STRIDE_WIDTH];
    const int32_t pad_top = p[NQ_CONV_PAD_TOP];
    const int32_t pad_left = p[NQ_CONV_PAD_LEFT];
    const int32_t offset = p[NQ_CONV_INPUT_OFFSET];
    const int32_t output_offset = p[NQ_CONV_OUTPUT_OFFSET];
    const int32_t act_min = p[NQ_CONV_ACTIVATION_MIN];
    const int32_t act_max = p[NQ_CONV_ACTIVATION_MAX];
    const int32_t taps = kh * kw;
    const int32_t k = (kw + 1) / 2;
    const int64_t reach = (int64_t)taps * 255 * 128; /* the largest Σ |(x + offset) × w| of the window */
    /* Pair words a plane row needs (the pairs' last output reads one word past the row's last window; stride 1: the even
     * outputs' row, one word more for the shifted copy), and the words one padded input line takes in the planes. */
    const int32_t row_words = (stride_width == 1 ? ((out_width - 1) / 2) + k : out_width - 1 + k) + 1;
    const int32_t even_words = stride_width == 1 ? row_words + 1 : row_words;
    const int32_t span = stride_width == 1 ? even_words + row_words : row_words;
    const int32_t plane_lines = span > 0 ? NQ_DSP_MULTIPLIER_PLANE_WORDS / span : 0;
    int32_t band = plane_lines >= kh && stride_height > 0 ? ((plane_lines - kh) / stride_height) + 1 : 0;
    uint32_t planes[NQ_DSP_MULTIPLIER_PLANE_WORDS];
    int32_t sums[NQ_DSP_MULTIPLIER_SUMS];
    uint32_t weights[NQ_DSP_MULTIPLIER_WORDS_MAX];
    int32_t b;
    if (multiplier_count < 2 || p[NQ_CONV_DILATION_HEIGHT] != 1 || p[NQ_CONV_DILATION_WIDTH] != 1 || (stride_width != 1 && stride_width != 2)
        || kh * k > NQ_DSP_MULTIPLIER_WORDS_MAX || out_width > NQ_DSP_MULTIPLIER_SUMS || band < 1 || pad_left < 0 || pad_top < 0)
    {
        return 0;
    }

    band = band * out_width > NQ_DSP_MULTIPLIER_SUMS ? NQ_DSP_MULTIPLIER_SUMS / out_width : band;
    band = band > out_height ? out_height : band;
    for (b = 0; b < batches; b++)
    {
        int32_t ci;
        for (ci = 0; ci < in_depth; ci++)
        {
            const int8_t *image = input + (b * in_height * in_width * in_depth) + ci;
            int32_t first;
            for (first = 0; first < out_height; first += band)
            {
                const int32_t count = out_height - first < band ? out_height - first : band;
                const int32_t in_first = (first * stride_height) - pad_top;
                const int32_t in_lines = ((count - 1) * stride_height) + kh;
                int32_t t;
                int32_t m;
                for (t = 0; t < in_lines; t++)
                {
                    const int32_t y = in_first + t;
                    uint32_t *d = planes + (t * span);
                    const int32_t inside = y >= 0 && y < in_height;
                    int32_t i;
                    nq_multiplier_widen(d, even_words, image + (inside ? y * in_width * in_depth : 0), in_depth, pad_left,
                                        inside ? in_width : 0, offset);
                    for (i = 0; stride_width == 1 && i < row_words; i++)
                    {
                        /* the odd outputs' copy: word i = (x[2i + 1], x[2i + 2]) */
                        d[even_words + i] = (d[i] >> 16) | (d[i + 1] << 16);
                    }
                }

                for (m = 0; m < multiplier_count; m++)
                {
                    const int32_t c = (ci * multiplier_count) + m;
                    const int8_t *wc = filter + (c * taps);
                    /* weights and bias prescaled (nq_dsp_prescale) for the requantization of nq_dsp_requantize_run */
                    uint32_t factor;
                    int32_t start;
                    const int32_t scale = nq_dsp_prescale_channel(bias[c], reach, multipliers[c], shifts[c], &factor, &start);
                    int32_t ky;
                    for (ky = 0; ky < kh; ky++)
                    {
                        int32_t j;
                        for (j = 0; j < k; j++)
                        {
                            const uint32_t w0 = (uint32_t)(int32_t)wc[(ky * kw) + (2 * j)] * factor;
                            const uint32_t w1 = (2 * j) + 1 < kw ? (uint32_t)(int32_t)wc[(ky * kw) + (2 * j) + 1] * factor : 0u;
                            weights[(ky * k) + j] = (w0 & 0xFFFFu) | (w1 << 16);
                        }
                    }

                    if (stride_width == 1)
                    {
                        nq_multiplier_pass(planes, span, stride_height * span, count, (out_width + 1) / 2, weights, kh, k, start, sums,
                                           out_width, 2);
                        nq_multiplier_pass(planes + even_words, span, stride_height * span, count, out_width / 2, weights, kh, k, start,
                                           sums + 1, out_width, 2);
                    }
                    else
                    {
                        nq_multiplier_pass(planes, span, stride_height * span, count, out_width, weights, kh, k, start, sums, out_width, 1);
                    }

                    nq_dsp_requantize_run(sums, count * out_width, output + ((((b * out_height) + first) * out_width) * out_depth) + c,
                                          out_depth, scale, multipliers[c], shifts[c], nq_dsp_round_offset(shifts[c], output_offset),
                                          output_offset, act_min, act_max);
                }
            }
        }
    }

    return 1;
}
#else
typedef int nq_depthwise_multiplier_dsp_unused; /* an empty translation unit is not ISO C */
#endif
