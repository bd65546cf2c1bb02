/*
 * Optional vendor kernels (a build option of the native backend, like tflite-micro's kernels/cmsis_nn/):
 * with -DNQ_VENDOR_CMSIS_NN (plus the cmsis_nn folder and ARM's CMSIS-NN) or -DNQ_VENDOR_ESP_NN (plus the esp_nn folder and
 * Espressif's ESP-NN), CONV_2D and FULLY_CONNECTED (and with CMSIS-NN, DEPTHWISE_CONV_2D) go to the library where it
 * gives TFLM's bytes and where dispatch.c's rule table says it is faster than nanoQuant's own kernel, and to
 * nanoQuant's kernel otherwise. Each function returns 1 when the library ran the operator, 0 when the
 * caller must run its own kernel. The arguments are nq_run's, already checked.
 * -DNQ_VENDOR_ALWAYS skips the rule table (the library wherever it can run the call: how its counts are measured).
 */
#ifndef NANOQUANT_VENDOR_H
#define NANOQUANT_VENDOR_H

#include <stdint.h>

#if defined(NQ_VENDOR_CMSIS_NN) && defined(NQ_VENDOR_ESP_NN)
#error "choose one vendor library: NQ_VENDOR_CMSIS_NN or NQ_VENDOR_ESP_NN"
#endif

#if defined(NQ_VENDOR_CMSIS_NN) || defined(NQ_VENDOR_ESP_NN)
#define NQ_VENDOR 1

/* Scratch the libraries may use during one call (a static block, never carried between calls). */
#ifndef NQ_VENDOR_SCRATCH_BYTES
#define NQ_VENDOR_SCRATCH_BYTES 32768
#endif

/* The one scratch block of the library's calls (defined in dispatch.c). */
extern int8_t nq_vendor_scratch[NQ_VENDOR_SCRATCH_BYTES];

int nq_vendor_conv_2d(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                      const int32_t *multipliers, const int32_t *shifts, int8_t *output);
int nq_vendor_depthwise_conv_2d(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                                const int32_t *multipliers, const int32_t *shifts, int8_t *output);
int nq_vendor_fully_connected(const int32_t *p, const int8_t *input, const int8_t *filter, const int32_t *folded_bias,
                              const int32_t *multipliers, const int32_t *shifts, int8_t *output);
#endif

/* Which library a call goes to: nq_kernel_for and NQ_KERNEL_* in nanoquant_kernels.h. */

#endif /* NANOQUANT_VENDOR_H */
