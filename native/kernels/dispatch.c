/*
 * nq_run: checks one operator's parameters against the buffers it was handed and runs its kernel.
 * The managed kernels have checked the model at load; these checks are what keeps a bug or a
 * mismatched managed part from reading or writing outside the arrays nanoCLR gave us (on a
 * microcontroller that is the firmware's own memory). All size arithmetic is done in 64 bits.
 */
#include <stddef.h>
#include "nanoquant_kernels.h"
#include "quantized_math.h"
#include "vendor.h"

#define NQ_INT32_LIMIT ((int64_t)INT32_MAX)

#ifdef NQ_VENDOR
int8_t nq_vendor_scratch[NQ_VENDOR_SCRATCH_BYTES];
#endif

/* The buffers of one call; lengths in elements. */
typedef struct nq_buffers
{
    const int8_t *a;
    int32_t a_length;
    const int8_t *b;
    int32_t b_length;
    int8_t *out;
    int32_t out_length;
    const int32_t *t[4];
    int32_t t_length[4];
} nq_buffers;

/* Elements a kernel may touch from a tensor's start: the tensor's length, or -1 when the tensor does
 * not lie inside its array. */
static int64_t nq_room(int32_t length, int32_t start, int32_t tensor_length, const void *data)
{
    if (data == NULL || start < 0 || tensor_length < 0 || (int64_t)start + tensor_length > length)
    {
        return -1;
    }

    return tensor_length;
}

static int nq_in_range(int32_t v, int32_t min, int32_t max)
{
    return v >= min && v <= max;
}

static int nq_shifts_valid(const int32_t *shifts, int32_t count)
{
    int32_t i;
    for (i = 0; i < count; i++)
    {
        if (!nq_in_range(shifts[i], NQ_MIN_SHIFT, NQ_MAX_SHIFT))
        {
            return 0;
        }
    }

    return 1;
}

static int nq_activation_valid(int32_t min, int32_t max)
{
    return min >= -128 && min <= max && max <= 127;
}

/* The int32 arrays t[0 .. count) each hold at least need[i] values. */
static int nq_tables_hold(const nq_buffers *buffers, const int64_t *need, int32_t count)
{
    int32_t i;
    for (i = 0; i < count; i++)
    {
        if (buffers->t[i] == NULL || (int64_t)buffers->t_length[i] < need[i])
        {
            return 0;
        }
    }

    return 1;
}

/* One window axis: output positions × stride + extent stay within int32, and the padding is sane. */
static int nq_axis_valid(int32_t in, int32_t out, int32_t stride, int32_t extent, int32_t pad)
{
    return in >= 1 && out >= 1 && stride >= 1 && extent >= 1 && pad >= 0 && pad < extent
        && (int64_t)out * stride + extent + in <= NQ_INT32_LIMIT;
}

#ifdef NQ_VENDOR_CMSIS_NN
/*
 * The per-operator choice between CMSIS-NN and nanoQuant's kernels (DSP paths on the M4/M7), both byte-exact with
 * TFLM: a rule table keyed by shape features, derived from instruction counts per call on the emulated Cortex-M4
 * and M7 (native/tests/cortex-m/replay.sh --choice; the table and its figures: docs/benchmarks.md, "Per-operator
 * choice"). 1 = CMSIS-NN is faster for this call.
 */
static int nq_cmsis_nn_faster(const int32_t *p)
{
#ifdef NQ_VENDOR_ALWAYS
    (void)p;
    return 1;
#else
    switch (p[NQ_P_OPERATOR])
    {
        case NQ_OP_CONV_2D:
            /* ours on every conv of the five models: 1x1 convs with fewer than 4 output channels run our DSP
             * fully-connected pass (person_detect's 256 -> 2: 1,920 against CMSIS-NN's 3,360 on the M4), every
             * other conv is 18-41 % cheaper in ours. */
            return 0;
        case NQ_OP_DEPTHWISE_CONV_2D:
            /* ours on every depthwise layer of the five models since the planar 3x3 kernel, also where CMSIS-NN's
             * 3x3 path was ahead before (vww's 3x3x256: 133,000 against 156,840 on the M4; 6x6x128 -> 3x3: 83,480
             * against 85,200); kws's 25x5x64: 171,880 against 557,560; every other multiplier (person_detect's
             * 1 -> 8: 598,840 against 1,841,280; the 5x5 multiplier-2 golden op_dwconv_5x5_mult2_same_s2: 21,760 against
             * 94,400). */
            return 0;
        default:
            /* FULLY_CONNECTED: ours on every layer of the five models but vww's 256 -> 2, one timer tick
             * (40 instructions) behind. */
            return 0;
    }
#endif
}
#endif

int32_t nq_kernel_for(const int32_t *params, int32_t param_count)
{
    if (params == NULL || param_count < NQ_P_FIRST)
    {
        return NQ_KERNEL_OWN;
    }

    switch (params[NQ_P_OPERATOR])
    {
#if defined(NQ_VENDOR_CMSIS_NN)
        case NQ_OP_CONV_2D:
            /* grouped convolutions: CMSIS-NN has none */
            return param_count >= NQ_CONV_COUNT && params[NQ_CONV_FILTER_DEPTH] == params[NQ_CONV_INPUT_DEPTH] && nq_cmsis_nn_faster(params)
                ? NQ_KERNEL_CMSIS_NN : NQ_KERNEL_OWN;
        case NQ_OP_DEPTHWISE_CONV_2D:
            return param_count >= NQ_CONV_COUNT && nq_cmsis_nn_faster(params) ? NQ_KERNEL_CMSIS_NN : NQ_KERNEL_OWN;
        case NQ_OP_FULLY_CONNECTED:
            return param_count >= NQ_FC_COUNT && nq_cmsis_nn_faster(params) ? NQ_KERNEL_CMSIS_NN : NQ_KERNEL_OWN;
#elif defined(NQ_VENDOR_ESP_NN)
        case NQ_OP_CONV_2D:
            return param_count >= NQ_CONV_COUNT && params[NQ_CONV_FILTER_DEPTH] == params[NQ_CONV_INPUT_DEPTH] ? NQ_KERNEL_ESP_NN : NQ_KERNEL_OWN;
        case NQ_OP_FULLY_CONNECTED:
            return NQ_KERNEL_ESP_NN;
#endif
        default:
            return NQ_KERNEL_OWN;
    }
}

static int32_t nq_run_conv(const int32_t *p, int32_t count, const nq_buffers *buffers, int depthwise)
{
    int64_t in_room;
    int64_t filter_room;
    int64_t out_room;
    int64_t input_elements;
    int64_t output_elements;
    int64_t filter_elements;
    int64_t need[4];
    int32_t out_depth;
    if (count < NQ_CONV_COUNT)
    {
        return NQ_ERROR_OPERATOR;
    }

    out_depth = p[NQ_CONV_OUTPUT_DEPTH];
    if (p[NQ_CONV_BATCHES] < 0 || p[NQ_CONV_INPUT_DEPTH] < 1 || out_depth < 1 || p[NQ_CONV_FILTER_DEPTH] < 1
        || !nq_in_range(p[NQ_CONV_KERNEL_HEIGHT], 1, 65536) || !nq_in_range(p[NQ_CONV_KERNEL_WIDTH], 1, 65536)
        || !nq_in_range(p[NQ_CONV_DILATION_HEIGHT], 1, 4096) || !nq_in_range(p[NQ_CONV_DILATION_WIDTH], 1, 4096)
        || !nq_axis_valid(p[NQ_CONV_INPUT_HEIGHT], p[NQ_CONV_OUTPUT_HEIGHT], p[NQ_CONV_STRIDE_HEIGHT],
                          (int32_t)(((int64_t)p[NQ_CONV_KERNEL_HEIGHT] - 1) * p[NQ_CONV_DILATION_HEIGHT] + 1), p[NQ_CONV_PAD_TOP])
        || !nq_axis_valid(p[NQ_CONV_INPUT_WIDTH], p[NQ_CONV_OUTPUT_WIDTH], p[NQ_CONV_STRIDE_WIDTH],
                          (int32_t)(((int64_t)p[NQ_CONV_KERNEL_WIDTH] - 1) * p[NQ_CONV_DILATION_WIDTH] + 1), p[NQ_CONV_PAD_LEFT])
        || !nq_in_range(p[NQ_CONV_INPUT_OFFSET], -127, 128)
        || !nq_activation_valid(p[NQ_CONV_ACTIVATION_MIN], p[NQ_CONV_ACTIVATION_MAX]))
    {
        return NQ_ERROR_PARAMETER;
    }

    if (depthwise)
    {
        /* The depth multiplier; a channel's taps are summed in int32: at most 65,536 of them. */
        if ((int64_t)p[NQ_CONV_INPUT_DEPTH] * p[NQ_CONV_FILTER_DEPTH] != out_depth
            || (int64_t)p[NQ_CONV_KERNEL_HEIGHT] * p[NQ_CONV_KERNEL_WIDTH] > 65536)
        {
            return NQ_ERROR_PARAMETER;
        }

        filter_elements = (int64_t)out_depth * p[NQ_CONV_KERNEL_HEIGHT] * p[NQ_CONV_KERNEL_WIDTH];
    }
    else
    {
        int32_t groups;
        if (p[NQ_CONV_INPUT_DEPTH] % p[NQ_CONV_FILTER_DEPTH] != 0)
        {
            return NQ_ERROR_PARAMETER;
        }

        groups = p[NQ_CONV_INPUT_DEPTH] / p[NQ_CONV_FILTER_DEPTH];
        if (out_depth % groups != 0)
        {
            return NQ_ERROR_PARAMETER;
        }

        filter_elements = (int64_t)out_depth * p[NQ_CONV_KERNEL_HEIGHT] * p[NQ_CONV_KERNEL_WIDTH] * p[NQ_CONV_FILTER_DEPTH];
    }

    input_elements = (int64_t)p[NQ_CONV_BATCHES] * p[NQ_CONV_INPUT_HEIGHT] * p[NQ_CONV_INPUT_WIDTH] * p[NQ_CONV_INPUT_DEPTH];
    output_elements = (int64_t)p[NQ_CONV_BATCHES] * p[NQ_CONV_OUTPUT_HEIGHT] * p[NQ_CONV_OUTPUT_WIDTH] * out_depth;
    in_room = nq_room(buffers->a_length, p[NQ_P_INPUT_START], p[NQ_P_INPUT_LENGTH], buffers->a);
    filter_room = nq_room(buffers->b_length, p[NQ_P_SECOND_START], p[NQ_P_SECOND_LENGTH], buffers->b);
    out_room = nq_room(buffers->out_length, p[NQ_P_OUTPUT_START], p[NQ_P_OUTPUT_LENGTH], buffers->out);
    need[0] = out_depth;
    need[1] = out_depth;
    need[2] = out_depth;
    need[3] = out_depth;
    if (in_room < input_elements || filter_room < filter_elements || out_room < output_elements || !nq_tables_hold(buffers, need, 4))
    {
        return NQ_ERROR_BOUNDS;
    }

    if (!nq_shifts_valid(buffers->t[3], out_depth))
    {
        return NQ_ERROR_PARAMETER;
    }

    if (depthwise)
    {
#ifdef NQ_VENDOR_CMSIS_NN
        if (nq_kernel_for(p, count) == NQ_KERNEL_CMSIS_NN
            && nq_vendor_depthwise_conv_2d(p, buffers->a + p[NQ_P_INPUT_START], buffers->b + p[NQ_P_SECOND_START], buffers->t[0],
                                           buffers->t[2], buffers->t[3], buffers->out + p[NQ_P_OUTPUT_START]))
        {
            return NQ_OK;
        }
#endif
        nq_depthwise_conv_2d(p, buffers->a + p[NQ_P_INPUT_START], buffers->b + p[NQ_P_SECOND_START], buffers->t[0], buffers->t[1],
                             buffers->t[2], buffers->t[3], buffers->out + p[NQ_P_OUTPUT_START]);
    }
    else
    {
#ifdef NQ_VENDOR
        if (nq_kernel_for(p, count) != NQ_KERNEL_OWN
            && nq_vendor_conv_2d(p, buffers->a + p[NQ_P_INPUT_START], buffers->b + p[NQ_P_SECOND_START], buffers->t[0], buffers->t[2],
                              buffers->t[3], buffers->out + p[NQ_P_OUTPUT_START]))
        {
            return NQ_OK;
        }
#endif
        nq_conv_2d(p, buffers->a + p[NQ_P_INPUT_START], buffers->b + p[NQ_P_SECOND_START], buffers->t[0], buffers->t[1],
                   buffers->t[2], buffers->t[3], buffers->out + p[NQ_P_OUTPUT_START]);
    }

    return NQ_OK;
}

static int32_t nq_run_fully_connected(const int32_t *p, int32_t count, const nq_buffers *buffers)
{
    int64_t need[3];
    int32_t quantizers;
    if (count < NQ_FC_COUNT)
    {
        return NQ_ERROR_OPERATOR;
    }

    if (p[NQ_FC_BATCHES] < 0 || p[NQ_FC_DEPTH] < 0 || p[NQ_FC_UNITS] < 1 || !nq_in_range(p[NQ_FC_PER_CHANNEL], 0, 1)
        || !nq_activation_valid(p[NQ_FC_ACTIVATION_MIN], p[NQ_FC_ACTIVATION_MAX]))
    {
        return NQ_ERROR_PARAMETER;
    }

    quantizers = p[NQ_FC_PER_CHANNEL] ? p[NQ_FC_UNITS] : 1;
    need[0] = p[NQ_FC_UNITS];
    need[1] = quantizers;
    need[2] = quantizers;
    if (nq_room(buffers->a_length, p[NQ_P_INPUT_START], p[NQ_P_INPUT_LENGTH], buffers->a) < (int64_t)p[NQ_FC_BATCHES] * p[NQ_FC_DEPTH]
        || nq_room(buffers->b_length, p[NQ_P_SECOND_START], p[NQ_P_SECOND_LENGTH], buffers->b) < (int64_t)p[NQ_FC_UNITS] * p[NQ_FC_DEPTH]
        || nq_room(buffers->out_length, p[NQ_P_OUTPUT_START], p[NQ_P_OUTPUT_LENGTH], buffers->out) < (int64_t)p[NQ_FC_BATCHES] * p[NQ_FC_UNITS]
        || !nq_tables_hold(buffers, need, 3))
    {
        return NQ_ERROR_BOUNDS;
    }

    if (!nq_shifts_valid(buffers->t[2], quantizers))
    {
        return NQ_ERROR_PARAMETER;
    }

#ifdef NQ_VENDOR
    if (nq_kernel_for(p, count) != NQ_KERNEL_OWN
        && nq_vendor_fully_connected(p, buffers->a + p[NQ_P_INPUT_START], buffers->b + p[NQ_P_SECOND_START], buffers->t[0],
                                  buffers->t[1], buffers->t[2], buffers->out + p[NQ_P_OUTPUT_START]))
    {
        return NQ_OK;
    }
#endif
    nq_fully_connected(p, buffers->a + p[NQ_P_INPUT_START], buffers->b + p[NQ_P_SECOND_START], buffers->t[0], buffers->t[1],
                       buffers->t[2], buffers->out + p[NQ_P_OUTPUT_START]);
    return NQ_OK;
}

static int32_t nq_run_pool(const int32_t *p, int32_t count, const nq_buffers *buffers, int average)
{
    if (count < NQ_POOL_COUNT)
    {
        return NQ_ERROR_OPERATOR;
    }

    if (p[NQ_POOL_BATCHES] < 0 || p[NQ_POOL_DEPTH] < 1
        || !nq_axis_valid(p[NQ_POOL_INPUT_HEIGHT], p[NQ_POOL_OUTPUT_HEIGHT], p[NQ_POOL_STRIDE_HEIGHT], p[NQ_POOL_FILTER_HEIGHT],
                          p[NQ_POOL_PAD_TOP])
        || !nq_axis_valid(p[NQ_POOL_INPUT_WIDTH], p[NQ_POOL_OUTPUT_WIDTH], p[NQ_POOL_STRIDE_WIDTH], p[NQ_POOL_FILTER_WIDTH],
                          p[NQ_POOL_PAD_LEFT])
        || !nq_activation_valid(p[NQ_POOL_ACTIVATION_MIN], p[NQ_POOL_ACTIVATION_MAX]))
    {
        return NQ_ERROR_PARAMETER;
    }

    if (nq_room(buffers->a_length, p[NQ_P_INPUT_START], p[NQ_P_INPUT_LENGTH], buffers->a)
            < (int64_t)p[NQ_POOL_BATCHES] * p[NQ_POOL_INPUT_HEIGHT] * p[NQ_POOL_INPUT_WIDTH] * p[NQ_POOL_DEPTH]
        || nq_room(buffers->out_length, p[NQ_P_OUTPUT_START], p[NQ_P_OUTPUT_LENGTH], buffers->out)
            < (int64_t)p[NQ_POOL_BATCHES] * p[NQ_POOL_OUTPUT_HEIGHT] * p[NQ_POOL_OUTPUT_WIDTH] * p[NQ_POOL_DEPTH])
    {
        return NQ_ERROR_BOUNDS;
    }

    if (average)
    {
        nq_average_pool_2d(p, buffers->a + p[NQ_P_INPUT_START], buffers->out + p[NQ_P_OUTPUT_START]);
    }
    else
    {
        nq_max_pool_2d(p, buffers->a + p[NQ_P_INPUT_START], buffers->out + p[NQ_P_OUTPUT_START]);
    }

    return NQ_OK;
}

/* The broadcast plan: every index it produces lies in [0, room) of each input; *elements = output size. */
static int32_t nq_check_broadcast(const int32_t *p, const nq_buffers *buffers, int64_t *elements)
{
    const int32_t rank = p[NQ_BC_OUTER_RANK];
    const int32_t inner = p[NQ_BC_INNER];
    int64_t last1;
    int64_t last2;
    int64_t runs = 1;
    int32_t a;
    if (!nq_in_range(rank, 0, NQ_BROADCAST_MAX_OUTER) || inner < 1 || !nq_in_range(p[NQ_BC_STEP1], 0, 1)
        || !nq_in_range(p[NQ_BC_STEP2], 0, 1))
    {
        return NQ_ERROR_PARAMETER;
    }

    last1 = (int64_t)p[NQ_BC_STEP1] * (inner - 1);
    last2 = (int64_t)p[NQ_BC_STEP2] * (inner - 1);
    for (a = 0; a < rank; a++)
    {
        const int32_t n = p[NQ_BC_COUNTS + a];
        if (!nq_in_range(n, 1, INT32_MAX) || p[NQ_BC_STRIDES1 + a] < 0 || p[NQ_BC_STRIDES2 + a] < 0)
        {
            return NQ_ERROR_PARAMETER;
        }

        last1 += (int64_t)p[NQ_BC_STRIDES1 + a] * (n - 1);
        last2 += (int64_t)p[NQ_BC_STRIDES2 + a] * (n - 1);
        runs *= n;
        if (runs > NQ_INT32_LIMIT || last1 > NQ_INT32_LIMIT || last2 > NQ_INT32_LIMIT)
        {
            return NQ_ERROR_PARAMETER;
        }
    }

    *elements = runs * inner;
    if (nq_room(buffers->a_length, p[NQ_P_INPUT_START], p[NQ_P_INPUT_LENGTH], buffers->a) <= last1
        || nq_room(buffers->b_length, p[NQ_P_SECOND_START], p[NQ_P_SECOND_LENGTH], buffers->b) <= last2
        || nq_room(buffers->out_length, p[NQ_P_OUTPUT_START], p[NQ_P_OUTPUT_LENGTH], buffers->out) < *elements)
    {
        return NQ_ERROR_BOUNDS;
    }

    return NQ_OK;
}

static int32_t nq_run_add(const int32_t *p, int32_t count, const nq_buffers *buffers)
{
    int64_t elements;
    int64_t need[2];
    int32_t status;
    if (count < NQ_ADD_COUNT)
    {
        return NQ_ERROR_OPERATOR;
    }

    if (!nq_in_range(p[NQ_ADD_SHIFT], NQ_MIN_SHIFT, 0) || !nq_activation_valid(p[NQ_ADD_ACTIVATION_MIN], p[NQ_ADD_ACTIVATION_MAX]))
    {
        return NQ_ERROR_PARAMETER;
    }

    status = nq_check_broadcast(p, buffers, &elements);
    if (status != NQ_OK)
    {
        return status;
    }

    need[0] = 256;
    need[1] = 256;
    if (!nq_tables_hold(buffers, need, 2))
    {
        return NQ_ERROR_BOUNDS;
    }

    nq_add(p, buffers->a + p[NQ_P_INPUT_START], buffers->b + p[NQ_P_SECOND_START], buffers->t[0], buffers->t[1],
           buffers->out + p[NQ_P_OUTPUT_START]);
    return NQ_OK;
}

static int32_t nq_run_mul(const int32_t *p, int32_t count, const nq_buffers *buffers)
{
    int64_t elements;
    int32_t status;
    if (count < NQ_MUL_COUNT)
    {
        return NQ_ERROR_OPERATOR;
    }

    if (!nq_in_range(p[NQ_MUL_ZERO_POINT1], -128, 127) || !nq_in_range(p[NQ_MUL_ZERO_POINT2], -128, 127)
        || !nq_in_range(p[NQ_MUL_SHIFT], NQ_MIN_SHIFT, NQ_MAX_SHIFT)
        || !nq_activation_valid(p[NQ_MUL_ACTIVATION_MIN], p[NQ_MUL_ACTIVATION_MAX]))
    {
        return NQ_ERROR_PARAMETER;
    }

    status = nq_check_broadcast(p, buffers, &elements);
    if (status != NQ_OK)
    {
        return status;
    }

    nq_mul(p, buffers->a + p[NQ_P_INPUT_START], buffers->b + p[NQ_P_SECOND_START], buffers->out + p[NQ_P_OUTPUT_START]);
    return NQ_OK;
}

static int32_t nq_run_softmax(const int32_t *p, int32_t count, const nq_buffers *buffers)
{
    int64_t elements;
    int64_t need[2];
    if (count < NQ_SOFTMAX_COUNT)
    {
        return NQ_ERROR_OPERATOR;
    }

    if (p[NQ_SOFTMAX_ROWS] < 0 || p[NQ_SOFTMAX_DEPTH] < 1)
    {
        return NQ_ERROR_PARAMETER;
    }

    elements = (int64_t)p[NQ_SOFTMAX_ROWS] * p[NQ_SOFTMAX_DEPTH];
    need[0] = 256;
    need[1] = 256;
    if (nq_room(buffers->a_length, p[NQ_P_INPUT_START], p[NQ_P_INPUT_LENGTH], buffers->a) < elements
        || nq_room(buffers->out_length, p[NQ_P_OUTPUT_START], p[NQ_P_OUTPUT_LENGTH], buffers->out) < elements || !nq_tables_hold(buffers, need, 2))
    {
        return NQ_ERROR_BOUNDS;
    }

    nq_softmax(p, buffers->a + p[NQ_P_INPUT_START], buffers->t[0], buffers->t[1], buffers->out + p[NQ_P_OUTPUT_START]);
    return NQ_OK;
}

static int32_t nq_run_mean(const int32_t *p, int32_t count, const nq_buffers *buffers)
{
    int64_t last = 0;
    int64_t outputs = 1;
    int32_t level;
    if (count < NQ_MEAN_COUNT)
    {
        return NQ_ERROR_OPERATOR;
    }

    if (!nq_in_range(p[NQ_MEAN_SHIFT], NQ_MIN_SHIFT, NQ_MAX_SHIFT) || !nq_in_range(p[NQ_MEAN_OUTPUT_OFFSET], -128, 127))
    {
        return NQ_ERROR_PARAMETER;
    }

    for (level = 0; level < 3; level++)
    {
        const int32_t kept = p[NQ_MEAN_KEPT_COUNTS + level];
        const int32_t reduced = p[NQ_MEAN_REDUCED_COUNTS + level];
        if (kept < 1 || reduced < 1 || p[NQ_MEAN_KEPT_STRIDES + level] < 0 || p[NQ_MEAN_REDUCED_STRIDES + level] < 0)
        {
            return NQ_ERROR_PARAMETER;
        }

        last += (int64_t)p[NQ_MEAN_KEPT_STRIDES + level] * (kept - 1) + (int64_t)p[NQ_MEAN_REDUCED_STRIDES + level] * (reduced - 1);
        outputs *= kept;
        if (last > NQ_INT32_LIMIT || outputs > NQ_INT32_LIMIT)
        {
            return NQ_ERROR_PARAMETER;
        }
    }

    if (nq_room(buffers->a_length, p[NQ_P_INPUT_START], p[NQ_P_INPUT_LENGTH], buffers->a) <= last
        || nq_room(buffers->out_length, p[NQ_P_OUTPUT_START], p[NQ_P_OUTPUT_LENGTH], buffers->out) < outputs)
    {
        return NQ_ERROR_BOUNDS;
    }

    nq_mean(p, buffers->a + p[NQ_P_INPUT_START], buffers->out + p[NQ_P_OUTPUT_START]);
    return NQ_OK;
}

static int32_t nq_dispatch(const int32_t *params, int32_t param_count, const nq_buffers *buffers)
{
    switch (params[NQ_P_OPERATOR])
    {
        case NQ_OP_CONV_2D:
            return nq_run_conv(params, param_count, buffers, 0);
        case NQ_OP_DEPTHWISE_CONV_2D:
            return nq_run_conv(params, param_count, buffers, 1);
        case NQ_OP_FULLY_CONNECTED:
            return nq_run_fully_connected(params, param_count, buffers);
        case NQ_OP_AVERAGE_POOL_2D:
            return nq_run_pool(params, param_count, buffers, 1);
        case NQ_OP_MAX_POOL_2D:
            return nq_run_pool(params, param_count, buffers, 0);
        case NQ_OP_ADD:
            return nq_run_add(params, param_count, buffers);
        case NQ_OP_MUL:
            return nq_run_mul(params, param_count, buffers);
        case NQ_OP_SOFTMAX:
            return nq_run_softmax(params, param_count, buffers);
        case NQ_OP_MEAN:
            return nq_run_mean(params, param_count, buffers);
        default:
            return NQ_ERROR_OPERATOR;
    }
}

int32_t nq_run(const int32_t *params, int32_t param_count, const int8_t *a, int32_t a_length, const int8_t *b,
               int32_t b_length, int8_t *out, int32_t out_length, const int32_t *t0, int32_t t0_length, const int32_t *t1,
               int32_t t1_length, const int32_t *t2, int32_t t2_length, const int32_t *t3, int32_t t3_length)
{
    nq_buffers buffers;
    if (params == NULL || param_count < NQ_P_FIRST)
    {
        return NQ_ERROR_OPERATOR;
    }

    buffers.a = a;
    buffers.a_length = a == NULL ? 0 : a_length;
    buffers.b = b;
    buffers.b_length = b == NULL ? 0 : b_length;
    buffers.out = out;
    buffers.out_length = out == NULL ? 0 : out_length;
    buffers.t[0] = t0;
    buffers.t_length[0] = t0 == NULL ? 0 : t0_length;
    buffers.t[1] = t1;
    buffers.t_length[1] = t1 == NULL ? 0 : t1_length;
    buffers.t[2] = t2;
    buffers.t_length[2] = t2 == NULL ? 0 : t2_length;
    buffers.t[3] = t3;
    buffers.t_length[3] = t3 == NULL ? 0 : t3_length;
    return nq_dispatch(params, param_count, &buffers);
}
