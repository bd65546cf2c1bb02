namespace NanoQuant.Host.NanoClr;

/// <summary>
/// A real board an emulated core stands in for (<c>bench --runtime cortex-m7|cortex-m4 --board NAME</c>): its clock, and
/// the estimate of a time on it from the exact instruction count QEMU gives.
/// </summary>
/// <param name="Name">The name <c>--board</c> takes.</param>
/// <param name="Runtime">The emulated core with the same instruction set (cortex-m7, cortex-m4).</param>
/// <param name="Hertz">The core clock the board runs at.</param>
/// <param name="Description">What the board is.</param>
public sealed record BoardClock(string Name, string Runtime, long Hertz, string Description)
{
    /// <summary>
    /// Board cycles per counted instruction, calibrated against MLPerf Tiny v1.0's published latencies of TensorFlow Lite
    /// Micro with CMSIS-NN on a 120 MHz Cortex-M4 (kws 181.9 ms, vww 600.5 ms, ResNet-8 704.3 ms, ad01 10.05 ms) and the
    /// instructions the same TFLM build counts on the emulated M4 (7.58 M, 23.78 M, 29.78 M, 0.58 M): 2.88, 3.03, 2.84 and
    /// 2.08 cycles per instruction, 2.7 their mean (wait states of flash and RAM, multi-cycle loads and multiplies, branch
    /// refills). An interpreter's mix (loads, branches) differs from CMSIS-NN's, so the estimate is a rough one.
    /// </summary>
    public const double CyclesPerInstruction = 2.7;

    /// <summary>The lowest and highest factor of the calibration (ad01 and vww).</summary>
    public const double CyclesPerInstructionLow = 2.08, CyclesPerInstructionHigh = 3.03;

    /// <summary>Where <see cref="CyclesPerInstruction"/> comes from, as the CLI prints it.</summary>
    public const string CalibrationSource = "MLPerf Tiny v1.0 (TFLM + CMSIS-NN on a 120 MHz Cortex-M4: kws, vww, ResNet-8, ad01) against the instructions that build counts on the emulated M4";

    /// <summary>The boards of hardware/ with a Cortex-M core.</summary>
    public static IReadOnlyList<BoardClock> All { get; } =
    [
        new("stm32f769i-disco", "cortex-m7", 216_000_000, "STM32F769I-DISCO, Cortex-M7 at 216 MHz (the STM32 sample's board)"),
        new("nucleo-f411re", "cortex-m4", 100_000_000, "NUCLEO-F411RE, STM32F411 Cortex-M4 at 100 MHz"),
    ];

    /// <summary>The board named <paramref name="name"/> (case-insensitive), or an <see cref="ArgumentException"/> listing the boards.</summary>
    public static BoardClock Find(string name) =>
        All.FirstOrDefault(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"no board '{name}'; the boards are: {string.Join(", ", All.Select(b => b.Name))}");

    /// <summary>Estimated milliseconds on this board for <paramref name="instructions"/> counted instructions, at <paramref name="cyclesPerInstruction"/>.</summary>
    public double EstimatedMilliseconds(double instructions, double cyclesPerInstruction = CyclesPerInstruction) =>
        instructions * cyclesPerInstruction / Hertz * 1000;
}
