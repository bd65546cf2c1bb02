using System.Globalization;
using System.Text.Json;

namespace NanoQuant.Host.Analysis;

/// <summary>
/// A user's own part, described in a small JSON file for <c>analyze --board-file</c>:
/// <c>{"name": "My STM32L4", "ram": "128K", "flash": "1M", "clock_mhz": 80, "core": "Cortex-M4"}</c>.
/// <c>name</c> and <c>ram</c> (the managed heap) are required; <c>flash</c> (for the model file), <c>clock_mhz</c> and
/// <c>core</c> are optional. Byte counts are numbers or strings with K/M suffixes (<see cref="ByteCount"/>).
/// </summary>
public static class BoardFile
{
    private static readonly string[] Known = ["name", "ram", "flash", "clock_mhz", "core"];

    /// <summary>Reads the board; <see cref="InvalidDataException"/> with one message naming the problem for a bad file.</summary>
    public static Board Load(string path)
    {
        string name = Path.GetFileName(path);
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"board file '{path}' does not exist");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"board file '{name}' is not valid JSON (line {e.LineNumber + 1}): expected an object like {{\"name\": \"My part\", \"ram\": \"128K\", \"flash\": \"1M\"}}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"board file '{name}' must hold one JSON object with \"name\" and \"ram\" (and optionally \"flash\", \"clock_mhz\", \"core\")");
            }

            foreach (var property in root.EnumerateObject())
            {
                if (!Known.Contains(property.Name))
                {
                    throw new InvalidDataException($"board file '{name}': unknown field \"{property.Name}\" (known: {string.Join(", ", Known)})");
                }
            }

            string boardName = Text(root, "name", name) ?? throw new InvalidDataException($"board file '{name}' has no \"name\"");
            long ram = Bytes(root, "ram", name) ?? throw new InvalidDataException($"board file '{name}' has no \"ram\" (the managed heap in bytes, e.g. \"128K\")");
            long? flash = Bytes(root, "flash", name);
            double? clock = null;
            if (root.TryGetProperty("clock_mhz", out var c))
            {
                if (c.ValueKind != JsonValueKind.Number || !c.TryGetDouble(out double mhz) || !(mhz > 0 && mhz < 100_000))
                {
                    throw new InvalidDataException($"board file '{name}': \"clock_mhz\" must be a positive number of MHz, e.g. 80");
                }

                clock = mhz;
            }

            return new Board(boardName, ram, $"board file {name}") { FlashBytes = flash, ClockMhz = clock, Core = Text(root, "core", name) };
        }
    }

    private static string? Text(JsonElement root, string field, string file)
    {
        if (!root.TryGetProperty(field, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            throw new InvalidDataException($"board file '{file}': \"{field}\" must be a non-empty string");
        }

        return value.GetString()!.Trim();
    }

    private static long? Bytes(JsonElement root, string field, string file)
    {
        if (!root.TryGetProperty(field, out var value))
        {
            return null;
        }

        string text = value.ValueKind switch
        {
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.String => value.GetString()!,
            _ => throw new InvalidDataException($"board file '{file}': \"{field}\" must be a byte count, e.g. 131072 or \"128K\""),
        };
        try
        {
            return ByteCount.Parse(text, $"board file '{file}': \"{field}\"");
        }
        catch (FormatException e)
        {
            throw new InvalidDataException(e.Message);
        }
    }
}
