using Spectre.Console;
using Spectre.Console.Rendering;

namespace NanoQuant.Cli;

/// <summary>How a command prints its tables: aligned for a terminal, or Markdown for docs (`--format md`).</summary>
public enum TableFormat
{
    Terminal,
    Markdown,
}

/// <summary>
/// A table of text cells, printed with Spectre.Console for a terminal (aligned columns, no colour
/// when the output is redirected) or as a Markdown table.
/// </summary>
public sealed class CliTable
{
    private readonly string[] _headers;
    private readonly bool[] _right;
    private readonly List<string[]> _rows = [];

    /// <summary>Headers; a header starting with '>' marks a right-aligned (numeric) column, the '>' is dropped.</summary>
    public CliTable(params string[] headers)
    {
        _right = headers.Select(h => h.StartsWith('>')).ToArray();
        _headers = headers.Select(h => h.TrimStart('>')).ToArray();
    }

    public int RowCount => _rows.Count;

    public CliTable Add(params string[] cells)
    {
        if (cells.Length != _headers.Length)
        {
            throw new ArgumentException($"{cells.Length} cells for {_headers.Length} columns");
        }

        _rows.Add(cells);
        return this;
    }

    public void Write(TextWriter writer, TableFormat format)
    {
        if (format == TableFormat.Markdown)
        {
            writer.WriteLine("| " + string.Join(" | ", _headers) + " |");
            writer.WriteLine("|" + string.Join("|", _right.Select(r => r ? "---:" : "---")) + "|");
            foreach (var row in _rows)
            {
                writer.WriteLine("| " + string.Join(" | ", row.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))) + " |");
            }

            return;
        }

        var table = new Table { Border = TableBorder.Simple };
        for (int c = 0; c < _headers.Length; c++)
        {
            table.AddColumn(new TableColumn(new Text(_headers[c])) { Alignment = _right[c] ? Justify.Right : Justify.Left, NoWrap = true });
        }

        foreach (var row in _rows)
        {
            table.AddRow(row.Select(c => (IRenderable)new Text(c)).ToArray());
        }

        CliConsole.Render(writer, table);
    }
}
