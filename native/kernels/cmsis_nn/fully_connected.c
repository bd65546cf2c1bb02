/*
 * FULLY_CONNECTED through ARM's CMSIS-NN (arm_fully_connected_s8, arm_fully_connected_per_channel_s8),
 * built with -DNQ_VENDOR_CMSIS_NN. The bias handed over already has the input zero point folded in,
 * so the library gets input offset 0 (the same sum).
 */
#include "../nanoquant_kernels.h"
#include "../vendor.h"

#ifdef NQ_VENDOR_CMSIS_NN
#include "arm_nnfunctions.h"

int nq_vendor_fully_connected(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *folded_bias,
                              const int32_t *multipliers, const int32_t *shifts, int8_t *output)
{
    cmsis_nn_fc_params fc;
    cmsis_nn_dims input_dims;
    cmsis_nn_dims filter_dims;
    cmsis_nn_dims bias_dims;
    cmsis_nn_dims output_dims;
    cmsis_nn_context context;
    fc.input_offset = 0;
    fc.filter_offset = 0;
    fc.output_offset = p[NQ_FC_OUTPUT_OFFSET];
    fc.activation.min = p[NQ_FC_ACTIVATION_MIN];
    fc.activation.max = p[NQ_FC_ACTIVATION_MAX];
    input_dims.n = p[NQ_FC_BATCHES];
    input_dims.h = 1;
    input_dims.w = 1;
    input_dims.c = p[NQ_FC_DEPTH];
    filter_dims.n = p[NQ_FC_DEPTH];
    filter_dims.h = 1;
    filter_dims.w = 1;
    filter_dims.c = p[NQ_FC_UNITS];
    bias_dims.n = 1;
    bias_dims.h = 1;
    bias_dims.w = 1;
    bias_dims.c = p[NQ_FC_UNITS];
    output_dims.n = p[NQ_FC_BATCHES];
    output_dims.h = 1;
    output_dims.w = 1;
    output_dims.c = p[NQ_FC_UNITS];
    context.buf = NULL;
    context.size = 0;
    if (p[NQ_FC_PER_CHANNEL])
    {
        cmsis_nn_per_channel_quant_params quant;
        quant.multiplier = (int32_t *)multipliers;
        quant.shift = (int32_t *)shifts;
        return arm_fully_connected_per_channel_s8(&context, &fc, &quant, &input_dims, input, &filter_dims, filter, &bias_dims,
                                                  folded_bias, &output_dims, output) == ARM_CMSIS_NN_SUCCESS;
    }
    else
    {
        cmsis_nn_per_tensor_quant_params quant;
        quant.multiplier = multipliers[0];
        quant.shift = shifts[0];
        return arm_fully_connected_s8(&context, &fc, &quant, &input_dims, input, &filter_dims, filter, &bias_dims, folded_bias,
                                      &output_dims, output) == ARM_CMSIS_NN_SUCCESS;
    }
}
#else
typedef int nq_cmsis_fully_connected_unused; /* an empty translation unit is not ISO C */
#endif
