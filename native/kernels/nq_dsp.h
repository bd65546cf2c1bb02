/*
 * The Armv7E-M DSP paths (Cortex-M4, M7, M33 …): when the compiler defines __ARM_FEATURE_DSP (and the build
 * does not define NQ_NO_DSP), CONV_2D runs nq_conv_2d_dsp first; it returns 1 when it ran the operator, 0
 * when the portable kernel must (shapes it does not cover). ACLE intrinsics from arm_acle.h only, no CMSIS
 * headers. Same bytes as the portable kernels: every sum is the same int32 value modulo 2^32 (SMLAD wraps
 * as the portable kernels' uint32_t sums do) and the requantization is TFLM's double rounding.
 */
#ifndef NANOQUANT_DSP_H
#define NANOQUANT_DSP_H

#include <stdint.h>

#if defined(__ARM_FEATURE_DSP) && !defined(NQ_NO_DSP)
#define NQ_DSP 1

/* Int16 values of one output pixel's patch the DSP convolution keeps on the stack (two pixels at a time:
 * 4 × this many bytes); larger patches run the portable kernel. */
#ifndef NQ_DSP_PATCH_MAX
#define NQ_DSP_PATCH_MAX 640
#endif

int nq_conv_2d_dsp(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                   const int32_t *multipliers, const int32_t *shifts, int8_t *output);
#endif

#endif /* NANOQUANT_DSP_H */
