/*
 * MAX_POOL_2D on Armv7E-M DSP: 4 channels per word, the window's maximum kept as 4 int8 lanes (SSUB8 sets
 * each lane's GE flag where the new value is ≥ the best so far, SEL takes those lanes), the clamp the same
 * way against the activation range replicated into 4 lanes. Channels past the last multiple of 4 run as the
 * portable kernel runs them. The same bytes: the largest in-bounds value of each window, clamped.
 */
#include "nanoquant_kernels.h"
#include "nq_dsp.h"

#ifdef NQ_DSP
#include <string.h>
#include <arm_acle.h>
#include "pooling.h"
#include "quantized_math.h"

/* The lane-wise maximum of 4 int8 lanes: SSUB8 (GE where a ≥ b), SEL. One asm statement: the flags
 * SSUB8 sets are SEL's input, which separate intrinsics do not tie together for the compiler. */
static inline uint32_t nq_dsp_max8x4(uint32_t a, uint32_t b)
{
#if defined(__GNUC__)
    uint32_t difference;
    uint32_t r;
    __asm__("ssub8 %[d], %[a], %[b]\n\t"
            "sel %[r], %[a], %[b]"
            : [d] "=&r"(difference), [r] "=r"(r)
            : [a] "r"(a), [b] "r"(b)
            : "cc");
    (void)difference;
    return r;
#else
    (void)__ssub8((int8x4_t)a, (int8x4_t)b);
    return (uint32_t)__sel((uint8x4_t)a, (uint8x4_t)b);
#endif
}

int nq_max_pool_2d_dsp(const int32_t *p, const int8_t *input, int8_t *output)
{
    const int32_t batches = p[NQ_POOL_BATCHES];
    const int32_t in_height = p[NQ_POOL_INPUT_HEIGHT];
    const int32_t in_width = p[NQ_POOL_INPUT_WIDTH];
    const int32_t depth = p[NQ_POOL_DEPTH];
    const int32_t out_height = p[NQ_POOL_OUTPUT_HEIGHT];
    const int32_t out_width = p[NQ_POOL_OUTPUT_WIDTH];
    const int32_t stride_height = p[NQ_POOL_STRIDE_HEIGHT];
    const int32_t stride_width = p[NQ_POOL_STRIDE_WIDTH];
    const int32_t filter_height = p[NQ_POOL_FILTER_HEIGHT];
    const int32_t filter_width = p[NQ_POOL_FILTER_WIDTH];
    const int32_t pad_top = p[NQ_POOL_PAD_TOP];
    const int32_t pad_left = p[NQ_POOL_PAD_LEFT];
    const int32_t act_min = p[NQ_POOL_ACTIVATION_MIN];
    const int32_t act_max = p[NQ_POOL_ACTIVATION_MAX];
    const int32_t row_stride = in_width * depth;
    const int32_t whole = depth & ~3;
    const uint32_t low = 0x01010101u * (uint8_t)act_min;
    const uint32_t high = 0x01010101u * (uint8_t)act_max;
    int32_t b;
    int32_t oy;
    int32_t ox;
    if (whole == 0)
    {
        return 0;
    }

    for (b = 0; b < batches; b++)
    {
        const int8_t *image = input + (b * in_height * row_stride);
        for (oy = 0; oy < out_height; oy++)
        {
            int32_t y0;
            int32_t y1;
            nq_pool_range((oy * stride_height) - pad_top, filter_height, in_height, &y0, &y1);
            for (ox = 0; ox < out_width; ox++)
            {
                int32_t x0;
                int32_t x1;
                int32_t c;
                nq_pool_range((ox * stride_width) - pad_left, filter_width, in_width, &x0, &x1);
                const int8_t *corner = image + (y0 * row_stride) + (x0 * depth);
                for (c = 0; c < whole; c += 4)
                {
                    uint32_t best = 0x80808080u;
                    const int8_t *row = corner + c;
                    int32_t y;
                    for (y = y0; y < y1; y++, row += row_stride)
                    {
                        const int8_t *v = row;
                        int32_t x;
                        for (x = x0; x < x1; x++, v += depth)
                        {
                            uint32_t w;
                            memcpy(&w, v, 4);
                            best = nq_dsp_max8x4(w, best);
                        }
                    }

                    /* clamp: max(best, min), then min(·, max) = the lanes of max where · ≥ max */
                    best = nq_dsp_max8x4(best, low);
                    best = ~nq_dsp_max8x4(~best, ~high);
                    memcpy(output, &best, 4);
                    output += 4;
                }

                for (c = whole; c < depth; c++)
                {
                    int32_t best = INT8_MIN;
                    const int8_t *row = corner + c;
                    int32_t y;
                    for (y = y0; y < y1; y++, row += row_stride)
                    {
                        int32_t x;
                        for (x = 0; x < x1 - x0; x++)
                        {
                            best = row[x * depth] > best ? row[x * depth] : best;
                        }
                    }

                    *output++ = nq_clamp(best, act_min, act_max);
                }
            }
        }
    }

    return 1;
}
#else
typedef int nq_max_pool_2d_dsp_unused; /* an empty translation unit is not ISO C */
#endif
