using System.Globalization;
using System.Net;
using System.Text;
using NanoQuant.Host.Analysis;
using NanoQuant.Host.DeviceModels;

namespace NanoQuant.Cli;

/// <summary>
/// A self-contained HTML report (inline SVG, no scripts, no external files): a per-layer SQNR bar
/// chart, the memory plan (each arena tensor's interval over operator steps, at its arena offset)
/// and tables. Written by `validate --report` and `convert --report REPORT.html`.
/// </summary>
public static class HtmlReport
{
    /// <summary>One bar of the SQNR chart.</summary>
    public sealed record Bar(string Label, double Sqnr);

    public static string Build(string title, IReadOnlyList<string> summary, IReadOnlyList<Bar> layers, DeviceModel model, IReadOnlyList<string[]> tableRows, string[] tableHeader)
    {
        var s = new StringBuilder();
        s.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E(title)).Append("</title>\n<style>\n")
            .Append("body{font-family:system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:16px;margin-top:28px}")
            .Append("table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}td:first-child,th:first-child{text-align:left}")
            .Append(".chart text{font-size:10px;fill:#333}.note{color:#666;font-size:12px}\n</style></head><body>\n");
        s.Append("<h1>").Append(E(title)).Append("</h1>\n<ul>");
        foreach (string line in summary)
        {
            s.Append("<li>").Append(E(line)).Append("</li>");
        }

        s.Append("</ul>\n<h2>SQNR per layer (dB, higher is better)</h2>\n");
        s.Append(SqnrChart(layers));
        s.Append("<h2>Memory plan</h2>\n<p class=\"note\">Each box is an activation tensor: horizontally the operator steps it is alive for, vertically its bytes at its offset in the arena (")
            .Append(model.ArenaBytes.ToString("N0", CultureInfo.InvariantCulture)).Append(" bytes).</p>\n");
        s.Append(MemoryPlan(model));
        s.Append("<h2>Layers</h2>\n<table><tr>");
        foreach (string h in tableHeader)
        {
            s.Append("<th>").Append(E(h)).Append("</th>");
        }

        s.Append("</tr>\n");
        foreach (var row in tableRows)
        {
            s.Append("<tr>");
            foreach (string cell in row)
            {
                s.Append("<td>").Append(E(cell)).Append("</td>");
            }

            s.Append("</tr>\n");
        }

        s.Append("</table>\n</body></html>\n");
        return s.ToString();
    }

    private static string SqnrChart(IReadOnlyList<Bar> layers)
    {
        const int barHeight = 16, labelWidth = 260, plotWidth = 600;
        var finite = layers.Where(l => double.IsFinite(l.Sqnr)).Select(l => l.Sqnr).ToList();
        double max = Math.Max(10, finite.Count == 0 ? 10 : Math.Ceiling(finite.Max() / 10) * 10);
        int height = (layers.Count * barHeight) + 30;
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" id=\"sqnr-chart\" width=\"{labelWidth + plotWidth + 60}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\">\n");
        for (double tick = 0; tick <= max; tick += 10)
        {
            double x = labelWidth + (plotWidth * tick / max);
            s.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x:F1}\" y1=\"0\" x2=\"{x:F1}\" y2=\"{height - 20}\" stroke=\"#eee\"/><text x=\"{x:F1}\" y=\"{height - 6}\" text-anchor=\"middle\">{tick:F0}</text>\n");
        }

        for (int i = 0; i < layers.Count; i++)
        {
            var l = layers[i];
            double value = double.IsPositiveInfinity(l.Sqnr) ? max : double.IsFinite(l.Sqnr) ? Math.Max(0, l.Sqnr) : 0;
            double width = plotWidth * value / max;
            string color = l.Sqnr < 20 ? "#d9534f" : l.Sqnr < 30 ? "#f0ad4e" : "#5cb85c";
            int y = i * barHeight;
            s.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth - 6}\" y=\"{y + 12}\" text-anchor=\"end\">{E(Short(l.Label, 44))}</text>");
            s.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar\" x=\"{labelWidth}\" y=\"{y + 2}\" width=\"{width:F1}\" height=\"{barHeight - 4}\" fill=\"{color}\"><title>{E(l.Label)}: {E(Db(l.Sqnr))} dB</title></rect>");
            s.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth + width + 4:F1}\" y=\"{y + 12}\">{E(Db(l.Sqnr))}</text>\n");
        }

        s.Append("</svg>\n");
        return s.ToString();
    }

    private static string MemoryPlan(DeviceModel model)
    {
        const int width = 860, height = 320, left = 60, bottom = 24;
        var intervals = ModelAnalysis.ArenaIntervals(model);
        int steps = model.Operators.Count + 2; // the inputs before step 0, the outputs after the last
        double arena = Math.Max(1, model.ArenaBytes);
        double stepWidth = (double)(width - left) / steps;
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" id=\"memory-plan\" width=\"{width + 10}\" height=\"{height + bottom}\" xmlns=\"http://www.w3.org/2000/svg\">\n");
        s.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"0\" width=\"{width - left}\" height=\"{height}\" fill=\"#fafafa\" stroke=\"#999\"/>\n");
        s.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 4}\" y=\"10\" text-anchor=\"end\">{model.ArenaBytes:N0}</text><text x=\"{left - 4}\" y=\"{height}\" text-anchor=\"end\">0</text>\n");
        for (int step = 0; step < model.Operators.Count; step++)
        {
            double x = left + ((step + 1.5) * stepWidth);
            s.Append(CultureInfo.InvariantCulture, $"<text x=\"{x:F1}\" y=\"{height + 14}\" text-anchor=\"middle\">{step}</text>\n");
        }

        string[] palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];
        foreach (var (tensor, first, last, offset, bytes) in intervals)
        {
            double x = left + ((first + 1) * stepWidth);
            double w = (last - first + 1) * stepWidth;
            double h = Math.Max(1, height * bytes / arena);
            double y = height - (height * (offset + bytes) / arena);
            s.Append(CultureInfo.InvariantCulture, $"<rect class=\"tensor\" x=\"{x + 1:F1}\" y=\"{y:F1}\" width=\"{Math.Max(1, w - 2):F1}\" height=\"{h:F1}\" fill=\"{palette[tensor % palette.Length]}\" fill-opacity=\"0.8\" stroke=\"#333\" stroke-width=\"0.5\">");
            s.Append(CultureInfo.InvariantCulture, $"<title>t{tensor}: {bytes:N0} B at offset {offset:N0}, alive steps {first}..{last}</title></rect>\n");
        }

        s.Append("</svg>\n");
        return s.ToString();
    }

    private static string Db(double value) => double.IsPositiveInfinity(value) ? "∞" : value.ToString("F1", CultureInfo.InvariantCulture);

    private static string Short(string text, int length)
    {
        string first = text.Split(';')[0];
        return first.Length <= length ? first : first[..(length - 1)] + "…";
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
