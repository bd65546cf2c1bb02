/*
 * AVERAGE_POOL_2D on Armv7E-M DSP: the window sums of a block of channels (nq_average_pool_2d divides and
 * clamps them), 4 channels per word: one LDR and two SXTAB16 add the word's 4 values into int16 lane sums
 * ((c, c + 2) and, rotated by 8, (c + 1, c + 3)). Exact while a window has at most 255 positions
 * (255 × 128 < 2^15); larger windows and blocks not a multiple of 4 channels run the portable sums.
 */
#include "nanoquant_kernels.h"
#include "nq_dsp.h"

#ifdef NQ_DSP
#include <string.h>
#include <arm_acle.h>

/* Channel groups of 4 a block may hold (nq_average_pool_2d's NQ_POOL_BLOCK / 4). */
#define NQ_DSP_POOL_GROUPS 16

int nq_average_pool_sums_dsp(const int8_t *window, int32_t row_stride, int32_t depth, int32_t rows, int32_t columns,
                             int32_t block, uint32_t *sums)
{
    uint32_t even[NQ_DSP_POOL_GROUPS];
    uint32_t odd[NQ_DSP_POOL_GROUPS];
    const int32_t groups = block >> 2;
    int32_t y;
    int32_t g;
    if ((block & 3) != 0 || groups > NQ_DSP_POOL_GROUPS || (int64_t)rows * columns > 255)
    {
        return 0;
    }

    for (g = 0; g < groups; g++)
    {
        even[g] = 0;
        odd[g] = 0;
    }

    for (y = 0; y < rows; y++, window += row_stride)
    {
        const int8_t *v = window;
        int32_t x;
        for (x = 0; x < columns; x++, v += depth)
        {
            for (g = 0; g < groups; g++)
            {
                uint32_t w;
                memcpy(&w, v + (4 * g), 4);
                even[g] = (uint32_t)__sxtab16((int16x2_t)even[g], (int8x4_t)w);
                odd[g] = NQ_DSP_SXTAB16_ROR8(odd[g], w);
            }
        }
    }

    for (g = 0; g < groups; g++)
    {
        sums[4 * g] = (uint32_t)(int32_t)(int16_t)(even[g] & 0xFFFFu);
        sums[(4 * g) + 1] = (uint32_t)(int32_t)(int16_t)(odd[g] & 0xFFFFu);
        sums[(4 * g) + 2] = (uint32_t)(int32_t)(int16_t)(even[g] >> 16);
        sums[(4 * g) + 3] = (uint32_t)(int32_t)(int16_t)(odd[g] >> 16);
    }

    return 1;
}
#else
typedef int nq_average_pool_2d_dsp_unused; /* an empty translation unit is not ISO C */
#endif
