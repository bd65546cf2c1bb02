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
        var ram = new Option<string?>("--ram") { Description = "your own part: the managed heap in bytes (K and M suffixes: × 1024), instead of --board; the same verdicts" };
        var flash = new Option<string?>("--flash") { Description = "with --ram or --board: flash for the model file in bytes (K, M); the verdict also checks the .nq fits" };
        var boardFile = new Option<FileInfo?>("--board-file") { Description = "your own part from a JSON file, instead of --board or --ram: {\"name\": \"My part\", \"ram\": \"128K\", \"flash\": \"1M\", \"clock_mhz\": 80, \"core\": \"Cortex-M4\"} (name and ram required); the same verdicts" };
        var activations = new Option<string>("--activations") { Description = "a float model: estimate the int8 (default) or the 16x8 (int16) device model", DefaultValueFactory = _ => "int8" };
        activations.AcceptOnlyFromAmong("int8", "int16");
        var json = new Option<bool>("--json") { Description = "print one JSON document (docs/cli-json.md) instead of tables" };
        var format = CliOptions.Format();
        var command = new Command("analyze", "What a model costs on a microcontroller: MACs, flash and RAM per layer and in total, and whether it fits a board")
        {
            model, board, ram, flash, boardFile, activations, json, format,
        };
        command.SetAction(parse => console.Guard(() =>
        {
            var file = parse.GetValue(model)!;
            var (kind, bytes) = CliFiles.ReadAnyModel(file.FullName);
            var chosen = ChooseBoard(parse.GetValue(board), parse.GetValue(ram), parse.GetValue(flash), parse.GetValue(boardFile));
            bool int16 = parse.GetValue(activations) == "int16";
            string? estimate = null;
            byte[] device;
            if (kind == FileKind.TfLite)
            {
                var tflite = CliFiles.ParseTfLite(file.FullName, bytes);
                bool isFloat = tflite.InputTensors.All(t => t.Type == NanoQuant.Host.TfLite.TfLiteType.Float32) && tflite.Operators.All(o => o.Code != NanoQuant.Host.TfLite.BuiltinOperator.Quantize);
                if (isFloat)
                {
                    device = Estimate(tflite, int16);
                    estimate = int16 ? "16x8" : "int8";
                }
                else if (parse.GetResult(activations) is { Implicit: false })
                {
                    throw new CliUsageException($"--activations applies to a float model; '{file.Name}' is already quantized and is analyzed as it is");
                }
                else
                {
                    device = Converter.Convert(tflite).Bytes;
                }
            }
            else
            {
                if (parse.GetResult(activations) is { Implicit: false })
                {
                    throw new CliUsageException($"--activations applies to a float model; '{file.Name}' is a device model and is analyzed as it is");
                }

                device = CliFiles.ReadDeviceModel(file.FullName);
            }

            var analysis = ModelAnalysis.Of(device);
            var verdict = chosen is null ? null : analysis.On(chosen);
            if (parse.GetValue(json))
            {
                CliJson.Write(console.Out, new
                {
                    Model = file.Name,
                    Source = kind == FileKind.TfLite ? "tflite" : "nq",
                    Estimate = estimate,
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
                        HeapNanoClr = ModelAnalysis.HeapLayout.Name,
                        LinuxHeapBytesWeightsInRam = analysis.Linux.HeapWithWeightsInRam,
                        LinuxHeapBytesWeightsStreamed = analysis.Linux.HeapWithWeightsStreamed,
                        ApplicationBytes = Boards.ApplicationBytes,
                        RamBytesWeightsInRam = analysis.RamWithWeightsInRam,
                        RamBytesWeightsStreamed = analysis.RamWithWeightsStreamed,
                    },
                    Palettes = analysis.Plain is { } plain ? new { PlainFlashBytes = plain.ModelBytes, PlainHeapBytesWeightsInRam = plain.HeapWithWeightsInRam, PlainHeapBytesWeightsStreamed = plain.HeapWithWeightsStreamed } : null,
                    Board = verdict is null ? null : new { verdict.Board.Name, verdict.Board.HeapBytes, verdict.Board.FlashBytes, verdict.Verdict, verdict.FitsInRam, verdict.FitsStreamed, verdict.FitsFlash },
                });
                return 0;
            }

            Print(console.Out, file, kind, analysis, verdict, CliOptions.ToTableFormat(parse.GetValue(format)), estimate);
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// A float model's device model without calibration data: quantized (with convert's defaults) from ranges
    /// seen on two random inputs in [−1, 1]. The sizes — MACs, weights, constants, arena, heap, file — do not depend
    /// on the ranges (weights are quantized from themselves; ranges set only scale values), so they are those of
    /// the model `convert` writes; the accuracy is not estimated.
    /// </summary>
    private static byte[] Estimate(NanoQuant.Host.TfLite.TfLiteModel tflite, bool int16)
    {
        var floatModel = NanoQuant.Host.Quantization.PostTrainingQuantizer.Prepare(tflite, int16);
        var specs = NanoQuant.Host.Quantization.InputSpec.Of(floatModel.Model);
        var random = new Random(1);
        var arrays = specs.Select(s =>
        {
            int[] perSample = s.Shape.Length > 0 && s.Shape[0] == 1 ? s.Shape[1..] : s.Shape;
            int length = perSample.Aggregate(1, (a, b) => a * b);
            var values = Enumerable.Range(0, 2 * length).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
            return ("synthetic", NanoQuant.Host.Npy.NpyArray.FromFloats(values, [2, .. perSample]));
        }).ToList();
        var data = NanoQuant.Host.Quantization.SampleSet.FromArrays(specs, arrays);
        var options = new NanoQuant.Host.Quantization.QuantizerOptions { Int16Activations = int16, CompactConstants = false };
        return NanoQuant.Host.Quantization.PostTrainingQuantizer.Run(floatModel, data, new NanoQuant.Host.Quantization.CalibrationOptions(NanoQuant.Host.Quantization.CalibrationMethod.MinMax), options).Conversion.Bytes;
    }

    /// <summary>--board, or your own part with --ram (and --flash) or --board-file.</summary>
    private static Board? ChooseBoard(string? name, string? ram, string? flash, FileInfo? file)
    {
        if ((name is not null ? 1 : 0) + (ram is not null ? 1 : 0) + (file is not null ? 1 : 0) > 1)
        {
            throw new CliUsageException("--board, --ram and --board-file each name the board: give one of them (--flash goes with --board or --ram)");
        }

        if (file is not null)
        {
            if (flash is not null)
            {
                throw new CliUsageException("--flash goes with --board or --ram: a board file gives the flash as its \"flash\" field");
            }

            try
            {
                return BoardFile.Load(file.FullName);
            }
            catch (InvalidDataException e)
            {
                throw new CliUsageException(e.Message);
            }
        }

        long? flashBytes = flash is null ? null : Bytes(flash, "--flash");
        if (flash is not null && name is null && ram is null)
        {
            throw new CliUsageException("--flash goes with --ram (your own part) or --board: the verdict needs the RAM too");
        }

        if (ram is not null)
        {
            long heap = Bytes(ram, "--ram");
            string label = $"your part ({N(heap)} B RAM{(flashBytes is { } f ? $", {N(f)} B flash" : "")})";
            return new Board(label, heap, "--ram") { FlashBytes = flashBytes };
        }

        return name is null ? null : Find(name) with { FlashBytes = flashBytes };
    }

    private static long Bytes(string text, string option)
    {
        try
        {
            return ByteCount.Parse(text, option);
        }
        catch (FormatException e)
        {
            throw new CliUsageException(e.Message);
        }
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

    private static string Signed(long value) => (value > 0 ? "+" : "") + N(value);

    private static void Print(TextWriter w, FileInfo file, FileKind kind, ModelAnalysis a, BoardVerdict? verdict, TableFormat format, string? estimate)
    {
        if (estimate is not null)
        {
            w.WriteLine($"{file.Name}: a float model; ESTIMATE of the {estimate} device model `convert --calibration …{(estimate == "16x8" ? " --activations int16" : "")}` will write: {N(a.ModelBytes)} bytes, {a.Layers.Count} operators");
            w.WriteLine("  quantized here from ranges of random inputs, without calibration data: the sizes below (MACs, weights, arena, flash, RAM) do not depend on the ranges and are exact; accuracy is not estimated");
        }
        else
        {
            w.WriteLine($"{file.Name}: {(kind == FileKind.TfLite ? "converted in memory to a device model of" : "device model,")} {N(a.ModelBytes)} bytes, {a.Layers.Count} operators");
        }

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
        var layout = ModelAnalysis.HeapLayout;
        w.WriteLine($"            heap as a board's {layout.Name} allocates it ({layout.BlockBytes}-byte heap blocks; measured on the emulated Cortex-M7: hardware/ram-table.md); " +
            $"the {NanoClrHeapLayout.Linux64.Name} takes {N(a.Linux.HeapWithWeightsInRam)} in RAM, {N(a.Linux.HeapWithWeightsStreamed)} streamed");
        w.WriteLine($"            loading from a byte[] also holds its {N(a.ModelBytes)} B until you release it");
        if (a.Plain is { } plain)
        {
            w.WriteLine($"palettes    flash {N(a.ModelBytes)} B instead of {N(plain.ModelBytes)} with plain int8 weights ({100.0 * (a.ModelBytes - plain.ModelBytes) / plain.ModelBytes:+0;-0} %); " +
                $"RAM {Signed(a.HeapWithWeightsInRam - plain.HeapWithWeightsInRam)} B with weights in RAM, {Signed(a.HeapWithWeightsStreamed - plain.HeapWithWeightsStreamed)} B streamed: " +
                "loaded into RAM the weights are decoded to plain int8 once and nothing of the palettes stays; streamed, each operator's weights are decoded as they are read, " +
                "which keeps a palette description per tensor and a scratch for the largest value table");
        }
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
            _ when !verdict.FitsFlash => $"does not fit: the model file is {N(a.ModelBytes)} B and the flash {N(verdict.Board.FlashBytes ?? 0)} B (store it on an SD card, D:\\, or make it smaller: --cluster 16)",
            _ => $"does not fit: needs {N(a.RamWithWeightsInRam)} B with weights in RAM and {N(a.RamWithWeightsStreamed)} B streamed; the managed heap is {N(heap)} B",
        };
        if (verdict.Board.FlashBytes is { } flashBytes && verdict.FitsFlash)
        {
            message += $"; flash: {N(a.ModelBytes)} of {N(flashBytes)} B for the model file ({100.0 * a.ModelBytes / flashBytes:F1}%)";
        }
        var about = new[] { verdict.Board.Core, verdict.Board.ClockMhz is { } mhz ? $"{mhz.ToString("0.###", CultureInfo.InvariantCulture)} MHz" : null }.OfType<string>().ToList();
        w.WriteLine($"board       {verdict.Board.Name}{(about.Count > 0 ? $" ({string.Join(", ", about)})" : "")}: {message}");
    }
}
