using NanoQuant.Host.Conversion;

namespace NanoQuant.Tests.NanoFramework;

/// <summary>
/// The RAM table of hardware/README.md (hardware/ram-table.md) is measured on nanoCLR by
/// tests/NanoQuant.NanoClr.Tests (NanoClrRamTableTests, which .ci/run runs and which rewrites the file with
/// NANOQUANT_WRITE_RAM_TABLE=1). This desktop test keeps the file true to the converter and the loader
/// without nanoCLR: one row per int8 golden model and one for the samples' bundled sine model; model bytes
/// and arena as the converter writes them today; each measured heap at least the data arrays the loader
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
            string stale = $"hardware/ram-table.md is out of date for {name}; regenerate with {RamTable.Regenerate}";
            Assert.True(row.FileBytes == bytes.Length && row.Arena == ram.ArenaBytes, stale);
            Assert.True(row.InRam >= ram.ArenaBytes + ram.ConstantPoolBytes + ram.Int32ConstantBytes, $"{name}: in-RAM heap {row.InRam} is below the data arrays; {stale}");
            Assert.True(row.Streamed >= ram.ArenaBytes + ram.Int32ConstantBytes + weightBuffer, $"{name}: streamed heap {row.Streamed} is below the data arrays; {stale}");
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
