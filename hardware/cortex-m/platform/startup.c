// Bare-metal start-up for the emulated Cortex-M boards (QEMU mps2-an500, Cortex-M7, and mps2-an386, Cortex-M4),
// with mps2.ld: the one start-up of the project's programs on these boards, nanoCLR firmware (hardware/cortex-m;
// the CLR itself is the nanoCLR kit's nf-interpreter sources, compiled unchanged apart from the build-time fixes
// listed in build.sh) and the C kernels' replay harness (native/tests/cortex-m), both run by run-qemu.sh.
//
// Reset: FPU on, .data copied, .bss zeroed, the CMSDK timers started (platform.cpp; a program without it
// gets the weak no-op below and leaves the timer interrupts off), newlib's semihosting
// handles opened, C++ constructors run, argv taken from the semihosting command line (SYS_GET_CMDLINE:
// QEMU's -semihosting-config arg=... list), main() called, its result handed to exit() (newlib's rdimon
// exit ends QEMU with that code). Any fault (HardFault, MemManage, BusFault, UsageFault) ends QEMU with
// exit code 3 after one line on the semihosting console.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
extern int main(int argc, char **argv);
extern void initialise_monitor_handles(void);
extern void __libc_init_array(void);
void nq_platform_init(void);
void nq_timer0_irq(void);
void nq_timer1_irq(void);

// A program that does not start the timers (the replay harness reads timer0 itself, without interrupts).
__attribute__((weak)) void nq_platform_init(void) {}

// -nostartfiles: what crti/crtbegin would provide.
void *__dso_handle = 0;
void _init(void) {}
void _fini(void) {}

static inline int semihost(int op, void *arg)
{
    register int r0 __asm__("r0") = op;
    register void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

// SYS_EXIT_EXTENDED (0x20) with ADP_Stopped_ApplicationExit: QEMU exits with the given code.
static void semihost_exit(int code)
{
    uint32_t block[2] = {0x20026u, (uint32_t)code};
    semihost(0x20, block);
    for (;;)
    {
    }
}

#define NQ_MAX_ARGS 64
static char s_cmdline[4096];
static char *s_argv[NQ_MAX_ARGS + 1];

static int command_line(void)
{
    struct
    {
        char *buffer;
        int length;
    } block = {s_cmdline, (int)sizeof(s_cmdline) - 1};
    if (semihost(0x15, &block) != 0)
    {
        s_argv[0] = "nanoclr";
        return 1;
    }
    s_cmdline[block.length] = 0;
    int argc = 0;
    char *p = s_cmdline;
    while (*p && argc < NQ_MAX_ARGS)
    {
        while (*p == ' ')
            *p++ = 0;
        if (!*p)
            break;
        s_argv[argc++] = p;
        while (*p && *p != ' ')
            p++;
    }
    s_argv[argc] = 0;
    return argc;
}

void Reset_Handler(void)
{
    // CP10/CP11 full access: the FPU (fpv5-d16 on the M7, fpv4-sp-d16 on the M4).
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
    uint32_t *src = &_sidata;
    for (uint32_t *dst = &_sdata; dst < &_edata;)
        *dst++ = *src++;
    for (uint32_t *dst = &_sbss; dst < &_ebss;)
        *dst++ = 0;
    nq_platform_init();
    initialise_monitor_handles();
    __libc_init_array();
    int argc = command_line();
    int code = main(argc, s_argv);
    fflush(stdout);
    fflush(stderr);
    exit(code);
}

static void Fault_Handler(void)
{
    static const char message[] = "nanoclr-cortex-m: processor fault (HardFault/MemManage/BusFault/UsageFault)\n";
    semihost(0x04, (void *)message); // SYS_WRITE0
    semihost_exit(3);
}

static void Default_Handler(void)
{
    Fault_Handler();
}

// The timer interrupts are enabled by nq_platform_init only: without platform.cpp they never fire.
void nq_timer0_irq(void) __attribute__((weak, alias("Default_Handler")));
void nq_timer1_irq(void) __attribute__((weak, alias("Default_Handler")));

// 16 system exceptions + 32 external interrupts (CMSDK timer0 = IRQ 8, timer1 = IRQ 9 on the MPS2 images).
__attribute__((section(".isr_vector"), used)) void (*const g_vectors[16 + 32])(void) = {
    (void (*)(void))(&_estack), Reset_Handler, Default_Handler, Fault_Handler, Fault_Handler, Fault_Handler,
    Fault_Handler, 0, 0, 0, 0, Default_Handler, Default_Handler, 0, Default_Handler, Default_Handler,
    [16 ... 16 + 7] = Default_Handler, [16 + 8] = nq_timer0_irq, [16 + 9] = nq_timer1_irq,
    [16 + 10 ... 16 + 31] = Default_Handler,
};
