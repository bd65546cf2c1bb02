/*
 * nanoQuant native kernels: the int8 operators of the device runtime in portable C99, bit-exact with
 * the managed kernels in device/Kernels (which are bit-exact with TensorFlow Lite Micro's reference
 * kernels). No heap, no floating point, no state between calls.
 *
 * One entry point, nq_run: the managed side (the native/bindings C# bindings) hands over one operator's
 * parameters as an int32 array laid out as below, its int8 buffers (input, second operand, output:
 * whole arrays with the tensor's start in the parameters) and up to four int32 arrays (bias, tables,
 * multipliers, shifts). nq_run checks that every index the operator will touch lies inside the
 * buffers it was given, then runs the operator's kernel on pointers to the tensors' first elements.
 */
#ifndef NANOQUANT_KERNELS_H
#define NANOQUANT_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of the parameter layout and entry points below; the managed side refuses a native part of another
 * version (KernelBackend.AbiVersion). 2: the operator codes became the device model's OperatorType values.
 * 3: nq_kernel_for, the kernel a call goes to (NQ_KERNEL_*), is part of the interface. */
#define NQ_ABI_VERSION 3

/* Operator codes (parameter 0): the device model format's operator types (shared/OperatorType.cs). The
 * values below and every NQ_* parameter index are compared with their C# twins in native/bindings
 * (Native*Layout.cs, NativeOperator.cs) by tests/NanoQuant.Tests/Native/NativeHeaderTests.cs. */
#define NQ_OP_FULLY_CONNECTED 1
#define NQ_OP_CONV_2D 2
#define NQ_OP_DEPTHWISE_CONV_2D 3
#define NQ_OP_AVERAGE_POOL_2D 4
#define NQ_OP_MAX_POOL_2D 5
#define NQ_OP_SOFTMAX 7
#define NQ_OP_ADD 8 /* also SUB: input 2's table is negated */
#define NQ_OP_MUL 10
#define NQ_OP_MEAN 12

/* nq_run results. */
#define NQ_OK 0
#define NQ_ERROR_OPERATOR (-1)   /* unknown operator code or too few parameters */
#define NQ_ERROR_PARAMETER (-2)  /* a parameter is outside what the kernel accepts */
#define NQ_ERROR_BOUNDS (-3)     /* a buffer is missing or too small for the shapes */

/* Which kernel nq_run gives a call (nq_kernel_for): nanoQuant's own (portable C, or its DSP paths where the
 * build has them) or a vendor library's (vendor.h: a build option). */
#define NQ_KERNEL_OWN 0
#define NQ_KERNEL_CMSIS_NN 1
#define NQ_KERNEL_ESP_NN 2

/* Parameters every operator has. */
enum
{
    NQ_P_OPERATOR = 0,
    NQ_P_INPUT_START = 1,  /* first element of the input in buffer a */
    NQ_P_SECOND_START = 2, /* first element of the filter / input 2 in buffer b */
    NQ_P_OUTPUT_START = 3, /* first element of the output in buffer out */
    NQ_P_INPUT_LENGTH = 4, /* elements of the input tensor (the kernel reads no further) */
    NQ_P_SECOND_LENGTH = 5,
    NQ_P_OUTPUT_LENGTH = 6,
    NQ_P_FIRST = 7
};

/* CONV_2D and DEPTHWISE_CONV_2D. Buffers: a input, b filter, out output; t0 bias, t1 folded bias,
 * t2 multipliers, t3 shifts (one per output channel). Conv filter [out d, k h, k w, filter depth];
 * depthwise filter channel-major [out d, k h, k w]. */
enum
{
    NQ_CONV_BATCHES = NQ_P_FIRST,
    NQ_CONV_INPUT_HEIGHT,
    NQ_CONV_INPUT_WIDTH,
    NQ_CONV_INPUT_DEPTH,
    NQ_CONV_OUTPUT_HEIGHT,
    NQ_CONV_OUTPUT_WIDTH,
    NQ_CONV_OUTPUT_DEPTH,
    NQ_CONV_KERNEL_HEIGHT,
    NQ_CONV_KERNEL_WIDTH,
    NQ_CONV_FILTER_DEPTH, /* conv: input channels per group; depthwise: depth multiplier */
    NQ_CONV_STRIDE_HEIGHT,
    NQ_CONV_STRIDE_WIDTH,
    NQ_CONV_DILATION_HEIGHT,
    NQ_CONV_DILATION_WIDTH,
    NQ_CONV_PAD_TOP,
    NQ_CONV_PAD_LEFT,
    NQ_CONV_INPUT_OFFSET,
    NQ_CONV_OUTPUT_OFFSET,
    NQ_CONV_ACTIVATION_MIN,
    NQ_CONV_ACTIVATION_MAX,
    NQ_CONV_COUNT
};

/* FULLY_CONNECTED. Buffers: a input, b filter [units, depth], out output; t0 folded bias [units],
 * t1 multipliers, t2 shifts ([units] or [1]). */
enum
{
    NQ_FC_BATCHES = NQ_P_FIRST,
    NQ_FC_DEPTH,
    NQ_FC_UNITS,
    NQ_FC_PER_CHANNEL,
    NQ_FC_OUTPUT_OFFSET,
    NQ_FC_ACTIVATION_MIN,
    NQ_FC_ACTIVATION_MAX,
    NQ_FC_COUNT
};

/* AVERAGE_POOL_2D and MAX_POOL_2D. Buffers: a input, out output. */
enum
{
    NQ_POOL_BATCHES = NQ_P_FIRST,
    NQ_POOL_INPUT_HEIGHT,
    NQ_POOL_INPUT_WIDTH,
    NQ_POOL_DEPTH,
    NQ_POOL_OUTPUT_HEIGHT,
    NQ_POOL_OUTPUT_WIDTH,
    NQ_POOL_STRIDE_HEIGHT,
    NQ_POOL_STRIDE_WIDTH,
    NQ_POOL_FILTER_HEIGHT,
    NQ_POOL_FILTER_WIDTH,
    NQ_POOL_PAD_TOP,
    NQ_POOL_PAD_LEFT,
    NQ_POOL_ACTIVATION_MIN,
    NQ_POOL_ACTIVATION_MAX,
    NQ_POOL_COUNT
};

/* Broadcast plan of ADD and MUL (device/Kernels/Broadcast.cs): the output is written contiguously,
 * INNER elements per step of an odometer over OUTER_RANK (≤ 5) outer axes. */
#define NQ_BROADCAST_MAX_OUTER 5
enum
{
    NQ_BC_INNER = NQ_P_FIRST,
    NQ_BC_STEP1,
    NQ_BC_STEP2,
    NQ_BC_OUTER_RANK,
    NQ_BC_COUNTS,                                       /* 5 outer axis sizes, outermost first */
    NQ_BC_STRIDES1 = NQ_BC_COUNTS + NQ_BROADCAST_MAX_OUTER, /* 5 input 1 strides */
    NQ_BC_STRIDES2 = NQ_BC_STRIDES1 + NQ_BROADCAST_MAX_OUTER, /* 5 input 2 strides */
    NQ_BC_END = NQ_BC_STRIDES2 + NQ_BROADCAST_MAX_OUTER
};

/* ADD (and SUB). Buffers: a input 1, b input 2, out output; t0, t1 the 256-entry rescaled tables. */
enum
{
    NQ_ADD_OUTPUT_OFFSET = NQ_BC_END,
    NQ_ADD_MULTIPLIER,
    NQ_ADD_SHIFT,
    NQ_ADD_ACTIVATION_MIN,
    NQ_ADD_ACTIVATION_MAX,
    NQ_ADD_COUNT
};

/* MUL. Buffers: a input 1, b input 2, out output. */
enum
{
    NQ_MUL_ZERO_POINT1 = NQ_BC_END,
    NQ_MUL_ZERO_POINT2,
    NQ_MUL_OUTPUT_OFFSET,
    NQ_MUL_MULTIPLIER,
    NQ_MUL_SHIFT,
    NQ_MUL_ACTIVATION_MIN,
    NQ_MUL_ACTIVATION_MAX,
    NQ_MUL_COUNT
};

/* SOFTMAX. Buffers: a input, out output; t0 exp(d), t1 exp(d) in Q12, both indexed by d + 255. */
enum
{
    NQ_SOFTMAX_ROWS = NQ_P_FIRST,
    NQ_SOFTMAX_DEPTH,
    NQ_SOFTMAX_COUNT
};

/* MEAN. Buffers: a input, out output. Three kept and three reduced levels (count, stride), outermost first. */
enum
{
    NQ_MEAN_KEPT_COUNTS = NQ_P_FIRST,
    NQ_MEAN_KEPT_STRIDES = NQ_MEAN_KEPT_COUNTS + 3,
    NQ_MEAN_REDUCED_COUNTS = NQ_MEAN_KEPT_STRIDES + 3,
    NQ_MEAN_REDUCED_STRIDES = NQ_MEAN_REDUCED_COUNTS + 3,
    NQ_MEAN_CORRECTION = NQ_MEAN_REDUCED_STRIDES + 3,
    NQ_MEAN_MULTIPLIER,
    NQ_MEAN_SHIFT,
    NQ_MEAN_OUTPUT_OFFSET,
    NQ_MEAN_COUNT
};

/*
 * Checks and runs one operator. Buffers are whole arrays with their lengths in elements (unused ones
 * NULL with length 0): a the input, b the filter or second input, out the output, t0..t3 the int32
 * operands. Returns NQ_OK or a negative NQ_ERROR_*; on error nothing is written.
 */
int32_t nq_run(const int32_t *params, int32_t param_count, const int8_t *a, int32_t a_length, const int8_t *b,
               int32_t b_length, int8_t *out, int32_t out_length, const int32_t *t0, int32_t t0_length, const int32_t *t1,
               int32_t t1_length, const int32_t *t2, int32_t t2_length, const int32_t *t3, int32_t t3_length);

/*
 * The kernel nq_run would run these parameters with (NQ_KERNEL_*; the starts and lengths are not read): the
 * build's rule table (dispatch.c), asked once per operator at load so that `bench --per-op` can say which ran.
 * A vendor call that finds its scratch too small still falls back to nanoQuant's kernel.
 */
int32_t nq_kernel_for(const int32_t *params, int32_t param_count);

/* The kernels, on pointers to each tensor's first element; nq_run has checked the shapes. */
void nq_conv_2d(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *bias, const int32_t *folded_bias,
                const int32_t *multipliers, const int32_t *shifts, int8_t *output);
void nq_depthwise_conv_2d(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                          const int32_t *folded_bias, const int32_t *multipliers, const int32_t *shifts, int8_t *output);
void nq_fully_connected(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *folded_bias,
                        const int32_t *multipliers, const int32_t *shifts, int8_t *output);
void nq_average_pool_2d(const int32_t *p, const int8_t *input, int8_t *output);
void nq_max_pool_2d(const int32_t *p, const int8_t *input, int8_t *output);
void nq_add(const int32_t *p, const int8_t *input1, const int8_t *input2, const int32_t *table1, const int32_t *table2,
            int8_t *output);
void nq_mul(const int32_t *p, const int8_t *input1, const int8_t *input2, int8_t *output);
void nq_softmax(const int32_t *p, const int8_t *input, const int32_t *exp_table, const int32_t *exp_accumulated,
                int8_t *output);
void nq_mean(const int32_t *p, const int8_t *input, int8_t *output);

#ifdef __cplusplus
}
#endif

#endif /* NANOQUANT_KERNELS_H */
