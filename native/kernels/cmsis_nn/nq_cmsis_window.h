/*
 * What CONV_2D and DEPTHWISE_CONV_2D hand CMSIS-NN alike, from nq_run's parameters (nanoquant_kernels.h): the
 * window (stride, padding, dilation), the activation clamp, the per-channel quantization, and the input, bias and
 * output shapes (NHWC; the bias one value per output channel).
 */
#ifndef NQ_CMSIS_WINDOW_H
#define NQ_CMSIS_WINDOW_H

#include "../nanoquant_kernels.h"
#include "arm_nnfunctions.h"

typedef struct nq_cmsis_window
{
    cmsis_nn_tile stride;
    cmsis_nn_tile padding;
    cmsis_nn_tile dilation;
    cmsis_nn_activation activation;
    cmsis_nn_per_channel_quant_params quant;
    cmsis_nn_dims input;
    cmsis_nn_dims bias;
    cmsis_nn_dims output;
} nq_cmsis_window;

static inline void nq_cmsis_window_of(const int32_t *p, const int32_t *multipliers, const int32_t *shifts, nq_cmsis_window *w)
{
    w->stride.w = p[NQ_CONV_STRIDE_WIDTH];
    w->stride.h = p[NQ_CONV_STRIDE_HEIGHT];
    w->padding.w = p[NQ_CONV_PAD_LEFT];
    w->padding.h = p[NQ_CONV_PAD_TOP];
    w->dilation.w = p[NQ_CONV_DILATION_WIDTH];
    w->dilation.h = p[NQ_CONV_DILATION_HEIGHT];
    w->activation.min = p[NQ_CONV_ACTIVATION_MIN];
    w->activation.max = p[NQ_CONV_ACTIVATION_MAX];
    w->quant.multiplier = (int32_t *)multipliers;
    w->quant.shift = (int32_t *)shifts;
    w->input.n = p[NQ_CONV_BATCHES];
    w->input.h = p[NQ_CONV_INPUT_HEIGHT];
    w->input.w = p[NQ_CONV_INPUT_WIDTH];
    w->input.c = p[NQ_CONV_INPUT_DEPTH];
    w->bias.n = 1;
    w->bias.h = 1;
    w->bias.w = 1;
    w->bias.c = p[NQ_CONV_OUTPUT_DEPTH];
    w->output.n = p[NQ_CONV_BATCHES];
    w->output.h = p[NQ_CONV_OUTPUT_HEIGHT];
    w->output.w = p[NQ_CONV_OUTPUT_WIDTH];
    w->output.c = p[NQ_CONV_OUTPUT_DEPTH];
}

#endif /* NQ_CMSIS_WINDOW_H */
