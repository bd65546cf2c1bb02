/*
 * DEPTHWISE_CONV_2D through ARM's CMSIS-NN (arm_depthwise_conv_wrapper_s8), built with -DNQ_VENDOR_CMSIS_NN.
 * Byte-identical with TFLM in CMSIS-NN's default double rounding (../shared/nn-libs README: every depthwise
 * golden, multipliers 2 and 8 and dilation included). nanoQuant's device format keeps the filter channel-major
 * [channels, kernel height, kernel width] (device/Kernels/DepthwiseConv2DKernel.cs); CMSIS-NN reads TFLite's
 * [kernel height, kernel width, channels], so the filter is transposed into the front of the call's scratch
 * first (taps × channels bytes, a fraction of a percent of the layer's work) and the library's own scratch
 * follows it. A layer whose two together would not fit NQ_VENDOR_SCRATCH_BYTES stays with nanoQuant's kernel.
 */
#include "../nanoquant_kernels.h"
#include "../vendor.h"

#ifdef NQ_VENDOR_CMSIS_NN
#include "nq_cmsis_window.h"

int nq_vendor_depthwise_conv_2d(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                                const int32_t *multipliers, const int32_t *shifts, int8_t *output)
{
    nq_cmsis_window window;
    cmsis_nn_dw_conv_params conv;
    cmsis_nn_dims filter_dims;
    cmsis_nn_context context;
    const int32_t channels = p[NQ_CONV_OUTPUT_DEPTH];
    const int32_t taps = p[NQ_CONV_KERNEL_HEIGHT] * p[NQ_CONV_KERNEL_WIDTH];
    const int32_t filter_bytes = (taps * channels + 3) & ~3;
    const int32_t input_image = p[NQ_CONV_INPUT_HEIGHT] * p[NQ_CONV_INPUT_WIDTH] * p[NQ_CONV_INPUT_DEPTH];
    const int32_t output_image = p[NQ_CONV_OUTPUT_HEIGHT] * p[NQ_CONV_OUTPUT_WIDTH] * channels;
    int8_t *transposed = nq_vendor_scratch;
    int32_t scratch;
    int32_t c;
    int32_t t;
    int32_t b;
    if ((int64_t)taps * channels > NQ_VENDOR_SCRATCH_BYTES)
    {
        return 0;
    }

    nq_cmsis_window_of(p, multipliers, shifts, &window);
    /* One image per call: the library's faster paths take batch 1 only. */
    window.input.n = 1;
    window.output.n = 1;
    conv.input_offset = p[NQ_CONV_INPUT_OFFSET];
    conv.output_offset = p[NQ_CONV_OUTPUT_OFFSET];
    conv.ch_mult = p[NQ_CONV_FILTER_DEPTH];
    conv.stride = window.stride;
    conv.padding = window.padding;
    conv.dilation = window.dilation;
    conv.activation = window.activation;
    filter_dims.n = 1;
    filter_dims.h = p[NQ_CONV_KERNEL_HEIGHT];
    filter_dims.w = p[NQ_CONV_KERNEL_WIDTH];
    filter_dims.c = channels;
    scratch = arm_depthwise_conv_wrapper_s8_get_buffer_size(&conv, &window.input, &filter_dims, &window.output);
    if (scratch < 0 || (int64_t)scratch + filter_bytes > NQ_VENDOR_SCRATCH_BYTES)
    {
        return 0;
    }

    for (c = 0; c < channels; c++)
    {
        const int8_t *from = filter + (c * taps);
        for (t = 0; t < taps; t++)
        {
            transposed[(t * channels) + c] = from[t];
        }
    }

    context.buf = scratch > 0 ? nq_vendor_scratch + filter_bytes : NULL;
    context.size = scratch;
    for (b = 0; b < p[NQ_CONV_BATCHES]; b++)
    {
        if (arm_depthwise_conv_wrapper_s8(&context, &conv, &window.quant, &window.input, input + (b * input_image), &filter_dims,
                                          transposed, &window.bias, bias, &window.output, output + (b * output_image))
            != ARM_CMSIS_NN_SUCCESS)
        {
            return 0;
        }
    }

    return 1;
}
#else
typedef int nq_cmsis_depthwise_conv_2d_unused; /* an empty translation unit is not ISO C */
#endif
