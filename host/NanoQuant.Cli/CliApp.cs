using System.CommandLine;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.Npy;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Cli;

/// <summary>The nanoquant command line: convert, run, inspect, bench, eval, bench-quantize, sample. Every failure is one line on stderr and a non-zero exit.</summary>
public static class CliApp
{
    /// <summary>Exit code for a bad model, data file or argument value.</summary>
    public const int ErrorExitCode = 1;

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var console = new CliConsole(output, error);
        var root = BuildRoot(console);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // A usage mistake is one error line too, naming the option and where the options are listed.
            string command = parse.CommandResult.Command == root ? "nanoquant" : $"nanoquant {parse.CommandResult.Command.Name}";
            error.WriteLine($"error: {string.Join("; ", parse.Errors.Select(e => OneLine(e.Message)))} ({command} --help lists the options)");
            return ErrorExitCode;
        }

        return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
    }

    /// <summary>A parser message on one line, in the user's words: "Must be one of: 'int8', 'int16'", "as a whole number".</summary>
    private static string OneLine(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string text = lines.Length == 1 ? lines[0] : lines[0] + " " + string.Join(", ", lines[1..]);
        text = System.Text.RegularExpressions.Regex.Replace(text, @"as expected type '[^']*(Int32|Int64)[^']*'", "as a whole number");
        return System.Text.RegularExpressions.Regex.Replace(text, @"as expected type '[^']*(Double|Single)[^']*'", "as a number");
    }

    /// <summary>Every command and option of the tool.</summary>
    public static RootCommand BuildRoot(CliConsole console)
    {
        return new RootCommand("nanoQuant: run TensorFlow Lite int8 models on microcontrollers with .NET nanoFramework")
        {
            ConvertCommand.Create(console),
            RunCommand.Create(console),
            InspectCommand.Create(console),
            AnalyzeCommand.Create(console),
            BenchCommand.Create(console),
            EvalCommand.Create(console),
            ValidateCommand.Create(console),
            BenchQuantizeCommand.Create(console),
            FuzzCommand.Create(console),
            SampleCommand.Create(console),
            EmbedCommand.Create(console),
            FinetuneCommand.Create(console),
        };
    }
}

/// <summary>Where commands write, and the one place that turns known failures into a one-line error.</summary>
public sealed class CliConsole(TextWriter output, TextWriter error)
{
    public TextWriter Out { get; } = output;
    public TextWriter Error { get; } = error;

    /// <summary>True when stderr is the terminal (progress bars are drawn only then).</summary>
    public bool Interactive { get; init; } = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;

    /// <summary>True when stdout is the terminal (tables may use its width and colour).</summary>
    public bool OutputIsTerminal { get; init; } = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;

    /// <summary>Renders Spectre.Console output as plain text into <paramref name="writer"/> (no colour codes; wide enough for wide tables).</summary>
    public static void Render(TextWriter writer, Spectre.Console.Rendering.IRenderable renderable)
    {
        bool terminal = ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected;
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Ansi = terminal ? Spectre.Console.AnsiSupport.Detect : Spectre.Console.AnsiSupport.No,
            ColorSystem = terminal ? Spectre.Console.ColorSystemSupport.Detect : Spectre.Console.ColorSystemSupport.NoColors,
            Out = new Spectre.Console.AnsiConsoleOutput(writer),
            Interactive = Spectre.Console.InteractionSupport.No,
        });
        console.Profile.Width = terminal ? Math.Max(Console.WindowWidth, 80) : 400;
        console.Write(renderable);
    }

    public int Guard(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is UnsupportedModelException or TfLiteFormatException or NpyFormatException or InvalidModelException
            or ArgumentException or IOException or UnauthorizedAccessException or CliUsageException)
        {
            Error.WriteLine($"error: {e.Message}");
            return CliApp.ErrorExitCode;
        }
    }
}

/// <summary>A command-line usage problem found after parsing (e.g. a file of the wrong kind).</summary>
public sealed class CliUsageException(string message) : Exception(message);
