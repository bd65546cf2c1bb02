/*
 * The DSP depthwise kernels against the portable kernel on random shapes the goldens do not have: multiplier 1 (the
 * planar and 3 x 3 ones: 3 x 3, input depth a multiple of 4; heights 1-40, widths 1-70: runs past the planar kernel's
 * 62 too) and multipliers 2, 3, 4 and 8 (nq_depthwise_multiplier_dsp: input depth 1-4, 3 x 3, 5 x 5 and other windows
 * up to 7 x 9, heights 1-20, widths 1-40), padding 0 to the window size - 1, strides 1 and 2 on each side, batches
 * 1-2, full, ReLU6-like and two-sided clamps,
 * channels of huge bias (the generic requantization) and of shifts 0-3 (the left-shift form), every output byte
 * compared. Built for the emulated Cortex-M4 and M7 and run by native/tests/cortex-m/random.sh (replay.sh --check); prints
 * "depthwise random: N shapes, 0 mismatches" and exits 0 when all are byte-exact.
 */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include "nanoquant_kernels.h"
#include "random_cases.h"

void nq_depthwise_conv_2d(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                          const int32_t *folded_bias, const int32_t *multipliers, const int32_t *shifts, int8_t *output);
/* the portable kernel, the same file built with -DNQ_NO_DSP under this name */
void nq_depthwise_conv_2d_portable(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                                   const int32_t *folded_bias, const int32_t *multipliers, const int32_t *shifts, int8_t *output);

#define MAX_VALUES (2 * 40 * 70 * 16)

static int8_t input[MAX_VALUES];
#define MAX_CHANNELS 32
static int8_t filter[MAX_CHANNELS * 63];
static int8_t dsp_out[MAX_VALUES];
static int8_t portable_out[MAX_VALUES];
static int32_t bias[MAX_CHANNELS];
static int32_t folded[MAX_CHANNELS];
static int32_t multipliers[MAX_CHANNELS];
static int32_t shifts[MAX_CHANNELS];
static const int32_t multiplier_choices[4] = {2, 3, 4, 8};

int main(void)
{
    int shapes = 0;
    int mismatches = 0;
    int turn;
    for (turn = 0; turn < 2500; turn++)
    {
        int32_t p[NQ_CONV_COUNT];
        /* turns 1500 on: multipliers > 1 */
        const int32_t multiplier = turn < 1500 ? 1 : multiplier_choices[uniform(0, 3)];
        const int32_t square = uniform(0, 3);
        const int32_t kernel_height = multiplier == 1 ? 3 : (square == 0 ? 3 : (square == 1 ? 5 : uniform(1, 7)));
        /* widths up to 9: up to 5 pair words, the pass's loop over any count of words */
        const int32_t kernel_width = multiplier == 1 ? 3 : (square == 0 ? 3 : (square == 1 ? 5 : uniform(1, 9)));
        const int32_t taps = kernel_height * kernel_width;
        const int32_t batches = uniform(1, 2);
        const int32_t in_height = multiplier == 1 ? uniform(1, 40) : uniform(1, 20);
        const int32_t in_width = multiplier == 1 ? uniform(1, 70) : uniform(1, 40);
        const int32_t in_depth = multiplier == 1 ? 4 * uniform(1, 4) : uniform(1, 4);
        const int32_t depth = in_depth * multiplier;
        const int32_t stride_height = uniform(1, 2);
        const int32_t stride_width = uniform(1, 2);
        const int32_t padded = uniform(0, 1);
        const int32_t pad_top = padded ? uniform(0, kernel_height - 1) : 0;
        const int32_t pad_left = padded ? uniform(0, kernel_width - 1) : 0;
        const int32_t out_height = ((in_height + (2 * pad_top) - kernel_height) / stride_height) + 1;
        const int32_t out_width = ((in_width + (2 * pad_left) - kernel_width) / stride_width) + 1;
        int32_t c;
        if (in_height + (2 * pad_top) < kernel_height || in_width + (2 * pad_left) < kernel_width
            || batches * out_height * out_width * depth > MAX_VALUES)
        {
            continue;
        }

        memset(p, 0, sizeof p);
        p[NQ_CONV_BATCHES] = batches;
        p[NQ_CONV_INPUT_HEIGHT] = in_height;
        p[NQ_CONV_INPUT_WIDTH] = in_width;
        p[NQ_CONV_INPUT_DEPTH] = in_depth;
        p[NQ_CONV_OUTPUT_HEIGHT] = out_height;
        p[NQ_CONV_OUTPUT_WIDTH] = out_width;
        p[NQ_CONV_OUTPUT_DEPTH] = depth;
        p[NQ_CONV_KERNEL_HEIGHT] = kernel_height;
        p[NQ_CONV_KERNEL_WIDTH] = kernel_width;
        p[NQ_CONV_FILTER_DEPTH] = multiplier;
        p[NQ_CONV_STRIDE_HEIGHT] = stride_height;
        p[NQ_CONV_STRIDE_WIDTH] = stride_width;
        p[NQ_CONV_DILATION_HEIGHT] = 1;
        p[NQ_CONV_DILATION_WIDTH] = 1;
        p[NQ_CONV_PAD_TOP] = pad_top;
        p[NQ_CONV_PAD_LEFT] = pad_left;
        p[NQ_CONV_INPUT_OFFSET] = uniform(-127, 128);
        p[NQ_CONV_OUTPUT_OFFSET] = uniform(-128, 127);
        random_clamp(&p[NQ_CONV_ACTIVATION_MIN], &p[NQ_CONV_ACTIVATION_MAX]);
        random_values(input, batches * in_height * in_width * in_depth, -128, 127);
        random_values(filter, depth * taps, -127, 127);
        for (c = 0; c < depth; c++)
        {
            bias[c] = uniform(0, 9) == 0 ? uniform(-1000000000, 1000000000) : uniform(-20000, 20000);
            multipliers[c] = uniform(1 << 30, 0x7FFFFFFF);
            shifts[c] = uniform(0, 7) == 0 ? uniform(0, 3) : uniform(-12, -1);
        }

        random_fold_bias(folded, bias, filter, depth, taps, p[NQ_CONV_INPUT_OFFSET]);

        memset(dsp_out, 0x55, sizeof dsp_out);
        memset(portable_out, 0x55, sizeof portable_out);
        nq_depthwise_conv_2d(p, input, filter, bias, folded, multipliers, shifts, dsp_out);
        nq_depthwise_conv_2d_portable(p, input, filter, bias, folded, multipliers, shifts, portable_out);
        shapes++;
        if (memcmp(dsp_out, portable_out, sizeof dsp_out) != 0)
        {
            if (mismatches++ < 10)
            {
                printf("mismatch: multiplier %d, window %d x %d, batches %d, %d x %d x %d, stride %d x %d, padding %d, %d -> %d x %d, clamp %d..%d\n", (int)multiplier, (int)kernel_height, (int)kernel_width, (int)batches,
                       (int)in_height, (int)in_width, (int)in_depth, (int)stride_height, (int)stride_width, (int)pad_top, (int)pad_left,
                       (int)out_height, (int)out_width, (int)p[NQ_CONV_ACTIVATION_MIN], (int)p[NQ_CONV_ACTIVATION_MAX]);
            }
        }
    }

    printf("depthwise random: %d shapes, %d mismatches\n", shapes, mismatches);
    return mismatches != 0;
}
