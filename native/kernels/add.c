/*
 * ADD (and SUB), int8, with broadcasting (TFLM reference_integer_ops::Add / BroadcastAdd6DSlow) — the
 * native twin of device/Kernels/AddKernel.cs: each input is looked up in its 256-entry table of
 * rescaled values (computed at load; SUB's second table is negated), the sum is requantized with the
 * output multiplier (shift ≤ 0), offset and clamped.
 */
#include "nanoquant_kernels.h"
#include "quantized_math.h"
#include "broadcast.h"
#include "nq_dsp.h"

void nq_add(const int32_t *p, const int8_t *input1, const int8_t *input2, const int32_t *table1, const int32_t *table2,
            int8_t *output)
{
    const int32_t inner = p[NQ_BC_INNER];
    const int32_t step1 = p[NQ_BC_STEP1];
    const int32_t step2 = p[NQ_BC_STEP2];
    const int32_t output_offset = p[NQ_ADD_OUTPUT_OFFSET];
    const int32_t multiplier = p[NQ_ADD_MULTIPLIER];
    const int32_t shift = p[NQ_ADD_SHIFT];
    const int32_t act_min = p[NQ_ADD_ACTIVATION_MIN];
    const int32_t act_max = p[NQ_ADD_ACTIVATION_MAX];
    const int32_t runs = nq_odometer_runs(p);
    nq_odometer odometer;
    int32_t r;

#ifdef NQ_DSP
    if (nq_add_dsp(p, input1, input2, table1, table2, output))
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
            const uint32_t raw = (uint32_t)table1[x1[i * step1] + 128] + (uint32_t)table2[x2[i * step2] + 128];
            *output++ = nq_requantize(raw, multiplier, shift, output_offset, act_min, act_max);
        }

        nq_odometer_advance(&odometer, p);
    }
}
