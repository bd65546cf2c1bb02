using System.Globalization;
using System.Text.RegularExpressions;

namespace NanoQuant.Host.Analysis;

/// <summary>A byte count as a user writes it (analyze --ram/--flash, a board file): digits, optionally K or M (× 1024, × 1024²; KB, KiB, MB, MiB too).</summary>
public static partial class ByteCount
{
    /// <summary>The count <paramref name="text"/> names; <see cref="FormatException"/> naming <paramref name="what"/> when it is none or under 1 byte.</summary>
    public static long Parse(string text, string what)
    {
        var match = Pattern().Match(text.Trim());
        if (!match.Success || !long.TryParse(match.Groups[1].Value.Replace(",", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out long value))
        {
            throw new FormatException($"{what} '{text}' is not a byte count: give whole bytes, e.g. 262144, 256K or 2M");
        }

        long factor = match.Groups[2].Value.ToUpperInvariant() switch { "" => 1, "K" or "KB" or "KIB" => 1024, _ => 1024 * 1024 };
        if (value < 1 || value > long.MaxValue / factor / 2)
        {
            throw new FormatException($"{what} '{text}' must be at least 1 byte");
        }

        return value * factor;
    }

    [GeneratedRegex(@"^([0-9][0-9_,]*)\s*(K|KB|KIB|M|MB|MIB)?$", RegexOptions.IgnoreCase)]
    private static partial Regex Pattern();
}
