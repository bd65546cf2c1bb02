#include <stdio.h>
#include <stdlib.h>
/* nq_dsp_scale (the DSP paths' requantization) against nq_multiply_by_quantized_multiplier: edge values and
   40 million random (accumulator, multiplier, shift, offset); the fast and the prescaled forms within their bounds;
   built on the host by native/tests/cortex-m/replay.sh --check. */
#include "nq_dsp.h"
static uint64_t st = 88172645463325252ull;
static uint32_t rnd(void){ st ^= st << 13; st ^= st >> 7; st ^= st << 17; return (uint32_t)st; }
int main(void){
  long bad = 0, n = 0;
  int32_t edges[] = {0,1,-1,2,-2,INT32_MAX,INT32_MIN,INT32_MIN+1,INT32_MAX-1,1<<30,-(1<<30),(1<<30)+1,-(1<<30)-1,12345,-12345};
  for (int i = 0; i < 40000000; i++) {
    int32_t acc = (i < 225*64) ? edges[(i/64)%15] : (int32_t)rnd();
    if (i >= 225*64 && (rnd() & 3) == 0) acc = (int32_t)(rnd() % 2001) - 1000;
    int32_t m = (i < 225*64) ? edges[i%15] : (int32_t)rnd();
    if ((rnd() & 7) == 0) m = INT32_MIN;
    if ((rnd() & 1)) m = (int32_t)((rnd() >> 1) | 0x40000000u);
    int32_t sh = (int32_t)(rnd() % 62) - 31;
    int32_t off = (int32_t)(rnd() % 256) - 128;
    nq_dsp_quant q; nq_dsp_quant_init(&q, m, sh);
    int32_t a = q.generic ? nq_multiply_by_quantized_multiplier(acc, m, sh) : nq_dsp_scale(&q, acc);
    int32_t b = nq_multiply_by_quantized_multiplier(acc, m, sh);
    if (nq_dsp_requantize(&q, acc, off, -128, 127) != nq_requantize((uint32_t)acc, m, sh, off, -128, 127)) a ^= 1;
    /* the unclamped value too */
    n++;
    if (a != b) { if (bad++ < 5) printf("acc %d m %d sh %d: %d vs %d\n", acc, m, sh, a, b); }
  }
  /* nq_dsp_fast_left against its definition: the largest left in [-1, 30] with bound << (left + 1) < 2^30 / 2. */
  for (int i = 0; i < 2000000; i++) {
    int64_t bound = i < 64 ? (i < 2 ? i : ((int64_t)1 << (i / 2)) - (i & 1)) : (int64_t)(rnd() >> (rnd() % 32)) * ((rnd() & 1) ? 1 : 1 + (rnd() & 255));
    int32_t want = -1;
    while (want < 30 && bound < ((int64_t)1 << 29) && (bound << (want + 1)) < ((int64_t)1 << 29)) want++;
    if (nq_dsp_fast_left(bound) != want) { if (bad++ < 5) printf("fast_left(%lld) = %d, want %d\n", (long long)bound, nq_dsp_fast_left(bound), want); }
  }
  /* The fast path: accumulators within the bound the operator guarantees. */
  long fast = 0, fast_bad = 0;
  for (int i = 0; i < 40000000; i++) {
    int32_t bias = (int32_t)(rnd() % 2000001) - 1000000;
    if ((rnd() & 15) == 0) bias = (int32_t)rnd();
    int64_t sum = (int64_t)(rnd() % 4609) * 255 * 128 / ((rnd() & 3) + 1);
    int32_t m = (int32_t)((rnd() >> 1) | 0x40000000u);
    if ((rnd() & 7) == 0) m = (int32_t)rnd();
    int32_t sh = (int32_t)(rnd() % 34) - 31;
    nq_dsp_quant q; nq_dsp_quant_init(&q, m, sh); nq_dsp_quant_bound(&q, bias, sum);
    if (!q.fast) continue;
    int64_t span = ((int64_t)(bias < 0 ? -(int64_t)bias : bias)) + sum;
    int64_t v = (int64_t)(rnd() % (uint32_t)(2 * (span > 2000000000 ? 2000000000 : span) + 1)) - span;
    if ((rnd() & 7) == 0) v = (rnd() & 1) ? span : -span;
    if (v > INT32_MAX || v < INT32_MIN) continue;
    fast++;
    if (nq_dsp_scale_fast(&q, (int32_t)v) != nq_multiply_by_quantized_multiplier((int32_t)v, m, sh)) {
      if (fast_bad++ < 5) printf("fast: acc %lld m %d sh %d: %d vs %d\n", (long long)v, m, sh, nq_dsp_scale_fast(&q, (int32_t)v), nq_multiply_by_quantized_multiplier((int32_t)v, m, sh));
    }
  }
  /* The prescaled forms (nq_dsp_prescale: right and left shifts) against the clamped requantization, small
     accumulators (where the sign correction and the left-shift rounding matter) and ones near the bound. */
  long pre = 0, pre_bad = 0;
  for (int i = 0; i < 40000000; i++) {
    int64_t bound = (int64_t)(rnd() % 4609) * 255 * 128 + (rnd() % 1000000);
    int32_t m = (int32_t)((rnd() >> 1) | 0x40000000u);
    if ((rnd() & 7) == 0) m = (int32_t)rnd();
    int32_t sh = (int32_t)(rnd() % 40) - 31;
    int32_t off = (int32_t)(rnd() % 256) - 128;
    int32_t scale = nq_dsp_prescale(m, sh, nq_dsp_fast_left(bound));
    if (scale == 0) continue;
    int64_t v = (rnd() & 1) ? (int64_t)(rnd() % 4001) - 2000 : (int64_t)(rnd() % (uint32_t)(2 * bound + 1)) - bound;
    int32_t scaled = (int32_t)((uint32_t)(int32_t)v * (uint32_t)scale);
    int32_t got = sh < 0 ? nq_dsp_requantize_right(scaled, m, -sh, nq_dsp_round_offset(sh, off)) : nq_dsp_requantize_left(scaled, m, nq_dsp_round_offset(sh, off));
    pre++;
    if (nq_clamp(got, -128, 127) != nq_requantize((uint32_t)(int32_t)v, m, sh, off, -128, 127)) {
      if (pre_bad++ < 5) printf("prescaled: acc %lld m %d sh %d off %d: %d vs %d\n", (long long)v, m, sh, off, nq_clamp(got, -128, 127), nq_requantize((uint32_t)(int32_t)v, m, sh, off, -128, 127));
    }
  }
  /* nq_dsp_round_offset as conv_2d_dsp.c's block pass computes it: (2 × output offset + 1) << (right − 1), every offset
     and right shift the prescaled form takes. */
  long offsets_bad = 0;
  for (int32_t off = -128; off <= 127; off++)
    for (int32_t sh = -22; sh <= -1; sh++)
      if ((int32_t)((uint32_t)(2 * off + 1) << (-sh - 1)) != nq_dsp_round_offset(sh, off)) {
        if (offsets_bad++ < 5) printf("round offset: off %d sh %d\n", off, sh);
      }
  bad += offsets_bad;
  printf("%ld of %ld differ; fast path: %ld of %ld differ; prescaled: %ld of %ld differ\n", bad, n, fast_bad, fast, pre_bad, pre);
  return bad != 0 || fast_bad != 0 || pre_bad != 0 || fast < 1000000 || pre < 1000000;
}
