/*
 * FULLY_CONNECTED through Espressif's ESP-NN (esp_nn_fully_connected_s8 / _per_ch_s8), built with
 * -DNQ_VENDOR_ESP_NN. The bias handed over has the input zero point folded in, so the library gets
 * input offset 0 (the same sum). ESP-NN takes row length and unit count as uint16_t: larger layers stay
 * with nanoQuant's kernel.
 */
#include "../nanoquant_kernels.h"
#include "../vendor.h"

#ifdef NQ_VENDOR_ESP_NN
#include "esp_nn.h"

int nq_vendor_fully_connected(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *folded_bias,
                              const int32_t *multipliers, const int32_t *shifts, int8_t *output)
{
    const int32_t depth = p[NQ_FC_DEPTH];
    const int32_t units = p[NQ_FC_UNITS];
    int32_t b;
    if (depth > 65535 || units > 65535)
    {
        return 0;
    }

    for (b = 0; b < p[NQ_FC_BATCHES]; b++)
    {
        if (p[NQ_FC_PER_CHANNEL])
        {
            esp_nn_fully_connected_per_ch_s8(input + (b * depth), 0, (uint16_t)depth, filter, 0, folded_bias, output + (b * units),
                                             (uint16_t)units, p[NQ_FC_OUTPUT_OFFSET], (int32_t *)shifts, (int32_t *)multipliers,
                                             p[NQ_FC_ACTIVATION_MIN], p[NQ_FC_ACTIVATION_MAX]);
        }
        else
        {
            esp_nn_fully_connected_s8(input + (b * depth), 0, (uint16_t)depth, filter, 0, folded_bias, output + (b * units),
                                      (uint16_t)units, p[NQ_FC_OUTPUT_OFFSET], shifts[0], multipliers[0], p[NQ_FC_ACTIVATION_MIN],
                                      p[NQ_FC_ACTIVATION_MAX]);
        }
    }

    return 1;
}
#else
typedef int nq_esp_fully_connected_unused; /* an empty translation unit is not ISO C */
#endif
