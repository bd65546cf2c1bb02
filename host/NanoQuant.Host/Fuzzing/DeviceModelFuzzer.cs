using System.Diagnostics;

namespace NanoQuant.Host.Fuzzing;

/// <summary>Totals of a fuzz run. Every case must end in a clean load (and Invoke) or an <see cref="InvalidModelException"/>.</summary>
public sealed class FuzzReport
{
    public long Cases { get; set; }
    public long Loaded { get; set; }
    public long Rejected { get; set; }
    public long Forged { get; set; }
    public List<string> Unexpected { get; } = [];
    public TimeSpan Elapsed { get; set; }
    public Dictionary<string, long> RejectionReasons { get; } = [];

    public double CasesPerSecond => Cases / Math.Max(Elapsed.TotalSeconds, 1e-9);

    public void Add(FuzzReport other)
    {
        Cases += other.Cases;
        Loaded += other.Loaded;
        Rejected += other.Rejected;
        Forged += other.Forged;
        Unexpected.AddRange(other.Unexpected);
        Elapsed += other.Elapsed;
        foreach (var (reason, count) in other.RejectionReasons)
        {
            RejectionReasons[reason] = RejectionReasons.GetValueOrDefault(reason) + count;
        }
    }
}

/// <summary>
/// Mutates a valid device model and loads and invokes every mutant with the device runtime (from a
/// byte array, every fourth one from a stream with the weights streamed per operator, every eighth with
/// palette weights kept encoded in RAM). Most
/// mutants get a re-forged length and CRC, so that the validation behind the checksum is what is tested.
/// </summary>
public static class DeviceModelFuzzer
{
    public static FuzzReport Run(byte[] model, int cases, int seed, int maxArenaBytes = 1 << 20)
    {
        var report = new FuzzReport();
        var mutator = new Mutator(seed);
        var stopwatch = Stopwatch.StartNew();
        for (int i = 0; i < cases; i++)
        {
            byte[] mutant = mutator.Mutate(model, out string description);
            if (mutator.Random.Next(10) < 8)
            {
                Mutator.ForgeChecksum(mutant);
                report.Forged++;
            }

            report.Cases++;
            try
            {
                // Every fourth mutant goes through the stream loader in streaming mode (weights read per operator),
                // every eighth with palettes kept encoded in RAM (decoded per operator).
                using var interpreter = i % 4 == 3
                    ? new Interpreter(new MemoryStream(mutant, writable: false), ModelLoadMode.StreamWeights, maxArenaBytes)
                    : i % 8 == 1
                        ? new Interpreter(new MemoryStream(mutant, writable: false), ModelLoadMode.CompactPalettes, maxArenaBytes)
                        : new Interpreter(mutant, maxArenaBytes);
                for (int k = 0; k < interpreter.InputCount; k++)
                {
                    var input = interpreter.GetInput(k);
                    for (int e = 0; e < input.Length; e++)
                    {
                        if (input.Type == Format.TensorType.Int16)
                        {
                            input.SetInt16(e, (short)mutator.Random.Next(short.MinValue, short.MaxValue + 1));
                        }
                        else
                        {
                            input.SetInt8(e, (sbyte)mutator.Random.Next(-128, 128));
                        }
                    }
                }

                interpreter.Invoke();
                report.Loaded++;
            }
            catch (InvalidModelException e)
            {
                report.Rejected++;
                string reason = Reason(e.Message);
                report.RejectionReasons[reason] = report.RejectionReasons.GetValueOrDefault(reason) + 1;
            }
            catch (Exception e)
            {
                report.Unexpected.Add($"case {i} (seed {seed}, {description}): {e.GetType().Name}: {e.Message}");
            }
        }

        report.Elapsed = stopwatch.Elapsed;
        return report;
    }

    private static string Reason(string message)
    {
        // "operator 3 (Conv2D): stride 0 is outside…" → "Conv2D: stride … is outside…" in broad classes.
        string text = System.Text.RegularExpressions.Regex.Replace(message, @"-?\d+", "N");
        return text.Length > 80 ? text[..80] : text;
    }
}
