/*
 * MAX_POOL_2D, int8 (TFLM reference_integer_ops::MaxPool) — the native twin of
 * device/Kernels/MaxPool2DKernel.cs: the largest in-bounds value of each window, clamped.
 * Channels are the inner loop, over contiguous runs of depth values.
 */
#include "nanoquant_kernels.h"
#include "quantized_math.h"
#include "pooling.h"
#include "nq_dsp.h"

#define NQ_POOL_BLOCK 64

void nq_max_pool_2d(const int32_t *p, const int8_t *input, int8_t *output)
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
    int32_t b;
    int32_t oy;
    int32_t ox;

#ifdef NQ_DSP
    if (nq_max_pool_2d_dsp(p, input, output))
    {
        return;
    }
#endif
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
                int32_t c0;
                nq_pool_range((ox * stride_width) - pad_left, filter_width, in_width, &x0, &x1);
                for (c0 = 0; c0 < depth; c0 += NQ_POOL_BLOCK)
                {
                    const int32_t block = depth - c0 < NQ_POOL_BLOCK ? depth - c0 : NQ_POOL_BLOCK;
                    int8_t best[NQ_POOL_BLOCK];
                    int32_t y;
                    int32_t x;
                    int32_t c;
                    for (c = 0; c < block; c++)
                    {
                        best[c] = INT8_MIN;
                    }

                    for (y = y0; y < y1; y++)
                    {
                        for (x = x0; x < x1; x++)
                        {
                            const int8_t *v = image + (y * row_stride) + (x * depth) + c0;
                            for (c = 0; c < block; c++)
                            {
                                best[c] = v[c] > best[c] ? v[c] : best[c];
                            }
                        }
                    }

                    for (c = 0; c < block; c++)
                    {
                        *output++ = nq_clamp(best[c], act_min, act_max);
                    }
                }
            }
        }
    }
}
