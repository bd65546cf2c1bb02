/*
 * FULLY_CONNECTED, int8, per-tensor or per-channel (TFLM reference_integer_ops::FullyConnected) — the
 * native twin of device/Kernels/FullyConnectedKernel.cs: one dot product per unit onto the bias with
 * the input zero point folded in, then requantization per unit.
 */
#include "nanoquant_kernels.h"
#include "quantized_math.h"
#include "dot.h"
#include "nq_dsp.h"

void nq_fully_connected(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *folded_bias,
                        const int32_t *multipliers, const int32_t *shifts, int8_t *output)
{
    const int32_t batches = p[NQ_FC_BATCHES];
    const int32_t depth = p[NQ_FC_DEPTH];
    const int32_t units = p[NQ_FC_UNITS];
    const int32_t per_channel = p[NQ_FC_PER_CHANNEL];
    const int32_t output_offset = p[NQ_FC_OUTPUT_OFFSET];
    const int32_t act_min = p[NQ_FC_ACTIVATION_MIN];
    const int32_t act_max = p[NQ_FC_ACTIVATION_MAX];
    int32_t b;
    int32_t u;

#ifdef NQ_DSP
    if (nq_fully_connected_dsp(p, input, filter, folded_bias, multipliers, shifts, output))
    {
        return;
    }
#endif
    for (b = 0; b < batches; b++)
    {
        const int8_t *x = input + (b * depth);
        const int8_t *w = filter;
        for (u = 0; u < units; u++)
        {
            const int32_t q = per_channel ? u : 0;
            uint32_t acc = nq_dot((uint32_t)folded_bias[u], x, w, depth);
            *output++ = nq_requantize(acc, multipliers[q], shifts[q], output_offset, act_min, act_max);
            w += depth;
        }
    }
}
