/*
 * MUL, int8, with broadcasting (TFLM reference_integer_ops::Mul / BroadcastMul6DSlow) — the native
 * twin of device/Kernels/MulKernel.cs:
 * out = clamp(output offset + MultiplyByQuantizedMultiplier((q1 − zp1)(q2 − zp2), multiplier, shift)).
 */
#include "nanoquant_kernels.h"
#include "quantized_math.h"
#include "broadcast.h"
#include "nq_dsp.h"

void nq_mul(const int32_t *p, const int8_t *input1, const int8_t *input2, int8_t *output)
{
    const int32_t inner = p[NQ_BC_INNER];
    const int32_t step1 = p[NQ_BC_STEP1];
    const int32_t step2 = p[NQ_BC_STEP2];
    const int32_t zero_point1 = p[NQ_MUL_ZERO_POINT1];
    const int32_t zero_point2 = p[NQ_MUL_ZERO_POINT2];
    const int32_t output_offset = p[NQ_MUL_OUTPUT_OFFSET];
    const int32_t multiplier = p[NQ_MUL_MULTIPLIER];
    const int32_t shift = p[NQ_MUL_SHIFT];
    const int32_t act_min = p[NQ_MUL_ACTIVATION_MIN];
    const int32_t act_max = p[NQ_MUL_ACTIVATION_MAX];
    const int32_t runs = nq_odometer_runs(p);
    nq_odometer odometer;
    int32_t r;

#ifdef NQ_DSP
    if (nq_mul_dsp(p, input1, input2, output))
    {
        return;
    }
#endif
    nq_odometer_start(&odometer, p);
    for (r = 0; r < runs; r++)
    {
        const int8_t *x1 = input1 + odometer.offset1;
        const int8_t *x2 = input2 + odometer.offset2;
        int32_t i;
        for (i = 0; i < inner; i++)
        {
            const int32_t product = ((int32_t)x1[i * step1] - zero_point1) * ((int32_t)x2[i * step2] - zero_point2);
            *output++ = nq_requantize((uint32_t)product, multiplier, shift, output_offset, act_min, act_max);
        }

        nq_odometer_advance(&odometer, p);
    }
}
