/*
 * Kernel replay on an emulated Cortex-M (QEMU mps2-an386 / mps2-an500, semihosting): reads a recording
 * of native calls made on x64 (tests/NanoQuant.Tests/Native/NativeCallRecording.cs), runs each through
 * nq_run, compares the output byte for byte with what the x64 kernels wrote, and prints the instructions
 * each call took. With `qemu-system-arm -icount shift=0` one guest instruction is 1 ns of virtual time and
 * the CMSDK APB timer 0 (25 MHz) ticks every 40 instructions: the counts are exact and repeatable.
 * Output lines: "call <i> op <code> instr <n> macs <n> kernel <k> shape <p…>" (k: nq_kernel_for, 0 = nanoQuant's,
 * 1 = CMSIS-NN; shape: the call's operator parameters, for the per-operator choice) and
 * "total calls <n> instr <n> mismatches <n>".
 * Exit code 0 when every output matched, 1 on a mismatch or a refused call, 2 on a bad recording.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "nanoquant_kernels.h"
#include "vendor.h"

#define NQ_TIMER_CTRL (*(volatile uint32_t *)0x40000000u)
#define NQ_TIMER_VALUE (*(volatile uint32_t *)0x40000004u)
#define NQ_TIMER_RELOAD (*(volatile uint32_t *)0x40000008u)
#define NQ_INSTRUCTIONS_PER_TICK 40u

#define NQ_MAX_BYTES (640 * 1024)
#define NQ_MAX_WORDS (16 * 1024)
#define NQ_MAX_PARAMS 256

static int32_t params[NQ_MAX_PARAMS];
static int32_t bytes_a[(NQ_MAX_BYTES / 4) + 1];
static int32_t bytes_b[(NQ_MAX_BYTES / 4) + 1];
static int32_t bytes_out[(NQ_MAX_BYTES / 4) + 1];
static int32_t bytes_expected[NQ_MAX_BYTES / 4];
static int32_t tables[4][NQ_MAX_WORDS];

/* Multiply-accumulates of a call (conv, depthwise, fully connected; 0 for the others). */
static uint32_t macs(const int32_t *p, int32_t count)
{
    if ((p[0] == NQ_OP_CONV_2D || p[0] == NQ_OP_DEPTHWISE_CONV_2D) && count >= NQ_CONV_COUNT)
    {
        return (uint32_t)p[NQ_CONV_BATCHES] * (uint32_t)p[NQ_CONV_OUTPUT_HEIGHT] * (uint32_t)p[NQ_CONV_OUTPUT_WIDTH]
            * (uint32_t)p[NQ_CONV_OUTPUT_DEPTH] * (uint32_t)p[NQ_CONV_KERNEL_HEIGHT] * (uint32_t)p[NQ_CONV_KERNEL_WIDTH]
            * (p[0] == NQ_OP_CONV_2D ? (uint32_t)p[NQ_CONV_FILTER_DEPTH] : 1u);
    }

    if (p[0] == NQ_OP_FULLY_CONNECTED && count >= NQ_FC_COUNT)
    {
        return (uint32_t)p[NQ_FC_BATCHES] * (uint32_t)p[NQ_FC_DEPTH] * (uint32_t)p[NQ_FC_UNITS];
    }

    return 0;
}

static int read_word(FILE *f, int32_t *v)
{
    return fread(v, 4, 1, f) == 1;
}

/* An int8 array: length (-1 = none), data padded to 4 bytes. Returns 0 on a bad file. */
static int read_bytes(FILE *f, int32_t *buffer, int32_t *length)
{
    if (!read_word(f, length) || *length > NQ_MAX_BYTES || *length < -1)
    {
        return 0;
    }

    return *length <= 0 || fread(buffer, 1, (size_t)((*length + 3) & ~3), f) == (size_t)((*length + 3) & ~3);
}

static int read_words(FILE *f, int32_t *buffer, int32_t *length)
{
    if (!read_word(f, length) || *length > NQ_MAX_WORDS || *length < -1)
    {
        return 0;
    }

    return *length <= 0 || fread(buffer, 4, (size_t)*length, f) == (size_t)*length;
}

int main(int argc, char **argv)
{
    char magic[4];
    int32_t version;
    int32_t tag;
    int32_t calls = 0;
    int32_t mismatches = 0;
    uint32_t total = 0;
    FILE *f;
    /* "odd" as a second argument: the input, second and output tensors start 1, 2 and 3 bytes past a word, as
     * tensors inside an arena may (the kernels' word loads must not assume alignment). */
    const int odd = argc >= 3 && strcmp(argv[2], "odd") == 0;
    int8_t *a = (int8_t *)bytes_a + (odd ? 1 : 0);
    int8_t *b = (int8_t *)bytes_b + (odd ? 2 : 0);
    int8_t *out = (int8_t *)bytes_out + (odd ? 3 : 0);
    if (argc < 2 || (f = fopen(argv[1], "rb")) == NULL)
    {
        printf("usage: replay RECORDING (semihosting arg)\n");
        return 2;
    }

    if (fread(magic, 1, 4, f) != 4 || memcmp(magic, "NQRC", 4) != 0 || !read_word(f, &version) || version != 1)
    {
        printf("%s: not a recording\n", argv[1]);
        return 2;
    }

    if (odd)
    {
        printf("tensors off word boundaries: input +%u, second +%u, output +%u bytes\n", (unsigned)((uintptr_t)a & 3u),
               (unsigned)((uintptr_t)b & 3u), (unsigned)((uintptr_t)out & 3u));
    }

    NQ_TIMER_RELOAD = 0xFFFFFFFFu;
    NQ_TIMER_VALUE = 0xFFFFFFFFu;
    NQ_TIMER_CTRL = 1u;
    while (read_word(f, &tag) && tag == 1)
    {
        int32_t count;
        int32_t a_length;
        int32_t b_length;
        int32_t expected_length;
        int32_t t_length[4];
        int32_t status;
        uint32_t start;
        uint32_t stop;
        int i;
        if (!read_word(f, &count) || count < 1 || count > NQ_MAX_PARAMS || fread(params, 4, (size_t)count, f) != (size_t)count
            || !read_bytes(f, bytes_a, &a_length) || !read_bytes(f, bytes_b, &b_length) || !read_bytes(f, bytes_expected, &expected_length))
        {
            printf("call %ld: bad recording\n", (long)calls);
            return 2;
        }

        for (i = 0; i < 4; i++)
        {
            if (!read_words(f, tables[i], &t_length[i]))
            {
                printf("call %ld: bad recording\n", (long)calls);
                return 2;
            }
        }

        if (odd)
        {
            memmove(a, bytes_a, a_length > 0 ? (size_t)a_length : 0);
            memmove(b, bytes_b, b_length > 0 ? (size_t)b_length : 0);
        }

        memset(out, 0x5A, expected_length > 0 ? (size_t)expected_length : 0);
        start = NQ_TIMER_VALUE;
        status = nq_run(params, count, a_length < 0 ? NULL : a, a_length < 0 ? 0 : a_length,
                        b_length < 0 ? NULL : b, b_length < 0 ? 0 : b_length,
                        expected_length < 0 ? NULL : out, expected_length < 0 ? 0 : expected_length,
                        t_length[0] < 0 ? NULL : tables[0], t_length[0], t_length[1] < 0 ? NULL : tables[1], t_length[1],
                        t_length[2] < 0 ? NULL : tables[2], t_length[2], t_length[3] < 0 ? NULL : tables[3], t_length[3]);
        stop = NQ_TIMER_VALUE;
        total += (start - stop) * NQ_INSTRUCTIONS_PER_TICK;
        printf("call %ld op %ld instr %lu macs %lu kernel %ld shape", (long)calls, (long)params[0],
               (unsigned long)((start - stop) * NQ_INSTRUCTIONS_PER_TICK), (unsigned long)macs(params, count), (long)nq_kernel_for(params, count));
        for (i = NQ_P_FIRST; i < count && i < NQ_P_FIRST + 24; i++)
        {
            printf(" %ld", (long)params[i]);
        }

        printf("\n");
        if (status != 0)
        {
            printf("call %ld op %ld: nq_run refused it (status %ld)\n", (long)calls, (long)params[0], (long)status);
            mismatches++;
        }
        else if (expected_length > 0 && memcmp(out, bytes_expected, (size_t)expected_length) != 0)
        {
            for (i = 0; i < expected_length && out[i] == ((int8_t *)bytes_expected)[i]; i++)
            {
            }

            printf("call %ld op %ld: output differs from x64 at byte %d (%d, expected %d)\n", (long)calls, (long)params[0], i,
                   out[i], ((int8_t *)bytes_expected)[i]);
            mismatches++;
        }

        calls++;
    }

    fclose(f);
    printf("total calls %ld instr %lu mismatches %ld\n", (long)calls, (unsigned long)total, (long)mismatches);
    return mismatches == 0 ? 0 : 1;
}
