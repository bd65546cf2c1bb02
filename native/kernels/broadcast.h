/* The broadcast odometer ADD and MUL share (device/Kernels/Broadcast.cs, planned on the managed side). */
#ifndef NANOQUANT_BROADCAST_H
#define NANOQUANT_BROADCAST_H

#include <stdint.h>
#include "nanoquant_kernels.h"

typedef struct nq_odometer
{
    int32_t rank;
    int32_t index[NQ_BROADCAST_MAX_OUTER];
    int32_t offset1;
    int32_t offset2;
} nq_odometer;

static inline void nq_odometer_start(nq_odometer *o, const int32_t *p)
{
    int32_t a;
    o->rank = p[NQ_BC_OUTER_RANK];
    o->offset1 = 0;
    o->offset2 = 0;
    for (a = 0; a < NQ_BROADCAST_MAX_OUTER; a++)
    {
        o->index[a] = 0;
    }
}

/* Moves to the next inner run (Broadcast.Advance). */
static inline void nq_odometer_advance(nq_odometer *o, const int32_t *p)
{
    int32_t a = o->rank - 1;
    while (a >= 0)
    {
        const int32_t count = p[NQ_BC_COUNTS + a];
        const int32_t stride1 = p[NQ_BC_STRIDES1 + a];
        const int32_t stride2 = p[NQ_BC_STRIDES2 + a];
        o->offset1 += stride1;
        o->offset2 += stride2;
        if (++o->index[a] < count)
        {
            return;
        }

        o->index[a] = 0;
        o->offset1 -= stride1 * count;
        o->offset2 -= stride2 * count;
        a--;
    }
}

/* Number of inner runs: the product of the outer counts. */
static inline int32_t nq_odometer_runs(const int32_t *p)
{
    int32_t runs = 1;
    int32_t a;
    for (a = 0; a < p[NQ_BC_OUTER_RANK]; a++)
    {
        runs *= p[NQ_BC_COUNTS + a];
    }

    return runs;
}

#endif /* NANOQUANT_BROADCAST_H */
