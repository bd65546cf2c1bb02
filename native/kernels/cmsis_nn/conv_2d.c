/*
 * CONV_2D through ARM's CMSIS-NN (arm_convolve_wrapper_s8), built with -DNQ_VENDOR_CMSIS_NN. Measured
 * byte-identical with TFLM in CMSIS-NN's default double rounding (../shared/nn-libs); must not be built
 * with CMSIS_NN_USE_SINGLE_ROUNDING. Grouped convolutions, and layers whose scratch would not fit
 * NQ_VENDOR_SCRATCH_BYTES, stay with nanoQuant's kernel.
 */
#include "../nanoquant_kernels.h"
#include "../vendor.h"

#ifdef NQ_VENDOR_CMSIS_NN
#include "nq_cmsis_window.h"

int nq_vendor_conv_2d(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                      const int32_t *multipliers, const int32_t *shifts, int8_t *output)
{
    nq_cmsis_window window;
    cmsis_nn_conv_params conv;
    cmsis_nn_dims filter_dims;
    cmsis_nn_context context;
    int32_t scratch;
    if (p[NQ_CONV_FILTER_DEPTH] != p[NQ_CONV_INPUT_DEPTH])
    {
        return 0; /* grouped */
    }

    nq_cmsis_window_of(p, multipliers, shifts, &window);
    conv.input_offset = p[NQ_CONV_INPUT_OFFSET];
    conv.output_offset = p[NQ_CONV_OUTPUT_OFFSET];
    conv.stride = window.stride;
    conv.padding = window.padding;
    conv.dilation = window.dilation;
    conv.activation = window.activation;
    filter_dims.n = p[NQ_CONV_OUTPUT_DEPTH];
    filter_dims.h = p[NQ_CONV_KERNEL_HEIGHT];
    filter_dims.w = p[NQ_CONV_KERNEL_WIDTH];
    filter_dims.c = p[NQ_CONV_FILTER_DEPTH];
    scratch = arm_convolve_wrapper_s8_get_buffer_size(&conv, &window.input, &filter_dims, &window.output);
    if (scratch < 0 || scratch > NQ_VENDOR_SCRATCH_BYTES)
    {
        return 0;
    }

    context.buf = scratch > 0 ? nq_vendor_scratch : NULL;
    context.size = scratch;
    return arm_convolve_wrapper_s8(&context, &conv, &window.quant, &window.input, input, &filter_dims, filter, &window.bias, bias,
                                   &window.output, output) == ARM_CMSIS_NN_SUCCESS;
}
#else
typedef int nq_cmsis_conv_2d_unused; /* an empty translation unit is not ISO C */
#endif
