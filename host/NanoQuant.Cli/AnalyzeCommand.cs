using System.CommandLine;
using System.Globalization;
using NanoQuant.Host.Analysis;
using NanoQuant.Host.Conversion;

namespace NanoQuant.Cli;

/// <summary>
/// `nanoquant analyze MODEL.tflite|MODEL.nq [--board NAME]`: per layer the operator, output shape,
/// MACs, weight bytes and arena bytes alive; totals (MACs, flash, RAM with weights in RAM or
/// streamed); with --board, whether the model fits that board's managed heap.
/// </summary>
public static class AnalyzeCommand
{
    public static Command Create(CliConsole console)
    {
        var model = new Argument<FileInfo>("model") { Description = "device model (.nq), or an int8 TensorFlow Lite model (.tflite, converted in memory)" };
        var board = new Option<string?>("--board", "-b") { Description = $"check the model against this board's managed heap ({string.Join("; ", Boards.All.Select(b => b.Name))}; any unique part of a name)" };
        var json = new Option<bool>("--json") { Description = "print one JSON document (docs/cli-json.md) instead of tables" };
        var format = CliOptions.Format();
        var command = new Command("analyze", "What a model costs on a microcontroller: MACs, flash and RAM per layer and in total, and whether it fits a board")
        {
            model, board, json, format,
        };
        command.SetAction(parse => console.Guard(() =>
        {
            var file = parse.GetValue(model)!;
            var (kind, bytes) = CliFiles.ReadAnyModel(file.FullName);
            byte[] device = kind == FileKind.TfLite ? Converter.Convert(CliFiles.ParseTfLite(file.FullName, bytes)).Bytes : CliFiles.ReadDeviceModel(file.FullName);
            var chosen = parse.GetValue(board) is { } name ? Find(name) : null;
            var analysis = ModelAnalysis.Of(device);
            var verdict = chosen is null ? null : analysis.On(chosen);
            if (parse.GetValue(json))
            {
                CliJson.Write(console.Out, new
                {
                    Model = file.Name,
                    Source = kind == FileKind.TfLite ? "tflite" : "nq",
                    analysis.Layers,
                    Totals = new
                    {
                        analysis.TotalMacs,
                        FlashBytes = analysis.ModelBytes,
                        analysis.ArenaBytes,
                        analysis.ArenaLowerBound,
                        analysis.ConstantPoolBytes,
                        analysis.StreamBufferBytes,
                        analysis.OverheadBytes,
                        HeapBytesWeightsInRam = analysis.HeapWithWeightsInRam,
                        HeapBytesWeightsStreamed = analysis.HeapWithWeightsStreamed,
                        ApplicationBytes = Boards.ApplicationBytes,
                        RamBytesWeightsInRam = analysis.RamWithWeightsInRam,
                        RamBytesWeightsStreamed = analysis.RamWithWeightsStreamed,
                    },
                    Board = verdict is null ? null : new { verdict.Board.Name, verdict.Board.HeapBytes, verdict.Verdict, verdict.FitsInRam, verdict.FitsStreamed },
                });
                return 0;
            }

            Print(console.Out, file, kind, analysis, verdict, CliOptions.ToTableFormat(parse.GetValue(format)));
            return 0;
        }));
        return command;
    }

    private static Board Find(string name)
    {
        try
        {
            return Boards.Find(name);
        }
        catch (ArgumentException e)
        {
            throw new CliUsageException("--board: " + e.Message);
        }
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static void Print(TextWriter w, FileInfo file, FileKind kind, ModelAnalysis a, BoardVerdict? verdict, TableFormat format)
    {
        w.WriteLine($"{file.Name}: {(kind == FileKind.TfLite ? "converted in memory to a device model of" : "device model,")} {N(a.ModelBytes)} bytes, {a.Layers.Count} operators");
        var table = new CliTable("#", "operator", "output shape", ">MACs", ">weights B", ">arena alive B");
        foreach (var l in a.Layers)
        {
            table.Add(l.Index.ToString(CultureInfo.InvariantCulture), l.Operator, "(" + string.Join(", ", l.OutputShape) + ")", N(l.Macs), N(l.WeightBytes), N(l.ArenaBytesAlive));
        }

        table.Add("", "total", "", N(a.TotalMacs), N(a.Layers.Sum(l => l.WeightBytes)), N(a.ArenaLowerBound) + " peak");
        table.Write(w, format);
        w.WriteLine($"MACs        {N(a.TotalMacs)} per inference");
        w.WriteLine($"flash       {N(a.ModelBytes)} B (the device model file)");
        w.WriteLine($"arena       {N(a.ArenaBytes)} B (lower bound {N(a.ArenaLowerBound)})");
        w.WriteLine($"RAM         {N(a.RamWithWeightsInRam)} B with weights in RAM (interpreter heap {N(a.HeapWithWeightsInRam)}: arena {N(a.ArenaBytes)} + constants {N(a.HeapWithWeightsInRam - a.ArenaBytes - a.OverheadBytes)} + objects and tables {N(a.OverheadBytes)}; + application {N(Boards.ApplicationBytes)})");
        w.WriteLine($"            {N(a.RamWithWeightsStreamed)} B with weights streamed from storage (interpreter heap {N(a.HeapWithWeightsStreamed)}, weight buffer {N(a.StreamBufferBytes)} included; + application {N(Boards.ApplicationBytes)})");
        w.WriteLine($"            heap as nanoCLR allocates it (hardware/ram-table.md); loading from a byte[] also holds its {N(a.ModelBytes)} B until you release it");
        if (verdict is null)
        {
            return;
        }

        long heap = verdict.Board.HeapBytes;
        string message = verdict.Verdict switch
        {
            "fits" => $"fits: {N(a.RamWithWeightsInRam)} of {N(heap)} B of managed heap with the weights in RAM ({100.0 * a.RamWithWeightsInRam / heap:F1}%)",
            "streamed" => $"fits only with streamed weights: {N(a.RamWithWeightsStreamed)} of {N(heap)} B (in RAM it would need {N(a.RamWithWeightsInRam)}); " +
                "store the .nq on the board (I:\\ or D:\\) and load it with Interpreter.FromFile(path, ModelLoadMode.StreamWeights)",
            _ => $"does not fit: needs {N(a.RamWithWeightsInRam)} B with weights in RAM and {N(a.RamWithWeightsStreamed)} B streamed; the managed heap is {N(heap)} B",
        };
        w.WriteLine($"board       {verdict.Board.Name}: {message}");
    }
}
