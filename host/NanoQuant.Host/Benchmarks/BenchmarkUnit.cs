namespace NanoQuant.Host.Benchmarks;

/// <summary>What a runtime's benchmark counts per Invoke.</summary>
public enum BenchmarkUnit
{
    /// <summary>Wall-clock milliseconds (in this process, on the Linux nanoCLR): they move with the machine's load.</summary>
    Milliseconds,

    /// <summary>Guest instructions on an emulated board (QEMU -icount): exact, the same on every run.</summary>
    Instructions,
}
