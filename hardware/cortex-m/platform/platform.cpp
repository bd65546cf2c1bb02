//
// nanoQuant's bare-metal platform layer for nanoCLR on the emulated Cortex-M boards (QEMU mps2-an500,
// Cortex-M7, and mps2-an386, Cortex-M4). It replaces the four files of the nanoCLR kit's POSIX target that
// need an operating system (Memory.cpp: std::mutex; targetHAL_Time.cpp: clock_gettime; targetPAL_Events.cpp:
// threads and condition variables; targetPAL_Time.cpp: a std::thread timer):
//
//  * time: the CMSDK APB timer0 (0x40000000, 25 MHz, IRQ 8) counts down from 0xFFFFFFFF; its wrap interrupt
//    extends it to 64 bits. Under QEMU's -icount shift=0 the virtual clock advances 1 ns per guest
//    instruction, so time differences are instruction counts (timer resolution 40 instructions; nanoCLR
//    ticks are 100 ns = 100 instructions). DateTime starts at 2026-01-01T00:00:00Z at reset.
//  * the scheduler's time quantum (Events_SetBoolTimer): a one-shot on timer1 (0x40001000, IRQ 9);
//  * Time_SetCompare (the HAL completion queue): a deadline polled whenever nanoCLR reads or waits for
//    events; waiting spins on the timer (no other bus master can set an event on these boards);
//  * both heaps (managed heap, custom heap) in the board's 16 MB PSRAM (NQ_PSRAM_BASE); newlib's malloc
//    (assembly buffers, std::vector) takes SRAM between .bss and the stack.
//
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <nanoCLR_Runtime.h>
#include <nanoHAL_v2.h>
#include <nanoHAL_Time.h>
#include <nanoPAL_Events.h>

#ifndef NQ_PSRAM_BASE
#error "NQ_PSRAM_BASE (the board's 16 MB PSRAM) must be defined"
#endif

#define NQ_PSRAM_BYTES (16u * 1024u * 1024u)
#define NQ_CUSTOM_HEAP_BYTES (1u * 1024u * 1024u)

// CMSDK APB timer registers.
struct CmsdkTimer
{
    volatile uint32_t CTRL;
    volatile uint32_t VALUE;
    volatile uint32_t RELOAD;
    volatile uint32_t INTSTATUS; // read: status, write: clear
};
#define NQ_TIMER0 ((CmsdkTimer *)0x40000000u)
#define NQ_TIMER1 ((CmsdkTimer *)0x40001000u)
#define NQ_NVIC_ISER0 (*(volatile uint32_t *)0xE000E100u)
#define NQ_NVIC_ICPR0 (*(volatile uint32_t *)0xE000E280u)
#define NQ_TIMER_HZ 25000000u
#define NQ_CTRL_ENABLE 1u
#define NQ_CTRL_IRQ 8u

static volatile uint32_t s_timer0Wraps = 0;
static volatile bool *volatile s_boolTimerFlag = nullptr;
static volatile uint32_t s_systemEvents = 0;
static uint64_t s_compareTicks = HAL_COMPLETION_IDLE_VALUE;

extern "C" void nq_platform_init(void)
{
    NQ_TIMER0->CTRL = 0;
    NQ_TIMER0->RELOAD = 0xFFFFFFFFu;
    NQ_TIMER0->VALUE = 0xFFFFFFFFu;
    NQ_TIMER0->INTSTATUS = 1;
    NQ_TIMER0->CTRL = NQ_CTRL_ENABLE | NQ_CTRL_IRQ;
    NQ_TIMER1->CTRL = 0;
    NQ_TIMER1->INTSTATUS = 1;
    NQ_NVIC_ICPR0 = (1u << 8) | (1u << 9);
    NQ_NVIC_ISER0 = (1u << 8) | (1u << 9);
}

extern "C" void nq_timer0_irq(void)
{
    NQ_TIMER0->INTSTATUS = 1;
    s_timer0Wraps = s_timer0Wraps + 1;
}

extern "C" void nq_timer1_irq(void)
{
    NQ_TIMER1->CTRL = 0;
    NQ_TIMER1->INTSTATUS = 1;
    volatile bool *flag = s_boolTimerFlag;
    s_boolTimerFlag = nullptr;
    if (flag != nullptr)
    {
        *flag = true;
    }
    s_systemEvents = s_systemEvents | SYSTEM_EVENT_FLAG_SYSTEM_TIMER;
}

// Timer0 periods of 40 ns since reset.
static uint64_t TimerCounts()
{
    for (;;)
    {
        uint32_t high = s_timer0Wraps;
        uint32_t value = NQ_TIMER0->VALUE;
        uint32_t pending = NQ_TIMER0->INTSTATUS & 1u;
        if (high != s_timer0Wraps)
        {
            continue; // the wrap interrupt ran in between
        }
        if (pending != 0 && value > 0x80000000u)
        {
            high++; // wrapped, its interrupt not taken yet (interrupts masked)
        }
        return ((uint64_t)high << 32) | (uint64_t)(0xFFFFFFFFu - value);
    }
}

// ---- Memory (replaces targets/posix/nanoCLR/Memory.cpp) ----

void HeapLocation(unsigned char *&BaseAddress, unsigned int &SizeInBytes)
{
    BaseAddress = (unsigned char *)NQ_PSRAM_BASE;
    SizeInBytes = NQ_PSRAM_BYTES - NQ_CUSTOM_HEAP_BYTES;
}

void CustomHeapLocation(unsigned char *&BaseAddress, unsigned int &SizeInBytes)
{
    BaseAddress = (unsigned char *)(NQ_PSRAM_BASE + NQ_PSRAM_BYTES - NQ_CUSTOM_HEAP_BYTES);
    SizeInBytes = NQ_CUSTOM_HEAP_BYTES;
}

// ---- HAL time (replaces targets/posix/nanoCLR/targetHAL_Time.cpp) ----

// 2026-01-01T00:00:00Z in .NET ticks since 1601 (the CLR's time base).
static const uint64_t c_StartDateTime = TIME_UNIX_EPOCH_AS_TICKS + 1767225600ULL * 10000000ULL;

uint64_t HAL_Time_CurrentSysTicks()
{
    // 100 ns ticks: 40 ns per timer count, so ticks = counts * 2 / 5.
    return TimerCounts() * 2u / 5u;
}

uint64_t HAL_Time_SysTicksToTime(uint64_t sysTicks)
{
    return sysTicks;
}

void HAL_Time_Sleep_MicroSeconds(unsigned int uSec)
{
    uint64_t end = HAL_Time_CurrentSysTicks() + (uint64_t)uSec * 10u;
    while (HAL_Time_CurrentSysTicks() < end)
    {
    }
}

void HAL_Time_Sleep_MicroSeconds_InterruptEnabled(unsigned int uSec)
{
    HAL_Time_Sleep_MicroSeconds(uSec);
}

uint64_t HAL_Time_CurrentDateTime(bool datePartOnly)
{
    uint64_t ticks = c_StartDateTime + HAL_Time_CurrentSysTicks();
    if (datePartOnly)
    {
        ticks -= ticks % 864000000000ULL;
    }
    return ticks;
}

bool HAL_Time_TimeSpanToStringEx(const int64_t &ticks, char *&buf, size_t &len)
{
    uint64_t ticksAbs;
    if (ticks < 0)
    {
        ticksAbs = (uint64_t)(-ticks);
        CLR_SafeSprintf(buf, len, "-");
    }
    else
    {
        ticksAbs = (uint64_t)ticks;
    }

    uint64_t rest = ticksAbs % (1000ULL * TIME_CONVERSION__TICKUNITS);
    ticksAbs /= (1000ULL * TIME_CONVERSION__TICKUNITS);
    if (ticksAbs > (uint64_t)TIME_CONVERSION__ONEDAY)
    {
        CLR_SafeSprintf(buf, len, "%d.", (int32_t)(ticksAbs / TIME_CONVERSION__ONEDAY));
        ticksAbs %= TIME_CONVERSION__ONEDAY;
    }

    CLR_SafeSprintf(buf, len, "%02d:", (int32_t)(ticksAbs / TIME_CONVERSION__ONEHOUR));
    ticksAbs %= TIME_CONVERSION__ONEHOUR;
    CLR_SafeSprintf(buf, len, "%02d:", (int32_t)(ticksAbs / TIME_CONVERSION__ONEMINUTE));
    ticksAbs %= TIME_CONVERSION__ONEMINUTE;
    CLR_SafeSprintf(buf, len, "%02d", (int32_t)(ticksAbs / TIME_CONVERSION__ONESECOND));
    if (rest != 0)
    {
        CLR_SafeSprintf(buf, len, ".%07d", (uint32_t)rest);
    }

    return len != 0;
}

const char *HAL_Time_CurrentDateTimeToString()
{
    static char buf[128];
    char *p = buf;
    size_t remaining = sizeof(buf);
    uint64_t unixTicks = HAL_Time_CurrentDateTime(false) - TIME_UNIX_EPOCH_AS_TICKS;
    time_t sec = (time_t)(unixTicks / 10000000ULL);
    struct tm tmBuf;
    struct tm *t = gmtime_r(&sec, &tmBuf);
    buf[0] = 0;
    if (t)
    {
        CLR_SafeSprintf(p, remaining, "%04d/%02d/%02d %02d:%02d:%02d", t->tm_year + 1900, t->tm_mon + 1, t->tm_mday,
                        t->tm_hour, t->tm_min, t->tm_sec);
    }
    return buf;
}

extern "C" HRESULT Time_Initialize()
{
    return S_OK;
}

extern "C" HRESULT Time_Uninitialize()
{
    return S_OK;
}

// ---- PAL time (replaces targets/posix/nanoCLR/targetPAL_Time.cpp) ----

extern "C" void Time_SetCompare(uint64_t compareValue)
{
    s_compareTicks = compareValue;
}

// The completion queue's deadline, checked whenever nanoCLR looks at its events.
static void PollCompare()
{
    if (s_compareTicks != HAL_COMPLETION_IDLE_VALUE && HAL_Time_CurrentTime() >= s_compareTicks)
    {
        s_compareTicks = HAL_COMPLETION_IDLE_VALUE;
        HAL_COMPLETION::DequeueAndExec();
        s_systemEvents = s_systemEvents | SYSTEM_EVENT_FLAG_SYSTEM_TIMER;
    }
}

// ---- events (replaces targets/posix/nanoCLR/targetPAL_Events.cpp) ----

bool Events_Initialize_Platform()
{
    return true;
}

extern "C"
{
    void Events_SetBoolTimer(bool *timerCompleteFlag, uint32_t millisecondsFromNow)
    {
        NQ_TIMER1->CTRL = 0;
        NQ_TIMER1->INTSTATUS = 1;
        s_boolTimerFlag = timerCompleteFlag;
        if (timerCompleteFlag == nullptr)
        {
            return;
        }

        *timerCompleteFlag = false;
        uint32_t counts = millisecondsFromNow * (NQ_TIMER_HZ / 1000u);
        NQ_TIMER1->RELOAD = counts == 0 ? 1 : counts;
        NQ_TIMER1->VALUE = counts == 0 ? 1 : counts;
        NQ_TIMER1->CTRL = NQ_CTRL_ENABLE | NQ_CTRL_IRQ;
    }

    bool Events_Initialize()
    {
        s_systemEvents = 0;
        return Events_Initialize_Platform();
    }

    bool Events_Uninitialize()
    {
        s_systemEvents = 0;
        return true;
    }

    void Events_Set(uint32_t events)
    {
        __asm__ volatile("cpsid i" ::: "memory");
        s_systemEvents = s_systemEvents | events;
        __asm__ volatile("cpsie i" ::: "memory");
    }

    uint32_t Events_Get(uint32_t eventsOfInterest)
    {
        PollCompare();
        __asm__ volatile("cpsid i" ::: "memory");
        uint32_t result = s_systemEvents & eventsOfInterest;
        s_systemEvents = s_systemEvents & ~eventsOfInterest;
        __asm__ volatile("cpsie i" ::: "memory");
        return result;
    }

    void Events_Clear(uint32_t events)
    {
        __asm__ volatile("cpsid i" ::: "memory");
        s_systemEvents = s_systemEvents & ~events;
        __asm__ volatile("cpsie i" ::: "memory");
    }

    uint32_t Events_MaskedRead(uint32_t events)
    {
        PollCompare();
        return s_systemEvents & events;
    }

    uint32_t Events_WaitForEvents(uint32_t powerLevel, uint32_t wakeupSystemEvents, uint32_t timeoutMilliseconds)
    {
        (void)powerLevel;
        PollCompare();
        if (timeoutMilliseconds == 0)
        {
            return s_systemEvents & wakeupSystemEvents;
        }

        uint64_t end = timeoutMilliseconds == (uint32_t)-1
                           ? ~0ULL
                           : HAL_Time_CurrentSysTicks() + (uint64_t)timeoutMilliseconds * 10000u;
        for (;;)
        {
            PollCompare();
            if ((s_systemEvents & wakeupSystemEvents) != 0)
            {
                return s_systemEvents & wakeupSystemEvents;
            }

            if (CLR_EE_DBG_IS(RebootPending) || CLR_EE_DBG_IS(ExitPending))
            {
                return s_systemEvents & wakeupSystemEvents;
            }

            if (HAL_Time_CurrentSysTicks() >= end)
            {
                return 0;
            }
        }
    }

    void Events_SetCallback(void (*pfn)(void *), void *arg)
    {
        (void)pfn;
        (void)arg;
    }

    void FreeManagedEvent(uint8_t category, uint8_t subCategory, uint16_t data1, uint32_t data2)
    {
        (void)category;
        (void)subCategory;
        (void)data1;
        (void)data2;
    }
} // extern "C"
