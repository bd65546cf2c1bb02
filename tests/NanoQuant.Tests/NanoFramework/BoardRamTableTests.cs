using NanoQuant.Host.Conversion;

namespace NanoQuant.Tests.NanoFramework;

/// <summary>
/// The RAM table of hardware/README.md (hardware/ram-table.md) is measured on nanoCLR by
/// tests/NanoQuant.NanoClr.Tests (NanoClrRamTableTests on the 64-bit Linux nanoCLR, CortexMRamTableTests on the
/// emulated Cortex-M7's 32-bit one; each rewrites its columns with NANOQUANT_WRITE_RAM_TABLE=1). This desktop test keeps the file true to the converter and the loader
/// without nanoCLR: one row per int8 golden model and one for the samples' bundled sine model; model bytes
/// and arena as the converter writes them today; each measured heap (64- and 32-bit) at least the data arrays the loader
/// allocates (arena + int8 constants + int32 constants in RAM; arena + int32 constants + the weight buffer
/// streamed); the board cells follow from the figures; the rows the hardware guide shows are the table's.
/// </summary>
public class BoardRamTableTests
{
    /// <summary>The row of the model the board samples bundle (the project's own sine demo).</summary>
    public const string BundledModel = "sine";

    private static IEnumerable<(string Name, byte[] Bytes, NanoQuant.Host.DeviceModels.DeviceModel Model)> Models()
    {
        foreach (string name in Golden.Int8Names())
        {
            var conversion = Converter.ConvertFile(Golden.Load(name).ModelPath);
            yield return (name, conversion.Bytes, conversion.Model);
        }

        var bundled = SampleResourceTests.Quantize().Conversion;
        yield return (BundledModel, bundled.Bytes, bundled.Model);
    }

    [Fact]
    public void The_measured_RAM_table_matches_the_models_and_the_hardware_guide()
    {
        string path = Path.Combine(SharedResources.ProjectRoot, "hardware", "ram-table.md");
        string text = File.ReadAllText(path);
        Assert.StartsWith(RamTable.Header, text);
        var rows = RamTable.Parse(text).ToDictionary(r => r.Model);
        var models = Models().ToList();
        Assert.Equal(models.Select(m => m.Name).Order(), rows.Keys.Order());

        foreach (var (name, bytes, model) in models)
        {
            var row = rows[name];
            using var ram = new Interpreter(bytes);
            long weightBuffer = StorageLoaderTests.LargestOperatorInt8Constants(model) + 1024;
            string stale = $"hardware/ram-table.md is out of date for {name}; regenerate with {RamTable.Regenerate} (64-bit columns) or {RamTable.Regenerate32} (32-bit columns)";
            Assert.True(row.FileBytes == bytes.Length && row.Arena == ram.ArenaBytes, stale);
            foreach (var (bits, inRam, streamed) in new[] { ("64-bit", row.InRam64, row.Streamed64), ("32-bit", row.InRam32, row.Streamed32) })
            {
                Assert.True(inRam >= ram.ArenaBytes + ram.ConstantPoolBytes + ram.Int32ConstantBytes, $"{name}: {bits} in-RAM heap {inRam} is below the data arrays; {stale}");
                Assert.True(streamed >= ram.ArenaBytes + ram.Int32ConstantBytes + weightBuffer, $"{name}: {bits} streamed heap {streamed} is below the data arrays; {stale}");
            }

            // Every board is 32-bit: a heap block half the 64-bit one, so the same objects take less.
            Assert.True(row.InRam32 < row.InRam64 && row.Streamed32 < row.Streamed64, $"{name}: the 32-bit heap is not below the 64-bit one; {stale}");
            Assert.Contains(RamTable.Line(row) + "\n", text);
        }

        Assert.DoesNotContain("≈", text);
        Assert.All(RamTable.Boards, b => Assert.Contains(b.Board, text));

        // Every model row the guide shows is the table's, and the sine row is there.
        string guide = File.ReadAllText(Path.Combine(SharedResources.ProjectRoot, "hardware", "README.md"));
        Assert.Contains(RamTable.Line(rows[BundledModel]), guide);
        foreach (string line in guide.Split('\n').Select(l => l.TrimEnd('\r')))
        {
            string[] cells = line.Split('|');
            if (cells.Length > 2 && rows.TryGetValue(cells[1].Trim(), out var row))
            {
                Assert.True(RamTable.Line(row) == line, $"hardware/README.md shows\n{line}\nbut ram-table.md has\n{RamTable.Line(row)}");
            }
        }
    }
}
