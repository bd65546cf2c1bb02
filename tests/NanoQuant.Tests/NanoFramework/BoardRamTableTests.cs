using System.Text;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.TfLite;
using Xunit.Abstractions;

namespace NanoQuant.Tests.NanoFramework;

/// <summary>
/// The RAM table of hardware/README.md: what each model needs (model bytes + arena when loaded into
/// RAM; int32 constants + the largest operator's weights + arena when streaming) against each board's
/// managed heap. Models that convert in this tree are measured exactly with the converter and the
/// loader; the others are estimated from the TFLite file (constant data) and TFLite Micro's arena
/// (an upper bound: the golden tests keep our arena at or below TFLM's), marked "≈".
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

    public const string BundledModel = "hello_world_int8";

    internal sealed record Row(string Model, bool Exact, long FileBytes, long Arena, long InRam, long Streamed);

    internal static IEnumerable<Row> Rows()
    {
        foreach (string name in Golden.Int8Names())
        {
            var golden = Golden.Load(name);
            byte[]? bytes = StorageLoaderTests.TryConvert(name, out _);
            if (bytes is not null)
            {
                using var interpreter = new Interpreter(bytes);
                var model = Converter.ConvertFile(golden.ModelPath).Model;
                long weightBuffer = StorageLoaderTests.LargestOperatorInt8Constants(model) + 1024;
                long inRam = bytes.Length + interpreter.ArenaBytes;
                long streamed = bytes.Length - interpreter.ConstantPoolBytes + weightBuffer + interpreter.ArenaBytes;
                yield return new Row(name, true, bytes.Length, interpreter.ArenaBytes, inRam, streamed);
            }
            else
            {
                var source = TfLiteReader.ReadFile(golden.ModelPath);
                long constants = source.Tensors.Where(t => t.IsConstant).Sum(t => (long)t.Data!.Length);
                long largest = source.Operators.Select(op => op.Inputs.Where(i => i >= 0).Distinct()
                    .Select(i => source.Tensors[i]).Where(t => t.IsConstant && t.Type == TfLiteType.Int8).Sum(t => (long)t.Data!.Length)).DefaultIfEmpty(0).Max();
                long int8 = source.Tensors.Where(t => t.IsConstant && t.Type == TfLiteType.Int8).Sum(t => (long)t.Data!.Length);
                long arena = golden.ReferenceArenaBytes;
                yield return new Row(name, false, constants, arena, constants + arena, constants - int8 + largest + 1024 + arena);
            }
        }
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
            string approx = row.Exact ? "" : "≈";
            sb.Append($"| {row.Model} | {approx}{Num(row.FileBytes)} | {approx}{Num(row.Arena)} | {approx}{Num(row.InRam)} | {approx}{Num(row.Streamed)} |");
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
        if (Environment.GetEnvironmentVariable("NANOQUANT_WRITE_RAM_TABLE") == "1")
        {
            File.WriteAllText(path, "<!-- Generated by tests/NanoQuant.Tests/NanoFramework/BoardRamTableTests.cs -->\n\n" + table);
        }

        string bundledRow = table.Split('\n').Single(l => l.StartsWith("| " + BundledModel + " |", StringComparison.Ordinal));
        Assert.Contains(bundledRow, File.ReadAllText(Path.Combine(SharedResources.ProjectRoot, "hardware", "README.md")));
        Assert.Contains(bundledRow, File.ReadAllText(path));
        Assert.All(Boards, b => Assert.Contains(b.Board, table));
    }
}
