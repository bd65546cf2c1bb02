/*
 * The inner loops of the convolution-like kernels: int8 dot products over contiguous runs, written
 * for the vectorizer (one flat loop, int32 products summed in int32). A run is cut into chunks of
 * NQ_DOT_CHUNK so that a chunk's int32 sum cannot overflow (|x × w| ≤ 255 × 128); the chunk sums are
 * added with wrap-around, as the managed kernels' int32 accumulators wrap.
 */
#ifndef NANOQUANT_DOT_H
#define NANOQUANT_DOT_H

#include <stdint.h>

#define NQ_DOT_CHUNK 32768

/* acc + Σ x[i] × w[i], i < n, wrapping. */
static inline uint32_t nq_dot(uint32_t acc, const int8_t *x, const int8_t *w, int32_t n)
{
    while (n > 0)
    {
        int32_t count = n < NQ_DOT_CHUNK ? n : NQ_DOT_CHUNK;
        int32_t sum = 0;
        int32_t i;
        for (i = 0; i < count; i++)
        {
            sum += (int32_t)x[i] * (int32_t)w[i];
        }

        acc += (uint32_t)sum;
        x += count;
        w += count;
        n -= count;
    }

    return acc;
}

/* acc + Σ (x[i] + offset) × w[i], i < n, wrapping; offset in [-127, 128]. */
static inline uint32_t nq_dot_offset(uint32_t acc, const int8_t *x, const int8_t *w, int32_t n, int32_t offset)
{
    while (n > 0)
    {
        int32_t count = n < NQ_DOT_CHUNK ? n : NQ_DOT_CHUNK;
        int32_t sum = 0;
        int32_t i;
        for (i = 0; i < count; i++)
        {
            sum += ((int32_t)x[i] + offset) * (int32_t)w[i];
        }

        acc += (uint32_t)sum;
        x += count;
        w += count;
        n -= count;
    }

    return acc;
}

#endif /* NANOQUANT_DOT_H */
