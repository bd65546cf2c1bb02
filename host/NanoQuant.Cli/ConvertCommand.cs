using System.CommandLine;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.IO;

namespace NanoQuant.Cli;

/// <summary>`nanoquant convert MODEL.tflite -o MODEL.nq`: an int8 TFLite model → device model.</summary>
public static class ConvertCommand
{
    public static Command Create(CliConsole console)
    {
        var model = new Argument<FileInfo>("model") { Description = "TensorFlow Lite model (.tflite)" };
        var output = new Option<FileInfo>("--output", "-o") { Description = "device model to write (.nq)", Required = true };
        var command = new Command("convert", "Convert a .tflite model into a nanoQuant device model") { model, output };
        command.SetAction(parse => console.Guard(() =>
        {
            var source = parse.GetValue(model)!;
            var target = parse.GetValue(output)!;
            if (!source.Exists)
            {
                throw new CliUsageException($"model '{source.FullName}' does not exist");
            }

            var result = Converter.ConvertFile(source.FullName);
            AtomicFile.WriteAllBytes(target.FullName, result.Bytes);
            console.Out.WriteLine($"wrote {target.FullName}: {result.Bytes.Length:N0} bytes (.tflite {source.Length:N0} bytes), " +
                $"{result.Model.Operators.Count} operators, arena {result.Plan.ArenaBytes:N0} bytes (lower bound {result.Plan.LowerBound:N0})");
            return 0;
        }));
        return command;
    }
}
