namespace NanoQuant.Host.Analysis;

/// <summary>A board's managed heap: what a model, its arena and the application must fit in.</summary>
public sealed record Board(string Name, long HeapBytes, string Source)
{
    /// <summary>Flash for the model file, when known (analyze --flash): the verdict then also checks the file fits.</summary>
    public long? FlashBytes { get; init; }

    /// <summary>The processor core, when known (a board file's <c>core</c>): shown, not used in the verdict.</summary>
    public string? Core { get; init; }

    /// <summary>The clock in MHz, when known (a board file's <c>clock_mhz</c>): shown, not used in the verdict.</summary>
    public double? ClockMhz { get; init; }
}

/// <summary>
/// The boards of hardware/ram-table.md with their managed heap (from nanoFramework's sources; the
/// board sample prints the free memory of yours) and the headroom added to the interpreter's heap for
/// the application itself.
/// </summary>
public static class Boards
{
    /// <summary>The application itself (its own objects, strings, buffers): added to the interpreter's heap.</summary>
    public const int ApplicationBytes = 16 * 1024;

    public static IReadOnlyList<Board> All { get; } =
    [
        new("ESP32 without PSRAM (ESP32_REV0)", 79 * 1024, "≈79 KB measured by nanoFramework (49 KB with BLE)"),
        new("ESP32-WROVER (4 MB PSRAM)", (4096 - 256) * 1024L, "PSRAM minus 256 KB kept for ESP-IDF"),
        new("ESP32-S3 (8 MB PSRAM)", (8192 - 256) * 1024L, "PSRAM minus 256 KB kept for ESP-IDF"),
        new("STM32F769I-DISCO", 13631488, "external SDRAM region of the managed heap (13 MB)"),
    ];

    /// <summary>The board whose name contains <paramref name="query"/> (case-insensitive; e.g. "esp32-s3", "stm32"), or an error listing the boards.</summary>
    public static Board Find(string query)
    {
        var exact = All.FirstOrDefault(b => string.Equals(b.Name, query, StringComparison.OrdinalIgnoreCase));
        if (exact is not null)
        {
            return exact;
        }

        var matches = All.Where(b => b.Name.Contains(query, StringComparison.OrdinalIgnoreCase)).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new ArgumentException($"no board '{query}'; the boards are: {string.Join("; ", All.Select(b => b.Name))}"),
            _ => throw new ArgumentException($"board '{query}' matches {string.Join("; ", matches.Select(b => b.Name))}: say which"),
        };
    }
}
