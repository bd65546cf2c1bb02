/*
 * DEPTHWISE_CONV_2D, int8, per-channel (TFLM reference_integer_ops::DepthwiseConvPerChannel) — the
 * native twin of device/Kernels/DepthwiseConv2DKernel.cs: output channel c = input channel ×
 * depth multiplier + m sees input channel c / multiplier; the filter is channel-major
 * [out channels, kernel height, kernel width]. Interior positions accumulate Σ x × w onto the folded
 * bias, border positions Σ (x + input offset) × w over the taps inside the input onto the bias.
 */
#include "nanoquant_kernels.h"
#include "quantized_math.h"
#include "nq_window.h"
#include "nq_dsp.h"

void nq_depthwise_conv_2d(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                          const int32_t *folded_bias, const int32_t *multipliers, const int32_t *shifts, int8_t *output)
{
    const int32_t batches = p[NQ_CONV_BATCHES];
    const int32_t in_height = p[NQ_CONV_INPUT_HEIGHT];
    const int32_t in_width = p[NQ_CONV_INPUT_WIDTH];
    const int32_t in_depth = p[NQ_CONV_INPUT_DEPTH];
    const int32_t out_height = p[NQ_CONV_OUTPUT_HEIGHT];
    const int32_t out_width = p[NQ_CONV_OUTPUT_WIDTH];
    const int32_t out_depth = p[NQ_CONV_OUTPUT_DEPTH];
    const int32_t kernel_height = p[NQ_CONV_KERNEL_HEIGHT];
    const int32_t kernel_width = p[NQ_CONV_KERNEL_WIDTH];
    const int32_t depth_multiplier = p[NQ_CONV_FILTER_DEPTH];
    const int32_t stride_height = p[NQ_CONV_STRIDE_HEIGHT];
    const int32_t stride_width = p[NQ_CONV_STRIDE_WIDTH];
    const int32_t dilation_height = p[NQ_CONV_DILATION_HEIGHT];
    const int32_t dilation_width = p[NQ_CONV_DILATION_WIDTH];
    const int32_t pad_top = p[NQ_CONV_PAD_TOP];
    const int32_t pad_left = p[NQ_CONV_PAD_LEFT];
    const int32_t input_offset = p[NQ_CONV_INPUT_OFFSET];
    const int32_t output_offset = p[NQ_CONV_OUTPUT_OFFSET];
    const int32_t act_min = p[NQ_CONV_ACTIVATION_MIN];
    const int32_t act_max = p[NQ_CONV_ACTIVATION_MAX];
    const int32_t taps = kernel_height * kernel_width;
    const int32_t input_row_step = dilation_height * in_width * in_depth;
    const int32_t input_column_step = dilation_width * in_depth;
    int32_t b;
    int32_t oy;
    int32_t ox;
    int32_t c;

#ifdef NQ_DSP
    if (nq_depthwise_conv_2d_dsp(p, input, filter, bias, multipliers, shifts, output))
    {
        return;
    }
#endif
    for (b = 0; b < batches; b++)
    {
        const int8_t *image = input + (b * in_height * in_width * in_depth);
        for (oy = 0; oy < out_height; oy++)
        {
            const int32_t in_y = (oy * stride_height) - pad_top;
            const int32_t ky_first = nq_first_tap(in_y, dilation_height, kernel_height);
            const int32_t ky_end = nq_end_tap(in_y, dilation_height, kernel_height, in_height);
            for (ox = 0; ox < out_width; ox++)
            {
                const int32_t in_x = (ox * stride_width) - pad_left;
                const int32_t kx_first = nq_first_tap(in_x, dilation_width, kernel_width);
                const int32_t kx_end = nq_end_tap(in_x, dilation_width, kernel_width, in_width);
                const int32_t rows = ky_end - ky_first;
                const int32_t columns = kx_end - kx_first;
                const int32_t interior = rows == kernel_height && columns == kernel_width;
                const int32_t empty = rows <= 0 || columns <= 0;
                const int8_t *first_tap = empty ? image
                    : image + ((((in_y + (ky_first * dilation_height)) * in_width) + in_x + (kx_first * dilation_width)) * in_depth);
                const int32_t first_weight = (ky_first * kernel_width) + kx_first;
                int8_t *out = output + ((((b * out_height) + oy) * out_width) + ox) * out_depth;
                if (interior)
                {
                    for (c = 0; c < out_depth; c++)
                    {
                        const int8_t *x = first_tap + (c / depth_multiplier);
                        const int8_t *w = filter + (c * taps);
                        int32_t sum = 0;
                        int32_t ky;
                        int32_t kx;
                        for (ky = 0; ky < kernel_height; ky++)
                        {
                            const int8_t *xi = x;
                            for (kx = 0; kx < kernel_width; kx++)
                            {
                                sum += (int32_t)xi[0] * (int32_t)w[kx];
                                xi += input_column_step;
                            }

                            x += input_row_step;
                            w += kernel_width;
                        }

                        out[c] = nq_requantize((uint32_t)folded_bias[c] + (uint32_t)sum, multipliers[c], shifts[c], output_offset,
                                               act_min, act_max);
                    }
                }
                else
                {
                    for (c = 0; c < out_depth; c++)
                    {
                        uint32_t acc = (uint32_t)bias[c];
                        if (!empty)
                        {
                            const int8_t *x = first_tap + (c / depth_multiplier);
                            const int8_t *w = filter + (c * taps) + first_weight;
                            int32_t sum = 0;
                            int32_t r;
                            int32_t k;
                            for (r = 0; r < rows; r++)
                            {
                                const int8_t *xi = x;
                                for (k = 0; k < columns; k++)
                                {
                                    sum += ((int32_t)xi[0] + input_offset) * (int32_t)w[k];
                                    xi += input_column_step;
                                }

                                x += input_row_step;
                                w += kernel_width;
                            }

                            acc += (uint32_t)sum;
                        }

                        out[c] = nq_requantize(acc, multipliers[c], shifts[c], output_offset, act_min, act_max);
                    }
                }
            }
        }
    }
}
