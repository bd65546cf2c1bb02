/*
 * CONV_2D through ARM's CMSIS-NN (arm_convolve_wrapper_s8), built with -DNQ_VENDOR_CMSIS_NN. Measured
 * byte-identical with TFLM in CMSIS-NN's default double rounding (../shared/nn-libs); must not be built
 * with CMSIS_NN_USE_SINGLE_ROUNDING. Grouped convolutions, and layers whose scratch would not fit
 * NQ_VENDOR_SCRATCH_BYTES, stay with nanoQuant's kernel.
 */
#include "../nanoquant_kernels.h"
#include "../vendor.h"

#ifdef NQ_VENDOR_CMSIS_NN
#include "arm_nnfunctions.h"

int nq_vendor_conv_2d(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                      const int32_t *multipliers, const int32_t *shifts, int8_t *output)
{
    cmsis_nn_conv_params conv;
    cmsis_nn_per_channel_quant_params quant;
    cmsis_nn_dims input_dims;
    cmsis_nn_dims filter_dims;
    cmsis_nn_dims bias_dims;
    cmsis_nn_dims output_dims;
    cmsis_nn_context context;
    int32_t scratch;
    if (p[NQ_CONV_FILTER_DEPTH] != p[NQ_CONV_INPUT_DEPTH])
    {
        return 0; /* grouped */
    }

    conv.input_offset = p[NQ_CONV_INPUT_OFFSET];
    conv.output_offset = p[NQ_CONV_OUTPUT_OFFSET];
    conv.stride.w = p[NQ_CONV_STRIDE_WIDTH];
    conv.stride.h = p[NQ_CONV_STRIDE_HEIGHT];
    conv.padding.w = p[NQ_CONV_PAD_LEFT];
    conv.padding.h = p[NQ_CONV_PAD_TOP];
    conv.dilation.w = p[NQ_CONV_DILATION_WIDTH];
    conv.dilation.h = p[NQ_CONV_DILATION_HEIGHT];
    conv.activation.min = p[NQ_CONV_ACTIVATION_MIN];
    conv.activation.max = p[NQ_CONV_ACTIVATION_MAX];
    quant.multiplier = (int32_t *)multipliers;
    quant.shift = (int32_t *)shifts;
    input_dims.n = p[NQ_CONV_BATCHES];
    input_dims.h = p[NQ_CONV_INPUT_HEIGHT];
    input_dims.w = p[NQ_CONV_INPUT_WIDTH];
    input_dims.c = p[NQ_CONV_INPUT_DEPTH];
    filter_dims.n = p[NQ_CONV_OUTPUT_DEPTH];
    filter_dims.h = p[NQ_CONV_KERNEL_HEIGHT];
    filter_dims.w = p[NQ_CONV_KERNEL_WIDTH];
    filter_dims.c = p[NQ_CONV_FILTER_DEPTH];
    bias_dims.n = 1;
    bias_dims.h = 1;
    bias_dims.w = 1;
    bias_dims.c = p[NQ_CONV_OUTPUT_DEPTH];
    output_dims.n = p[NQ_CONV_BATCHES];
    output_dims.h = p[NQ_CONV_OUTPUT_HEIGHT];
    output_dims.w = p[NQ_CONV_OUTPUT_WIDTH];
    output_dims.c = p[NQ_CONV_OUTPUT_DEPTH];
    scratch = arm_convolve_wrapper_s8_get_buffer_size(&conv, &input_dims, &filter_dims, &output_dims);
    if (scratch < 0 || scratch > NQ_VENDOR_SCRATCH_BYTES)
    {
        return 0;
    }

    context.buf = scratch > 0 ? nq_vendor_scratch : NULL;
    context.size = scratch;
    return arm_convolve_wrapper_s8(&context, &conv, &quant, &input_dims, input, &filter_dims, filter, &bias_dims, bias,
                                   &output_dims, output) == ARM_CMSIS_NN_SUCCESS;
}
#else
typedef int nq_cmsis_conv_2d_unused; /* an empty translation unit is not ISO C */
#endif
