using System.Diagnostics;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Fuzzing;

/// <summary>
/// Mutates a .tflite file and reads and converts every mutant. Each must convert, or fail with
/// <see cref="TfLiteFormatException"/> (malformed FlatBuffer) or <see cref="UnsupportedModelException"/>
/// (well-formed but not convertible) — never another exception.
/// </summary>
public static class TfLiteFuzzer
{
    public static FuzzReport Run(byte[] model, int cases, int seed)
    {
        var report = new FuzzReport();
        var mutator = new Mutator(seed);
        var stopwatch = Stopwatch.StartNew();
        for (int i = 0; i < cases; i++)
        {
            byte[] mutant = mutator.Mutate(model, out string description);
            report.Cases++;
            try
            {
                Converter.Convert(TfLiteReader.Read(mutant));
                report.Loaded++;
            }
            catch (Exception e) when (e is TfLiteFormatException or UnsupportedModelException)
            {
                report.Rejected++;
            }
            catch (Exception e)
            {
                report.Unexpected.Add($"case {i} (seed {seed}, {description}): {e.GetType().Name}: {e.Message} {Where(e)}");
            }
        }

        report.Elapsed = stopwatch.Elapsed;
        return report;
    }

    /// <summary>The innermost frame that threw, to find the unguarded code from the report alone.</summary>
    private static string Where(Exception e) =>
        e.StackTrace?.Split('\n', StringSplitOptions.TrimEntries).FirstOrDefault(l => l.Length > 0) ?? "";
}
