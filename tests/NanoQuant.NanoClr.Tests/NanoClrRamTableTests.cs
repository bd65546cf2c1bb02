using NanoQuant.Tests.NanoFramework;
using Xunit.Abstractions;

namespace NanoQuant.Tests.NanoClr;

/// <summary>
/// hardware/ram-table.md's 64-bit Linux columns, measured on nanoCLR: for every int8 golden model and the samples' bundled sine model,
/// the managed heap the interpreter takes — free memory (GC.Run(false)) before the load minus after the load and
/// the first Invoke, the model's byte array not counted — loaded into RAM and with its weights streamed from a
/// Stream. Objects (tensors, kernels, tables) are included as nanoCLR really allocates them; this 64-bit build
/// has 24-byte heap blocks where 32-bit boards have 12 (the 32-bit columns: <see cref="CortexMRamTableTests"/>).
/// The file must match the measurement within 1 % (or 512 bytes); regenerate with <see cref="RamTable.Regenerate"/>
/// (the 32-bit columns are kept as they are).
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
            rows.Add(new RamTable.Row(run.Names[j], run.Models[run.Names[j]].Length, ram.ArenaBytes, ram.LoadAndInvokeBytes, streamed.LoadAndInvokeBytes, 0, 0));
        }

        output.WriteLine(RamTable.Format(rows));
        if (RamTable.Writing)
        {
            RamTable.Write(rows, (row, saved) => saved is null ? row : row with { InRam32 = saved.InRam32, Streamed32 = saved.Streamed32 });
        }

        var file = RamTable.Parse(File.ReadAllText(RamTable.FilePath)).ToDictionary(r => r.Model);
        Assert.Equal(rows.Select(r => r.Model).Order(), file.Keys.Order());
        foreach (var row in rows)
        {
            var saved = file[row.Model];
            Assert.True(saved.FileBytes == row.FileBytes && saved.Arena == row.Arena && RamTable.Close(saved.InRam64, row.InRam64) && RamTable.Close(saved.Streamed64, row.Streamed64),
                $"hardware/ram-table.md is out of date for {row.Model}: measured {RamTable.Line(row with { InRam32 = saved.InRam32, Streamed32 = saved.Streamed32 })}; regenerate with {RamTable.Regenerate}");

            // What the measure must at least include: the arena (and in RAM the int8 constants) are real arrays.
            Assert.True(row.InRam64 > row.Arena && row.Streamed64 > row.Arena, $"{row.Model}: measured heap below the arena");
        }
    }
}
