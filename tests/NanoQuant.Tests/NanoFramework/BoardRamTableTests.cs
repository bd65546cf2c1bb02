using System.Text;
using NanoQuant.Host.Conversion;
using Xunit.Abstractions;

namespace NanoQuant.Tests.NanoFramework;

/// <summary>
/// The RAM table of hardware/README.md: what each model needs (model bytes + arena when loaded into
/// RAM; int32 constants + the largest operator's weights + arena when streaming) against each board's
/// managed heap. Every row is measured with the converter and the loader: one per int8 golden model
/// (every one converts; a golden that stops converting fails this test) and one for the model the
/// board samples bundle, the sine demo (hardware/common/Resources/sine.nq, see SampleResourceTests).
/// Regenerate hardware/ram-table.md: NANOQUANT_WRITE_RAM_TABLE=1 dotnet test tests/NanoQuant.Tests --filter "FullyQualifiedName~BoardRamTableTests"
/// </summary>
public class BoardRamTableTests(ITestOutputHelper output)
{
    /// <summary>Managed heap per board (bytes), from nanoFramework's sources; measure yours with the sample (it prints free memory).</summary>
    public static readonly (string Board, long HeapBytes, string Source)[] Boards =
    [
        ("ESP32 without PSRAM (ESP32_REV0)", 79 * 1024, "≈79 KB measured by nanoFramework (49 KB with BLE)"),
        ("ESP32-WROVER (4 MB PSRAM)", (4096 - 256) * 1024L, "PSRAM minus 256 KB kept for ESP-IDF"),
        ("ESP32-S3 (8 MB PSRAM)", (8192 - 256) * 1024L, "PSRAM minus 256 KB kept for ESP-IDF"),
        ("STM32F769I-DISCO", 13631488, "external SDRAM region of the managed heap (13 MB)"),
    ];

    /// <summary>Objects, tables and the application itself: headroom every row adds on top of the data arrays.</summary>
    public const int OverheadBytes = 16 * 1024;

    public const string WriteVariable = "NANOQUANT_WRITE_RAM_TABLE";

    private const string Regenerate = WriteVariable + "=1 dotnet test tests/NanoQuant.Tests --filter \"FullyQualifiedName~BoardRamTableTests\"";

    /// <summary>The row of the model the board samples bundle (the project's own sine demo).</summary>
    public const string BundledModel = "sine";

    internal sealed record Row(string Model, long FileBytes, long Arena, long InRam, long Streamed);

    internal static IEnumerable<Row> Rows()
    {
        foreach (string name in Golden.Int8Names())
        {
            var conversion = Converter.ConvertFile(Golden.Load(name).ModelPath);
            yield return Measure(name, conversion.Bytes, conversion.Model);
        }

        var bundled = SampleResourceTests.Quantize().Conversion;
        yield return Measure(BundledModel, bundled.Bytes, bundled.Model);
    }

    private static Row Measure(string name, byte[] bytes, NanoQuant.Host.DeviceModels.DeviceModel model)
    {
        using var interpreter = new Interpreter(bytes);
        using var streaming = new Interpreter(new MemoryStream(bytes, writable: false), ModelLoadMode.StreamWeights, Interpreter.DefaultMaxArenaBytes);

        // Streamed: the largest operator's int8 constants (decoded) + the 1 KiB read chunk (+ the largest palette block).
        long weightBuffer = streaming.WeightBufferBytes;
        Assert.True(weightBuffer >= StorageLoaderTests.LargestOperatorInt8Constants(model) + 1024);

        // In RAM the model's bytes are held, with palettes decoded (int8 constants as stored in the file → as decoded).
        long storedInt8 = model.Tensors.Where(t => !t.IsArena && t.Type == NanoQuant.Format.TensorType.Int8).Sum(t => (long)(t.Palette?.Block.Length ?? t.ByteLength));
        long inRam = bytes.Length - storedInt8 + interpreter.ConstantPoolBytes + interpreter.ArenaBytes;
        long streamed = bytes.Length - interpreter.ConstantPoolBytes + weightBuffer + interpreter.ArenaBytes;
        return new Row(name, bytes.Length, interpreter.ArenaBytes, inRam, streamed);
    }

    internal static string Table()
    {
        var sb = new StringBuilder();
        sb.Append("| model | model bytes | arena | RAM with weights in RAM | RAM with weights streamed |");
        foreach (var board in Boards)
        {
            sb.Append($" {board.Board} |");
        }

        sb.Append("\n|---|--:|--:|--:|--:|");
        foreach (var _ in Boards)
        {
            sb.Append(":-:|");
        }

        sb.Append('\n');
        foreach (var row in Rows())
        {
            sb.Append($"| {row.Model} | {Num(row.FileBytes)} | {Num(row.Arena)} | {Num(row.InRam)} | {Num(row.Streamed)} |");
            foreach (var board in Boards)
            {
                string cell = row.InRam + OverheadBytes <= board.HeapBytes ? "fits"
                    : row.Streamed + OverheadBytes <= board.HeapBytes ? "streamed"
                    : "no";
                sb.Append($" {cell} |");
            }

            sb.Append('\n');
        }

        return sb.ToString();

        static string Num(long value) => value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture).Replace(',', ' ');
    }

    [Fact]
    public void The_RAM_table_is_computed_and_the_bundled_models_row_is_in_the_hardware_guide()
    {
        string table = Table();
        output.WriteLine(table);
        string path = Path.Combine(SharedResources.ProjectRoot, "hardware", "ram-table.md");
        string file = "<!-- Generated by tests/NanoQuant.Tests/NanoFramework/BoardRamTableTests.cs -->\n\n" + table;
        if (Environment.GetEnvironmentVariable(WriteVariable) == "1")
        {
            File.WriteAllText(path, file);
        }

        Assert.True(File.ReadAllText(path) == file, $"hardware/ram-table.md is out of date; regenerate with {Regenerate}");

        var rows = table.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal)).Skip(1)
            .ToDictionary(l => l.Split('|')[1].Trim(), l => l);
        string guide = File.ReadAllText(Path.Combine(SharedResources.ProjectRoot, "hardware", "README.md"));
        Assert.Contains(rows[BundledModel], guide);

        // Every model row the guide shows is the measured one.
        foreach (string line in guide.Split('\n').Select(l => l.TrimEnd('\r')))
        {
            string[] cells = line.Split('|');
            if (cells.Length > 2 && rows.TryGetValue(cells[1].Trim(), out string? row))
            {
                Assert.True(row == line, $"hardware/README.md shows\n{line}\nbut the measured row is\n{row}\n(regenerate ram-table.md with {Regenerate} and copy the row)");
            }
        }

        Assert.All(Boards, b => Assert.Contains(b.Board, table));

        // Every row is measured: no estimate is left in the table or the guides.
        Assert.DoesNotContain("≈", table);
        Assert.Equal(Golden.Int8Names().Count() + 1, rows.Count);
    }
}
