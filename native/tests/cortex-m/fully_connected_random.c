/*
 * The DSP FULLY_CONNECTED kernel (fully_connected_dsp.c) against the portable kernel on random shapes the goldens do
 * not have: per-tensor and per-channel quantization, depths a multiple of 4, of 32 and 64 (the whole-depth pair pass and
 * the three-unit pass) and not (1-700, up to 1,024 and past NQ_DSP_FC_DEPTH_MAX), fewer than 4 units, 4-40 and 4-700
 * (odd counts and 3k + 1, 3k + 2 too: the passes' last units), the filter on a word boundary and off it (LDRD or LDR
 * weight loads), batches 1-4, full-range and narrower clamps, units of huge bias (some anywhere in int32: the fast
 * form's bound), of shift 0, of left shifts and of right shifts past 22 (random_channel), none, a few or many per layer
 * (the block pass's slow units, the C loop). nq_fully_connected_dsp runs first; where it declines, nq_fully_connected.
 * Every output byte is compared, and the bytes after the output. Built for the emulated Cortex-M4 and M7 and run by
 * native/tests/cortex-m/random.sh (replay.sh --check); prints "fully_connected random: N shapes (D through
 * nq_fully_connected_dsp), 0 mismatches" and exits 0 when all are byte-exact.
 */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include "nanoquant_kernels.h"
#include "nq_dsp.h"
#include "random_cases.h"

void nq_fully_connected(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *folded_bias,
                        const int32_t *multipliers, const int32_t *shifts, int8_t *output);
/* the portable kernel, the same file built with -DNQ_NO_DSP under this name */
void nq_fully_connected_portable(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *folded_bias,
                                 const int32_t *multipliers, const int32_t *shifts, int8_t *output);

#define MAX_BATCHES 4
#define MAX_DEPTH 1100
#define MAX_UNITS 700
/* bytes after the output that must stay as they were */
#define GUARD 16
/* multiply-accumulates per shape at most (the portable kernel on the emulator sets the pace) */
#define MAX_MACS 120000

static int8_t input[MAX_BATCHES * MAX_DEPTH];
/* the filter starts 0-3 bytes into this word-aligned buffer */
static int32_t filter_words[(MAX_MACS / 4) + 2];
static int8_t dsp_out[(MAX_BATCHES * MAX_UNITS) + GUARD];
static int8_t portable_out[(MAX_BATCHES * MAX_UNITS) + GUARD];
static int32_t folded[MAX_UNITS];
static int32_t multipliers[MAX_UNITS];
static int32_t shifts[MAX_UNITS];

int main(void)
{
    int shapes = 0;
    int through_dsp = 0;
    int mismatches = 0;
    int turn;
    for (turn = 0; turn < 5000 && shapes < 2000; turn++)
    {
        int32_t p[NQ_FC_COUNT];
        const int32_t batches = uniform(0, 1) ? 1 : uniform(2, MAX_BATCHES);
        const int32_t units = uniform(0, 3) == 0 ? uniform(1, 3) : uniform(4, uniform(0, 1) ? 40 : MAX_UNITS);
        const int32_t per_channel = uniform(0, 1);
        const int32_t odd_units = uniform(0, 3);
        const int32_t weight_range = uniform(0, 3) == 0 ? 3 : 127;
        int8_t *filter = (int8_t *)filter_words + (uniform(0, 1) ? 0 : uniform(1, 3));
        int32_t depth;
        int32_t i;
        int32_t u;
        int32_t n;
        int taken;
        switch (uniform(0, 3))
        {
            case 0:
                depth = 4 * uniform(1, 64);
                break;
            case 1:
                depth = uniform(0, 1) ? 32 * uniform(1, 21) : uniform(1, 700);
                break;
            case 2:
                depth = uniform(1, 12);
                break;
            default:
                depth = uniform(0, 3) == 0 ? uniform(NQ_DSP_FC_DEPTH_MAX - 24, MAX_DEPTH) : 4 * uniform(1, NQ_DSP_FC_DEPTH_MAX / 4);
                break;
        }

        if ((int64_t)batches * depth * units > MAX_MACS)
        {
            continue;
        }

        memset(p, 0, sizeof p);
        p[NQ_FC_BATCHES] = batches;
        p[NQ_FC_DEPTH] = depth;
        p[NQ_FC_UNITS] = units;
        p[NQ_FC_PER_CHANNEL] = per_channel;
        p[NQ_FC_OUTPUT_OFFSET] = uniform(-128, 127);
        random_clamp_or_full(&p[NQ_FC_ACTIVATION_MIN], &p[NQ_FC_ACTIVATION_MAX]);
        random_values(input, batches * depth, -128, 127);
        random_values(filter, units * depth, -weight_range, weight_range);
        for (u = 0; u < units; u++)
        {
            /* none, one in 32, one in 8 or one in 2 units off the block pass's usual requantization (per tensor: unit 0's
             * quantization for all, each its own bias) */
            static const int32_t odd_in[4] = { 0, 32, 8, 2 };
            random_channel(odd_in[odd_units], &folded[u], &multipliers[u], &shifts[u]);
            if (odd_units != 0 && uniform(0, 63) == 0)
            {
                /* a bias anywhere in int32 (2 × the sum wraps: the fast form's bound, nq_fc_bias_bound, must refuse it) */
                folded[u] = uniform_wide(INT32_MIN, INT32_MAX);
            }
        }

        n = batches * units;
        memset(dsp_out, 0x55, (size_t)(n + GUARD));
        memset(portable_out, 0x55, (size_t)(n + GUARD));
        taken = nq_fully_connected_dsp(p, input, filter, folded, multipliers, shifts, dsp_out);
        if (!taken)
        {
            nq_fully_connected(p, input, filter, folded, multipliers, shifts, dsp_out);
        }

        nq_fully_connected_portable(p, input, filter, folded, multipliers, shifts, portable_out);
        shapes++;
        through_dsp += taken;
        i = random_difference(dsp_out, portable_out, n + GUARD);
        if (i >= 0)
        {
            if (mismatches++ < 10)
            {
                int32_t q;
                u = i % units;
                q = per_channel ? u : 0;
                printf("mismatch: batches %d, depth %d, units %d, %s, output offset %d, clamp %d..%d: byte %d (unit %d: bias %d, "
                       "multiplier %d, shift %d) %d, portable %d\n",
                       (int)batches, (int)depth, (int)units, per_channel ? "per channel" : "per tensor", (int)p[NQ_FC_OUTPUT_OFFSET],
                       (int)p[NQ_FC_ACTIVATION_MIN], (int)p[NQ_FC_ACTIVATION_MAX], (int)i, (int)u, (int)folded[u], (int)multipliers[q],
                       (int)shifts[q], (int)dsp_out[i], (int)portable_out[i]);
            }
        }
    }

    printf("fully_connected random: %d shapes (%d through nq_fully_connected_dsp), %d mismatches\n", shapes, through_dsp, mismatches);
    return mismatches != 0;
}
