/* The window walk AVERAGE_POOL_2D and MAX_POOL_2D share (device/Kernels/PoolGeometry.cs). */
#ifndef NANOQUANT_POOLING_H
#define NANOQUANT_POOLING_H

#include <stdint.h>

/* The in-bounds part [start, end) of a pooling window along one axis. */
static inline void nq_pool_range(int32_t origin, int32_t filter, int32_t size, int32_t *start, int32_t *end)
{
    int32_t e = origin + filter;
    *start = origin < 0 ? 0 : origin;
    *end = e > size ? size : e;
}

#endif /* NANOQUANT_POOLING_H */
