using NanoQuant.Tests.NanoFramework;
using Xunit.Abstractions;

namespace NanoQuant.Tests.NanoClr;

/// <summary>
/// hardware/ram-table.md, measured on nanoCLR: for every int8 golden model and the samples' bundled sine model,
/// the managed heap the interpreter takes — free memory (GC.Run(false)) before the load minus after the load and
/// the first Invoke, the model's byte array not counted — loaded into RAM and with its weights streamed from a
/// Stream. Objects (tensors, kernels, tables) are included as nanoCLR really allocates them; this 64-bit build
/// has 24-byte heap blocks where 32-bit boards have 12, so object overhead on a board is at most this.
/// The file must match the measurement within 1 % (or 512 bytes); regenerate with <see cref="RamTable.Regenerate"/>.
/// </summary>
[Collection(NanoClrGoldenCollection.Name)]
public sealed class NanoClrRamTableTests(NanoClrGoldenRun run, ITestOutputHelper output)
{
    [Fact]
    public void The_RAM_table_is_measured_on_nanoCLR_and_current()
    {
        var rows = new List<RamTable.Row>();
        for (int j = 0; j < run.Names.Count; j++)
        {
            var ram = run.InRam.Jobs[j];
            var streamed = run.Streamed.Jobs[j];
            rows.Add(new RamTable.Row(run.Names[j], run.Models[run.Names[j]].Length, ram.ArenaBytes, ram.LoadAndInvokeBytes, streamed.LoadAndInvokeBytes));
        }

        string table = RamTable.Format(rows);
        output.WriteLine(table);
        string path = Path.Combine(SharedResources.ProjectRoot, "hardware", "ram-table.md");
        if (Environment.GetEnvironmentVariable("NANOQUANT_WRITE_RAM_TABLE") == "1")
        {
            File.WriteAllText(path, RamTable.Header + table);
        }

        var file = RamTable.Parse(File.ReadAllText(path)).ToDictionary(r => r.Model);
        Assert.Equal(rows.Select(r => r.Model).Order(), file.Keys.Order());
        foreach (var row in rows)
        {
            var saved = file[row.Model];
            Assert.True(saved.FileBytes == row.FileBytes && saved.Arena == row.Arena && Close(saved.InRam, row.InRam) && Close(saved.Streamed, row.Streamed),
                $"hardware/ram-table.md is out of date for {row.Model}: measured {RamTable.Line(row)}; regenerate with {RamTable.Regenerate}");

            // What the measure must at least include: the arena (and in RAM the int8 constants) are real arrays.
            Assert.True(row.InRam > row.Arena && row.Streamed > row.Arena, $"{row.Model}: measured heap below the arena");
        }
    }

    private static bool Close(long a, long b) => Math.Abs(a - b) <= Math.Max(512, Math.Max(a, b) / 100);
}
