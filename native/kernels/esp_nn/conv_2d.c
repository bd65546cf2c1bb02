/*
 * CONV_2D through Espressif's ESP-NN (esp_nn_conv_s8; its assembly paths on ESP32/ESP32-S3 with
 * CONFIG_NN_OPTIMIZED, its portable C elsewhere), built with -DNQ_VENDOR_ESP_NN. ESP-NN ignores dilation
 * and has no grouped convolution: those layers stay with nanoQuant's kernel, as do layers whose scratch
 * would not fit NQ_VENDOR_SCRATCH_BYTES. ESP-NN computes one image per call.
 */
#include "../nanoquant_kernels.h"
#include "../vendor.h"

#ifdef NQ_VENDOR_ESP_NN
#include "esp_nn.h"

int nq_vendor_conv_2d(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                      const int32_t *multipliers, const int32_t *shifts, int8_t *output)
{
    data_dims_t input_dims;
    data_dims_t filter_dims;
    data_dims_t output_dims;
    conv_params_t conv;
    quant_data_t quant;
    int32_t scratch;
    int32_t b;
    if (p[NQ_CONV_FILTER_DEPTH] != p[NQ_CONV_INPUT_DEPTH] || p[NQ_CONV_DILATION_WIDTH] != 1 || p[NQ_CONV_DILATION_HEIGHT] != 1)
    {
        return 0;
    }

    input_dims.width = p[NQ_CONV_INPUT_WIDTH];
    input_dims.height = p[NQ_CONV_INPUT_HEIGHT];
    input_dims.channels = p[NQ_CONV_INPUT_DEPTH];
    input_dims.extra = 1;
    filter_dims.width = p[NQ_CONV_KERNEL_WIDTH];
    filter_dims.height = p[NQ_CONV_KERNEL_HEIGHT];
    filter_dims.channels = p[NQ_CONV_FILTER_DEPTH];
    filter_dims.extra = p[NQ_CONV_OUTPUT_DEPTH];
    output_dims.width = p[NQ_CONV_OUTPUT_WIDTH];
    output_dims.height = p[NQ_CONV_OUTPUT_HEIGHT];
    output_dims.channels = p[NQ_CONV_OUTPUT_DEPTH];
    output_dims.extra = 1;
    conv.in_offset = p[NQ_CONV_INPUT_OFFSET];
    conv.out_offset = p[NQ_CONV_OUTPUT_OFFSET];
    conv.stride.width = p[NQ_CONV_STRIDE_WIDTH];
    conv.stride.height = p[NQ_CONV_STRIDE_HEIGHT];
    conv.padding.width = p[NQ_CONV_PAD_LEFT];
    conv.padding.height = p[NQ_CONV_PAD_TOP];
    conv.dilation.width = 1;
    conv.dilation.height = 1;
    conv.activation.min = p[NQ_CONV_ACTIVATION_MIN];
    conv.activation.max = p[NQ_CONV_ACTIVATION_MAX];
    quant.shift = (int32_t *)shifts;
    quant.mult = (int32_t *)multipliers;
    scratch = esp_nn_get_conv_scratch_size(&input_dims, &filter_dims, &output_dims, &conv);
    if (scratch < 0 || scratch > NQ_VENDOR_SCRATCH_BYTES)
    {
        return 0;
    }

    esp_nn_set_conv_scratch_buf(nq_vendor_scratch);
    for (b = 0; b < p[NQ_CONV_BATCHES]; b++)
    {
        esp_nn_conv_s8(&input_dims, input + (b * input_dims.height * input_dims.width * input_dims.channels), &filter_dims, filter,
                       bias, &output_dims, output + (b * output_dims.height * output_dims.width * output_dims.channels), &conv, &quant);
    }

    return 1;
}
#else
typedef int nq_esp_conv_2d_unused; /* an empty translation unit is not ISO C */
#endif
