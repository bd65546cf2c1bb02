/*
 * What the random differential tests of the DSP kernels (depthwise_random.c, conv_2d_random.c,
 * fully_connected_random.c) share: one fixed-seed generator, so that every run draws the same cases, and the draws of
 * an output clamp and of a channel's quantization. Each test is one translation unit that includes this once.
 */
#ifndef NQ_RANDOM_CASES_H
#define NQ_RANDOM_CASES_H

#include <stdint.h>

static uint32_t random_state = 987654u;

static inline uint32_t random_next(void)
{
    random_state = (random_state * 1664525u) + 1013904223u;
    return random_state;
}

/* low .. high from the generator's upper 24 bits (ranges wider than 2^24 reach only low .. low + 2^24 − 1). */
static inline int32_t uniform(int32_t low, int32_t high)
{
    return low + (int32_t)((random_next() >> 8) % (uint32_t)(high - low + 1));
}

/* low .. high over the whole range: 32 bits from two draws. */
static inline int32_t uniform_wide(int32_t low, int32_t high)
{
    const uint32_t hi = random_next() >> 16;
    const uint32_t bits = (hi << 16) | (random_next() >> 16);
    const uint32_t span = (uint32_t)high - (uint32_t)low + 1u;
    return (int32_t)((uint32_t)low + (span == 0 ? bits : bits % span));
}

/* The full range, a ReLU6-like upper clamp or a two-sided one. */
static inline void random_clamp(int32_t *min, int32_t *max)
{
    switch (uniform(0, 2))
    {
        case 0:
            *min = -128;
            *max = 127;
            break;
        case 1:
            *min = -128;
            *max = uniform(-100, 126);
            break;
        default:
            *min = uniform(-128, 0);
            *max = uniform(1, 127);
            break;
    }
}

/* Half the time the full range, else random_clamp. */
static inline void random_clamp_or_full(int32_t *min, int32_t *max)
{
    if (uniform(0, 1) == 0)
    {
        *min = -128;
        *max = 127;
    }
    else
    {
        random_clamp(min, max);
    }
}

/* n values of low .. high. */
static inline void random_values(int8_t *to, int32_t n, int32_t low, int32_t high)
{
    int32_t i;
    for (i = 0; i < n; i++)
    {
        to[i] = (int8_t)uniform(low, high);
    }
}

/* The interior's bias of each of channels, taps weights each (filter: channel after channel): bias + input offset × Σ w,
 * as the lowering folds it (wrapping as the kernels' int32 sums do). */
static inline void random_fold_bias(int32_t *folded, const int32_t *bias, const int8_t *filter, int32_t channels, int32_t taps,
                                    int32_t input_offset)
{
    int32_t c;
    for (c = 0; c < channels; c++)
    {
        uint32_t sum = 0;
        int32_t k;
        for (k = 0; k < taps; k++)
        {
            sum += (uint32_t)filter[(c * taps) + k];
        }

        folded[c] = (int32_t)((uint32_t)bias[c] + (sum * (uint32_t)input_offset));
    }
}

/* The first of n bytes where the two outputs differ, −1 when none does. */
static inline int32_t random_difference(const int8_t *a, const int8_t *b, int32_t n)
{
    int32_t i;
    for (i = 0; i < n; i++)
    {
        if (a[i] != b[i])
        {
            return i;
        }
    }

    return -1;
}

/*
 * One output channel's bias, multiplier and shift. A usual channel: bias within ±20,000, a normalized multiplier
 * (2^30 .. 2^31 − 1, as TFLM's QuantizeMultiplier gives) and a right shift of 1 to 12 — the DSP block passes'
 * prescaled requantization. One in odd_in (0: none) is one of the channels the passes leave to their other paths:
 * a huge bias (the generic requantization), a shift of exactly 0, a left shift of 1 to 12, a right shift of 23 to
 * 31 (past the prescaled form's 22), or a small multiplier with a shift ≥ 0 (outputs that do not all saturate).
 */
static inline void random_channel(int32_t odd_in, int32_t *bias, int32_t *multiplier, int32_t *shift)
{
    *bias = uniform(-20000, 20000);
    *multiplier = uniform_wide(1 << 30, 0x7FFFFFFF);
    *shift = uniform(-12, -1);
    if (odd_in == 0 || uniform(1, odd_in) != 1)
    {
        return;
    }

    switch (uniform(0, 4))
    {
        case 0:
            *bias = uniform_wide(-1000000000, 1000000000);
            break;
        case 1:
            *shift = 0;
            break;
        case 2:
            *shift = uniform(1, 12);
            break;
        case 3:
            *shift = uniform(-31, -23);
            break;
        default:
            *multiplier = uniform_wide(1, 0x7FFFFFFF) >> uniform(0, 24);
            *multiplier = *multiplier == 0 ? 1 : *multiplier;
            *shift = uniform(0, 2);
            break;
    }
}

#endif /* NQ_RANDOM_CASES_H */
