namespace NanoQuant.Host.Analysis;

/// <summary>
/// What an object costs on one nanoCLR build: its heap block (<c>sizeof(CLR_RT_HeapBlock)</c>: a 4-byte id and an
/// 8-byte data union on a 32-bit build, pointers widen it to 24 bytes on the 64-bit one) and an array's header
/// (<c>CLR_RT_HeapBlock_Array</c>: a heap block plus the element count, type, size and reference flag, 8 bytes).
/// </summary>
/// <param name="Name">Which nanoCLR this is, as analyze says it.</param>
/// <param name="BlockBytes">The heap block: the unit every allocation is rounded up to, and one object header or field.</param>
/// <param name="ArrayHeaderBytes">An array's header before its elements.</param>
public sealed record NanoClrHeapLayout(string Name, int BlockBytes, int ArrayHeaderBytes)
{
    /// <summary>
    /// The 32-bit nanoCLR of every board (Cortex-M, ESP32's Xtensa and RISC-V): the layout of the heap measured on the
    /// emulated Cortex-M7 in hardware/ram-table.md, which these constants reproduce (NanoClrHeapEstimateTests).
    /// </summary>
    public static NanoClrHeapLayout Board32 { get; } = new("32-bit nanoCLR", 12, 12 + 8);

    /// <summary>The 64-bit Linux nanoCLR the desktop tests run (hardware/ram-table.md's 64-bit columns).</summary>
    public static NanoClrHeapLayout Linux64 { get; } = new("64-bit Linux nanoCLR", 24, 24 + 8);
}
