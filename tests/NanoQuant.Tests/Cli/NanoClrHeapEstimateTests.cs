using NanoQuant.Host.Analysis;
using NanoQuant.Host.Conversion;
using NanoQuant.Tests.NanoFramework;
using Xunit.Abstractions;

namespace NanoQuant.Tests.Cli;

/// <summary>
/// analyze's RAM figure: the interpreter's heap counted from the objects the loader creates, priced as nanoCLR
/// allocates them (<see cref="NanoClrHeap"/>) in a board's 32-bit layout and in the 64-bit Linux one
/// (<see cref="NanoClrHeapLayout"/>), against the heaps measured in hardware/ram-table.md on the emulated Cortex-M7 and on
/// the Linux nanoCLR.
/// </summary>
public sealed class NanoClrHeapEstimateTests(ITestOutputHelper output)
{
    /// <summary>The stated tolerance: that of the measured table itself against a new measurement (1 %, or 512 bytes).</summary>
    private static bool Close(long estimate, long measured) => RamTable.Close(estimate, measured);

    [Fact]
    public void Analyze_RAM_is_within_1_percent_of_the_measured_32_and_64_bit_heaps_and_its_verdicts_are_the_tables_for_every_model()
    {
        var table = RamTable.Parse(File.ReadAllText(RamTable.FilePath));
        Assert.True(table.Count > 60, "hardware/ram-table.md has too few rows");
        foreach (var row in table)
        {
            byte[] model = row.Model == "sine"
                ? File.ReadAllBytes(Path.Combine(SharedResources.ProjectRoot, "hardware", "common", "Resources", "sine.nq"))
                : Converter.ConvertFile(Golden.Load(row.Model).ModelPath).Bytes;
            var analysis = ModelAnalysis.Of(model);
            output.WriteLine($"{row.Model,-32} 32-bit: in RAM {row.InRam32,8} measured {analysis.HeapWithWeightsInRam,8} estimated; streamed {row.Streamed32,8} measured {analysis.HeapWithWeightsStreamed,8} estimated; "
                + $"64-bit: in RAM {row.InRam64,8} measured {analysis.Linux.HeapWithWeightsInRam,8} estimated; streamed {row.Streamed64,8} measured {analysis.Linux.HeapWithWeightsStreamed,8} estimated");
            Assert.True(Close(analysis.HeapWithWeightsInRam, row.InRam32), $"{row.Model}: 32-bit heap in RAM estimated {analysis.HeapWithWeightsInRam}, measured {row.InRam32}");
            Assert.True(Close(analysis.HeapWithWeightsStreamed, row.Streamed32), $"{row.Model}: 32-bit heap streamed estimated {analysis.HeapWithWeightsStreamed}, measured {row.Streamed32}");
            Assert.True(Close(analysis.Linux.HeapWithWeightsInRam, row.InRam64), $"{row.Model}: 64-bit heap in RAM estimated {analysis.Linux.HeapWithWeightsInRam}, measured {row.InRam64}");
            Assert.True(Close(analysis.Linux.HeapWithWeightsStreamed, row.Streamed64), $"{row.Model}: 64-bit heap streamed estimated {analysis.Linux.HeapWithWeightsStreamed}, measured {row.Streamed64}");
            Assert.Equal(analysis.HeapWithWeightsInRam + Boards.ApplicationBytes, analysis.RamWithWeightsInRam);
            Assert.Equal(analysis.HeapWithWeightsStreamed + Boards.ApplicationBytes, analysis.RamWithWeightsStreamed);

            // The heap holds at least the arena and (in RAM) the constants; the rest is the objects' overhead.
            Assert.True(analysis.OverheadBytes > 0 && analysis.HeapWithWeightsInRam >= analysis.ArenaBytes + analysis.ConstantPoolBytes + analysis.OverheadBytes);
            foreach (var board in Boards.All)
            {
                Assert.Equal(RamTable.Cell(row, board.HeapBytes), analysis.On(board).Verdict);
            }
        }
    }

    [Fact]
    public void Objects_are_priced_in_heap_blocks_as_nanoCLR_allocates_them()
    {
        // An int[3] on 32-bit nanoCLR: a 20-byte array header + 12 bytes = 32, rounded up to 36 (three 12-byte blocks);
        // on 64-bit: 32 + 12 = 44 → 48. A two-field object: three blocks.
        Assert.Equal(36, NanoClrHeap.Reachable(new int[3], [], NanoClrHeapLayout.Board32));
        Assert.Equal(48, NanoClrHeap.Reachable(new int[3], [], NanoClrHeapLayout.Linux64));
        Assert.Equal(3 * 24, NanoClrHeap.Reachable(new TwoFields(), [], NanoClrHeapLayout.Linux64));
        Assert.Equal(3 * 12, NanoClrHeap.Reachable(new TwoFields(), [], NanoClrHeapLayout.Board32));

        // References are followed once each; excluded objects (the model array) are not counted.
        var shared = new sbyte[100];
        var holder = new object[] { shared, shared, new TwoFields { Data = shared } };
        long expected = 120 /* object[3]: 24 + 8 + 3 × 24 = 104 → 120 */ + 144 /* sbyte[100]: 132 → 144 */ + 3 * 24;
        Assert.Equal(expected, NanoClrHeap.Reachable(holder, [], NanoClrHeapLayout.Linux64));
        Assert.Equal(expected - 144, NanoClrHeap.Reachable(holder, [shared], NanoClrHeapLayout.Linux64));
    }

    private sealed class TwoFields
    {
        public int Count = 1;
        public sbyte[]? Data;
    }
}
