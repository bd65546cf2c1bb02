using System.Text.Json;
using System.Text.Json.Serialization;

namespace NanoQuant.Cli;

/// <summary>`--json` output: one JSON document on stdout, camelCase field names (documented in docs/cli-json.md).</summary>
public static class CliJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static void Write(TextWriter writer, object document) => writer.WriteLine(JsonSerializer.Serialize(document, document.GetType(), Options));
}
