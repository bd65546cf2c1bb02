using System.CommandLine;

namespace NanoQuant.Cli;

/// <summary>Options several commands share, defined once so their names and meaning agree.</summary>
public static class CliOptions
{
    /// <summary>`--format table|md`: aligned tables for a terminal (default) or Markdown tables for docs.</summary>
    public static Option<string> Format()
    {
        var option = new Option<string>("--format")
        {
            Description = "tables as aligned text for a terminal (table) or as Markdown (md)",
            DefaultValueFactory = _ => "table",
        };
        option.AcceptOnlyFromAmong("table", "md");
        return option;
    }

    /// <summary>The table format a `--format` value names.</summary>
    public static TableFormat ToTableFormat(string? value) => value == "md" ? TableFormat.Markdown : TableFormat.Terminal;
}
