// TensorFlow Lite Micro + CMSIS-NN on the emulated Cortex-M boards (QEMU mps2-an386 / mps2-an500, -icount shift=0),
// built by run.sh: the anchor nanoQuant's kernels are measured against. Reads a .tflite model and golden .npy
// inputs and outputs over semihosting, runs one Invoke per case, compares every output byte with the golden and
// prints the instructions each Invoke took (CMSDK APB timer 0, 25 MHz: 40 instructions per tick, as the replay
// harness native/tests/cortex-m/replay.c counts them).
//   anchor MODEL.tflite IN0.npy OUT0.npy [IN1.npy OUT1.npy …]     (single-input, single-output int8 models)
// Output lines: "arena <bytes>", "case <i> instr <n> match|MISMATCH", "anchor: <n> cases, <m> mismatches".
// Exit code 0 when every output matched, 1 on a mismatch, 2 on a bad file or a model TFLM refuses.
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "tensorflow/lite/micro/micro_interpreter.h"
#include "tensorflow/lite/micro/micro_mutable_op_resolver.h"
#include "tensorflow/lite/schema/schema_generated.h"

#define NQ_TIMER_CTRL (*(volatile uint32_t *)0x40000000u)
#define NQ_TIMER_VALUE (*(volatile uint32_t *)0x40000004u)
#define NQ_TIMER_RELOAD (*(volatile uint32_t *)0x40000008u)
constexpr uint32_t kInstructionsPerTick = 40;

constexpr size_t kModelBytes = 1024 * 1024;
constexpr size_t kArenaBytes = 512 * 1024;
constexpr size_t kTensorBytes = 64 * 1024;
alignas(16) static uint8_t model_bytes[kModelBytes];
alignas(16) static uint8_t arena[kArenaBytes];
static uint8_t golden[kTensorBytes];

extern "C" void DebugLog(const char *format, va_list args) { vprintf(format, args); }
extern "C" int DebugVsnprintf(char *buffer, size_t size, const char *format, va_list args)
{
    return vsnprintf(buffer, size, format, args);
}

static long read_file(const char *path, uint8_t *buffer, size_t capacity)
{
    FILE *f = fopen(path, "rb");
    if (f == nullptr)
    {
        return -1;
    }

    size_t n = fread(buffer, 1, capacity, f);
    bool more = fgetc(f) != EOF;
    fclose(f);
    return more ? -1 : static_cast<long>(n);
}

// The data of an .npy file (version 1 or 2 header) into buffer; its byte count, or -1.
static long read_npy(const char *path, uint8_t *buffer, size_t capacity)
{
    static uint8_t raw[kTensorBytes + 256];
    long n = read_file(path, raw, sizeof raw);
    if (n < 12 || memcmp(raw, "\x93NUMPY", 6) != 0)
    {
        return -1;
    }

    long header = raw[6] == 1 ? 10 + (raw[8] | (raw[9] << 8)) : 12 + (raw[8] | (raw[9] << 8) | (raw[10] << 16));
    if (header > n || static_cast<size_t>(n - header) > capacity)
    {
        return -1;
    }

    memcpy(buffer, raw + header, static_cast<size_t>(n - header));
    return n - header;
}

int main(int argc, char **argv)
{
    if (argc < 4 || (argc - 2) % 2 != 0)
    {
        printf("usage: anchor MODEL.tflite IN.npy OUT.npy [IN.npy OUT.npy ...]\n");
        return 2;
    }

    if (read_file(argv[1], model_bytes, sizeof model_bytes) <= 0)
    {
        printf("%s: cannot read the model\n", argv[1]);
        return 2;
    }

    const tflite::Model *model = tflite::GetModel(model_bytes);
    // The operators of kws, vww, person_detect, ResNet-8 and ad01 (run.sh compiles exactly their kernels).
    static tflite::MicroMutableOpResolver<8> resolver;
    resolver.AddConv2D();
    resolver.AddDepthwiseConv2D();
    resolver.AddFullyConnected();
    resolver.AddAveragePool2D();
    resolver.AddMaxPool2D();
    resolver.AddAdd();
    resolver.AddSoftmax();
    resolver.AddReshape();
    static tflite::MicroInterpreter interpreter(model, resolver, arena, kArenaBytes);
    if (interpreter.AllocateTensors() != kTfLiteOk || interpreter.inputs_size() != 1 || interpreter.outputs_size() != 1)
    {
        printf("%s: TFLM could not allocate it (or it has more than one input or output)\n", argv[1]);
        return 2;
    }

    printf("arena %lu\n", static_cast<unsigned long>(interpreter.arena_used_bytes()));
    TfLiteTensor *input = interpreter.input(0);
    TfLiteTensor *output = interpreter.output(0);
    int mismatches = 0;
    int cases = 0;
    NQ_TIMER_RELOAD = 0xFFFFFFFFu;
    NQ_TIMER_VALUE = 0xFFFFFFFFu;
    NQ_TIMER_CTRL = 1u;
    for (int a = 2; a + 1 < argc; a += 2, cases++)
    {
        if (read_npy(argv[a], input->data.uint8, input->bytes) != static_cast<long>(input->bytes)
            || read_npy(argv[a + 1], golden, sizeof golden) != static_cast<long>(output->bytes))
        {
            printf("case %d: %s or %s does not hold the model's input or output size\n", cases, argv[a], argv[a + 1]);
            return 2;
        }

        uint32_t start = NQ_TIMER_VALUE;
        TfLiteStatus status = interpreter.Invoke();
        uint32_t stop = NQ_TIMER_VALUE;
        bool match = status == kTfLiteOk && memcmp(output->data.uint8, golden, output->bytes) == 0;
        mismatches += match ? 0 : 1;
        printf("case %d instr %lu %s\n", cases, static_cast<unsigned long>((start - stop) * kInstructionsPerTick), match ? "match" : "MISMATCH");
    }

    printf("anchor: %d cases, %d mismatches\n", cases, mismatches);
    return mismatches == 0 ? 0 : 1;
}
