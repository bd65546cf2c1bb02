/*
 * The DSP CONV_2D kernel (conv_2d_dsp.c) against the portable kernel on random shapes the goldens do not have, aimed
 * at each of its paths: general shapes (input depths a multiple of 4, kernels 1-5, strides 1-2, dilation 2, padding),
 * first layers of 1-7 input channels (the padded-row layout; kws-like tall kernels of one channel), 1 x 1 layers of 8
 * and 16 input channels (the pointwise passes) and of fewer than 4 output channels (the conv as a fully connected
 * layer), outputs of fewer than 4 pixels and last blocks of 1-3, patches past NQ_DSP_PATCH_MAX (the portable kernel);
 * batches 1-2; full-range and narrower clamps; channels of huge bias, of shift 0, of left shifts and of right shifts
 * past 22 (random_channel), none, a few or many per layer (the block passes' slow channels, the generic pass, the C
 * loop). nq_conv_2d_dsp runs first; where it declines, nq_conv_2d (the DSP build's fallbacks). Every output byte is
 * compared, and the bytes after the output. Built for the emulated Cortex-M4 and M7 and run by
 * native/tests/cortex-m/random.sh (replay.sh --check); prints "conv_2d random: N shapes (D through nq_conv_2d_dsp), 0 mismatches"
 * and exits 0 when all are byte-exact.
 */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include "nanoquant_kernels.h"
#include "nq_dsp.h"
#include "random_cases.h"

void nq_conv_2d(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *bias, const int32_t *folded_bias,
                const int32_t *multipliers, const int32_t *shifts, int8_t *output);
/* the portable kernel, the same file built with -DNQ_NO_DSP under this name */
void nq_conv_2d_portable(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *bias, const int32_t *folded_bias,
                         const int32_t *multipliers, const int32_t *shifts, int8_t *output);

#define MAX_SIDE 16
#define MAX_DEPTH 32
#define MAX_CHANNELS 40
#define MAX_PATCH (5 * 5 * MAX_DEPTH)
#define MAX_INPUT (2 * MAX_SIDE * MAX_SIDE * MAX_DEPTH)
#define MAX_OUTPUT (2 * MAX_SIDE * MAX_SIDE * MAX_CHANNELS)
/* bytes after the output that must stay as they were */
#define GUARD 16
/* multiply-accumulates per shape at most (the portable kernel on the emulator sets the pace) */
#define MAX_MACS 200000

static int8_t input[MAX_INPUT];
static int8_t filter[MAX_CHANNELS * MAX_PATCH];
static int8_t dsp_out[MAX_OUTPUT + GUARD];
static int8_t portable_out[MAX_OUTPUT + GUARD];
static int32_t bias[MAX_CHANNELS];
static int32_t folded[MAX_CHANNELS];
static int32_t multipliers[MAX_CHANNELS];
static int32_t shifts[MAX_CHANNELS];

/* One side's kernel extent, stride, dilation and padding; 0 when the input (padded) is shorter than the kernel. */
static int32_t output_side(int32_t in, int32_t kernel, int32_t stride, int32_t dilation, int32_t pad)
{
    const int32_t span = ((kernel - 1) * dilation) + 1;
    return in + (2 * pad) < span ? 0 : ((in + (2 * pad) - span) / stride) + 1;
}

int main(void)
{
    int shapes = 0;
    int through_dsp = 0;
    int mismatches = 0;
    int turn;
    for (turn = 0; turn < 5000 && shapes < 2000; turn++)
    {
        int32_t p[NQ_CONV_COUNT];
        const int32_t kind = uniform(0, 5);
        int32_t batches = uniform(1, 2);
        int32_t in_height = uniform(1, MAX_SIDE);
        int32_t in_width = uniform(1, MAX_SIDE);
        int32_t depth = 4 * uniform(1, MAX_DEPTH / 4);
        int32_t out_depth = uniform(1, MAX_CHANNELS);
        int32_t kernel_height = uniform(1, 5);
        int32_t kernel_width = uniform(1, 5);
        int32_t stride_height = uniform(1, 2);
        int32_t stride_width = uniform(1, 2);
        int32_t dilation_height = uniform(0, 5) == 0 ? 2 : 1;
        int32_t dilation_width = uniform(0, 5) == 0 ? 2 : 1;
        int32_t pad_top = uniform(0, 1) ? uniform(0, 2) : 0;
        int32_t pad_left = uniform(0, 1) ? uniform(0, 2) : 0;
        const int32_t odd_channels = uniform(0, 3);
        const int32_t weight_range = uniform(0, 3) == 0 ? 3 : 127;
        int32_t out_height;
        int32_t out_width;
        int32_t patch;
        int32_t i;
        int32_t c;
        int32_t n;
        int taken;
        switch (kind)
        {
            case 1:
                /* first layers: 1-7 input channels, not a multiple of 4 */
                depth = uniform(1, 7);
                depth = depth == 4 ? 3 : depth;
                kernel_height = uniform(1, 4);
                kernel_width = uniform(1, 4);
                dilation_height = 1;
                dilation_width = uniform(0, 7) == 0 ? 2 : 1;
                break;
            case 2:
                /* 1 x 1, stride 1, no padding: the pointwise passes (8 or 16 input channels, an even output depth),
                 * fewer than 4 output channels (the conv as a fully connected layer) */
                depth = uniform(0, 2) == 0 ? 4 * uniform(1, MAX_DEPTH / 4) : 8 * uniform(1, 2);
                out_depth = uniform(0, 4) == 0 ? uniform(1, 3) : 2 * uniform(2, MAX_CHANNELS / 2);
                kernel_height = 1;
                kernel_width = 1;
                stride_height = 1;
                stride_width = 1;
                dilation_height = 1;
                dilation_width = 1;
                pad_top = 0;
                pad_left = 0;
                break;
            case 3:
                /* fewer than 4 output pixels */
                in_height = uniform(1, 3);
                in_width = uniform(1, 3);
                kernel_height = uniform(1, 3);
                kernel_width = uniform(1, 3);
                break;
            case 4:
                /* kws's first layer: one channel, a tall kernel */
                depth = 1;
                kernel_height = uniform(5, 10);
                kernel_width = uniform(2, 4);
                in_height = uniform(10, MAX_SIDE);
                dilation_height = 1;
                dilation_width = 1;
                break;
            default:
                break;
        }

        out_height = output_side(in_height, kernel_height, stride_height, dilation_height, pad_top);
        out_width = output_side(in_width, kernel_width, stride_width, dilation_width, pad_left);
        patch = kernel_height * kernel_width * depth;
        if (out_height == 0 || out_width == 0
            || (int64_t)batches * out_height * out_width * out_depth * patch > MAX_MACS)
        {
            continue;
        }

        memset(p, 0, sizeof p);
        p[NQ_CONV_BATCHES] = batches;
        p[NQ_CONV_INPUT_HEIGHT] = in_height;
        p[NQ_CONV_INPUT_WIDTH] = in_width;
        p[NQ_CONV_INPUT_DEPTH] = depth;
        p[NQ_CONV_OUTPUT_HEIGHT] = out_height;
        p[NQ_CONV_OUTPUT_WIDTH] = out_width;
        p[NQ_CONV_OUTPUT_DEPTH] = out_depth;
        p[NQ_CONV_KERNEL_HEIGHT] = kernel_height;
        p[NQ_CONV_KERNEL_WIDTH] = kernel_width;
        p[NQ_CONV_FILTER_DEPTH] = depth;
        p[NQ_CONV_STRIDE_HEIGHT] = stride_height;
        p[NQ_CONV_STRIDE_WIDTH] = stride_width;
        p[NQ_CONV_DILATION_HEIGHT] = dilation_height;
        p[NQ_CONV_DILATION_WIDTH] = dilation_width;
        p[NQ_CONV_PAD_TOP] = pad_top;
        p[NQ_CONV_PAD_LEFT] = pad_left;
        p[NQ_CONV_INPUT_OFFSET] = uniform(-127, 128);
        p[NQ_CONV_OUTPUT_OFFSET] = uniform(-128, 127);
        random_clamp_or_full(&p[NQ_CONV_ACTIVATION_MIN], &p[NQ_CONV_ACTIVATION_MAX]);
        random_values(input, batches * in_height * in_width * depth, -128, 127);
        random_values(filter, out_depth * patch, -weight_range, weight_range);
        for (c = 0; c < out_depth; c++)
        {
            /* none, one in 32, one in 8 or one in 2 channels off the block passes' usual requantization */
            static const int32_t odd_in[4] = { 0, 32, 8, 2 };
            random_channel(odd_in[odd_channels], &bias[c], &multipliers[c], &shifts[c]);
        }

        random_fold_bias(folded, bias, filter, out_depth, patch, p[NQ_CONV_INPUT_OFFSET]);

        n = batches * out_height * out_width * out_depth;
        memset(dsp_out, 0x55, (size_t)(n + GUARD));
        memset(portable_out, 0x55, (size_t)(n + GUARD));
        taken = nq_conv_2d_dsp(p, input, filter, bias, multipliers, shifts, dsp_out);
        if (!taken)
        {
            nq_conv_2d(p, input, filter, bias, folded, multipliers, shifts, dsp_out);
        }

        nq_conv_2d_portable(p, input, filter, bias, folded, multipliers, shifts, portable_out);
        shapes++;
        through_dsp += taken;
        i = random_difference(dsp_out, portable_out, n + GUARD);
        if (i >= 0)
        {
            if (mismatches++ < 10)
            {
                c = i % out_depth;
                printf("mismatch (%s): batches %d, %d x %d x %d, kernel %d x %d -> %d, stride %d x %d, dilation %d x %d, padding %d, %d "
                       "-> %d x %d, offsets %d, %d, clamp %d..%d: byte %d (channel %d: bias %d, multiplier %d, shift %d) %d, portable %d\n",
                       taken ? "nq_conv_2d_dsp" : "nq_conv_2d", (int)batches, (int)in_height, (int)in_width, (int)depth,
                       (int)kernel_height, (int)kernel_width, (int)out_depth, (int)stride_height, (int)stride_width,
                       (int)dilation_height, (int)dilation_width, (int)pad_top, (int)pad_left, (int)out_height, (int)out_width,
                       (int)p[NQ_CONV_INPUT_OFFSET], (int)p[NQ_CONV_OUTPUT_OFFSET], (int)p[NQ_CONV_ACTIVATION_MIN],
                       (int)p[NQ_CONV_ACTIVATION_MAX], (int)i, (int)c, (int)bias[c], (int)multipliers[c], (int)shifts[c],
                       (int)dsp_out[i], (int)portable_out[i]);
            }
        }
    }

    printf("conv_2d random: %d shapes (%d through nq_conv_2d_dsp), %d mismatches\n", shapes, through_dsp, mismatches);
    return mismatches != 0;
}
