/* Vector table and reset for the replay harness on QEMU's mps2 boards. A fault ends the run with exit
   code 3 (semihosting), so a kernel's bad access cannot pass as a result. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

extern uint32_t __bss_start__[];
extern uint32_t __bss_end__[];
extern uint32_t __stack_top[];
extern int main(int argc, char **argv);
extern void initialise_monitor_handles(void);
extern void __libc_init_array(void);

void nq_reset(void);
void nq_fault(void);

void nq_fault(void)
{
    _Exit(3);
}

/* The command line QEMU was given (-semihosting-config arg=...), split at spaces: SYS_GET_CMDLINE. */
static char nq_command_line[512];
static char *nq_argv[8];

static int nq_arguments(void)
{
    uint32_t block[2];
    register uint32_t r0 __asm__("r0") = 0x15u;
    register uint32_t *r1 __asm__("r1") = block;
    int argc = 0;
    char *c;
    block[0] = (uint32_t)nq_command_line;
    block[1] = sizeof nq_command_line - 1u;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    if (r0 != 0u)
    {
        return 0;
    }

    nq_command_line[block[1]] = 0;
    for (c = nq_command_line; *c != 0 && argc < 7;)
    {
        while (*c == ' ')
        {
            *c++ = 0;
        }

        if (*c == 0)
        {
            break;
        }

        nq_argv[argc++] = c;
        while (*c != 0 && *c != ' ')
        {
            c++;
        }
    }

    return argc;
}

void nq_reset(void)
{
    int argc;
    memset(__bss_start__, 0, (size_t)((char *)__bss_end__ - (char *)__bss_start__));
    initialise_monitor_handles();
    argc = nq_arguments();
    exit(main(argc, nq_argv));
}

__attribute__((section(".vectors"), used)) static void (*const nq_vectors[16])(void) = {
    (void (*)(void))__stack_top, nq_reset, nq_fault, nq_fault, nq_fault, nq_fault, nq_fault, 0, 0, 0, 0, nq_fault, nq_fault, 0, nq_fault, nq_fault,
};

/* newlib's exit runs __libc_fini_array, which calls _fini (crti's, absent with -nostartfiles). */
void _fini(void);
void _fini(void)
{
}
