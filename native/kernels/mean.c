/*
 * MEAN, int8 (TFLM reference_ops::QuantizedMeanOrSum) — the native twin of
 * device/Kernels/MeanKernel.cs: each output is the int32 sum s of the n values it reduces,
 * clamp(MultiplyByQuantizedMultiplier(s − n × input zero point, multiplier, shift) + output zero point).
 * The managed kernel plans the walk as three kept and three reduced levels (count, stride).
 */
#include "nanoquant_kernels.h"
#include "quantized_math.h"

void nq_mean(const int32_t *p, const int8_t *input, int8_t *output)
{
    const int32_t *kept = p + NQ_MEAN_KEPT_COUNTS;
    const int32_t *kept_strides = p + NQ_MEAN_KEPT_STRIDES;
    const int32_t *reduced = p + NQ_MEAN_REDUCED_COUNTS;
    const int32_t *reduced_strides = p + NQ_MEAN_REDUCED_STRIDES;
    const int32_t correction = p[NQ_MEAN_CORRECTION];
    const int32_t multiplier = p[NQ_MEAN_MULTIPLIER];
    const int32_t shift = p[NQ_MEAN_SHIFT];
    const int32_t output_offset = p[NQ_MEAN_OUTPUT_OFFSET];
    int32_t i0;
    int32_t i1;
    int32_t i2;

    for (i0 = 0; i0 < kept[0]; i0++)
    {
        for (i1 = 0; i1 < kept[1]; i1++)
        {
            for (i2 = 0; i2 < kept[2]; i2++)
            {
                const int8_t *base = input + (i0 * kept_strides[0]) + (i1 * kept_strides[1]) + (i2 * kept_strides[2]);
                uint32_t acc = 0;
                int32_t j0;
                int32_t j1;
                int32_t j2;
                for (j0 = 0; j0 < reduced[0]; j0++)
                {
                    for (j1 = 0; j1 < reduced[1]; j1++)
                    {
                        const int8_t *x = base + (j0 * reduced_strides[0]) + (j1 * reduced_strides[1]);
                        const int32_t stride = reduced_strides[2];
                        for (j2 = 0; j2 < reduced[2]; j2++)
                        {
                            acc += (uint32_t)(int32_t)x[j2 * stride];
                        }
                    }
                }

                *output++ = nq_requantize(acc - (uint32_t)correction, multiplier, shift, output_offset, -128, 127);
            }
        }
    }
}
