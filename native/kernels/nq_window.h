/* The window arithmetic CONV_2D and DEPTHWISE_CONV_2D share (device/Kernels/ConvWindow.cs). */
#ifndef NANOQUANT_WINDOW_H
#define NANOQUANT_WINDOW_H

#include <stdint.h>

/* First tap whose position origin + tap × dilation is ≥ 0 (ConvWindow.FirstTap). */
static inline int32_t nq_first_tap(int32_t origin, int32_t dilation, int32_t kernel)
{
    int32_t first;
    if (origin >= 0)
    {
        return 0;
    }

    first = (dilation - 1 - origin) / dilation;
    return first < kernel ? first : kernel;
}

/* One past the last tap whose position origin + tap × dilation is < size (ConvWindow.EndTap). */
static inline int32_t nq_end_tap(int32_t origin, int32_t dilation, int32_t kernel, int32_t size)
{
    int32_t room = size - 1 - origin;
    int32_t end;
    if (room < 0)
    {
        return 0;
    }

    end = (room / dilation) + 1;
    return end < kernel ? end : kernel;
}

#endif /* NANOQUANT_WINDOW_H */
