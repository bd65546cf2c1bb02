/*
 * CONV_2D, int8, per-channel (TFLM reference_integer_ops::ConvPerChannel), grouped convolutions
 * included — the native twin of device/Kernels/Conv2DKernel.cs, same operands and parameters.
 * Output positions whose whole window lies inside the input accumulate Σ x × w onto the folded bias
 * (bias + input offset × Σ w); the others skip the taps outside the input and accumulate
 * Σ (x + input offset) × w onto the bias, as TFLM does. Both are the same int32 value.
 * With one group and dilation width 1 a filter row is one contiguous run of kernel width × depth
 * values in the input as in the filter: one dot product per row.
 */
#include "nanoquant_kernels.h"
#include "quantized_math.h"
#include "dot.h"
#include "nq_window.h"
#include "nq_dsp.h"
#include <string.h>

void nq_conv_2d(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *bias, const int32_t *folded_bias,
                const int32_t *multipliers, const int32_t *shifts, int8_t *output)
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
    const int32_t filter_depth = p[NQ_CONV_FILTER_DEPTH];
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
    const int32_t groups = in_depth / filter_depth;
    const int32_t filters_per_group = out_depth / groups;
    const int32_t row_length = kernel_height * kernel_width * filter_depth;
    const int32_t merge_columns = dilation_width == 1 && groups == 1;
    const int32_t input_row_step = dilation_height * in_width * in_depth;
    const int32_t input_column_step = dilation_width * in_depth;
    const int32_t filter_row_step = kernel_width * filter_depth;
    int32_t b;
    int32_t oy;
    int32_t ox;
    int32_t c;

#ifdef NQ_DSP
    if (nq_conv_2d_dsp(p, input, filter, bias, multipliers, shifts, output))
    {
        return;
    }

    if (groups == 1 && kernel_height == 1 && kernel_width == 1 && stride_height == 1 && stride_width == 1 && pad_top == 0
        && pad_left == 0 && out_height == in_height && out_width == in_width)
    {
        /* A pointwise convolution the DSP conv leaves (fewer than 4 output channels: person_detect's last, 256 → 2) is a
         * fully connected layer over the pixels: every tap inside the input, so the folded bias. */
        int32_t fc[NQ_FC_COUNT];
        memcpy(fc, p, NQ_P_FIRST * sizeof fc[0]);
        fc[NQ_FC_BATCHES] = batches * in_height * in_width;
        fc[NQ_FC_DEPTH] = in_depth;
        fc[NQ_FC_UNITS] = out_depth;
        fc[NQ_FC_PER_CHANNEL] = 1;
        fc[NQ_FC_OUTPUT_OFFSET] = output_offset;
        fc[NQ_FC_ACTIVATION_MIN] = act_min;
        fc[NQ_FC_ACTIVATION_MAX] = act_max;
        if (nq_fully_connected_dsp(fc, input, filter, folded_bias, multipliers, shifts, output))
        {
            return;
        }
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
                const int32_t first_weight = ((ky_first * kernel_width) + kx_first) * filter_depth;
                const int32_t merged_length = columns * filter_depth;
                int8_t *out = output + ((((b * out_height) + oy) * out_width) + ox) * out_depth;
                for (c = 0; c < out_depth; c++)
                {
                    const int32_t group = c / filters_per_group;
                    const int8_t *group_tap = first_tap + (group * filter_depth);
                    const int8_t *row_weight = filter + (c * row_length) + first_weight;
                    uint32_t acc = (uint32_t)(interior ? folded_bias[c] : bias[c]);
                    int32_t r;
                    if (!empty)
                    {
                        const int8_t *row_input = group_tap;
                        for (r = 0; r < rows; r++)
                        {
                            if (merge_columns)
                            {
                                acc = interior ? nq_dot(acc, row_input, row_weight, merged_length)
                                               : nq_dot_offset(acc, row_input, row_weight, merged_length, input_offset);
                            }
                            else
                            {
                                const int8_t *column_input = row_input;
                                const int8_t *w = row_weight;
                                int32_t k;
                                for (k = 0; k < columns; k++)
                                {
                                    acc = interior ? nq_dot(acc, column_input, w, filter_depth)
                                                   : nq_dot_offset(acc, column_input, w, filter_depth, input_offset);
                                    column_input += input_column_step;
                                    w += filter_depth;
                                }
                            }

                            row_input += input_row_step;
                            row_weight += filter_row_step;
                        }
                    }

                    out[c] = nq_requantize(acc, multipliers[c], shifts[c], output_offset, act_min, act_max);
                }
            }
        }
    }
}
