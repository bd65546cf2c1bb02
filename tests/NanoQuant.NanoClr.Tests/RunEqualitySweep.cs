using System.Diagnostics;
using System.Globalization;
using System.Text;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.Fuzzing;
using NanoQuant.Host.NanoClr;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Quantization;
using NanoQuant.Host.Runtime;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Tests.NanoClr;

/// <summary>
/// <c>nanoquant run --runtime nanoclr</c> against <c>--runtime dotnet</c> on every model that converts: every
/// .tflite under ../shared/models (recursively: ops/, ops16/, models16/, extra/, the LSTMs) as the converter
/// imports it, every float model quantized (int8 and 16x8, 8 random calibration samples, min/max ranges), and
/// models no test has seen — mutants of the small int8 models (<see cref="Mutator"/>, the loader fuzzer's) that
/// still convert, to a device model different from every other one. Each runs the same random inputs through the desktop runtime (<see cref="ModelRunner"/>, what
/// <c>--runtime dotnet</c> runs) and through nanoCLR (<see cref="NanoClrModelRunner"/>'s job and decoding, what
/// <c>--runtime nanoclr</c> runs); the outputs must be the same bytes.
/// </summary>
public static class RunEqualitySweep
{
    /// <summary>One model to compare: where it came from and its device-model bytes (null when it does not convert, with the reason).</summary>
    public sealed record Variant(string Model, string How, byte[]? Bytes, string? Refusal);

    /// <summary>One compared model: the .nq size, MACs, samples, whether the bytes agree, nanoCLR's time per Invoke.</summary>
    public sealed record Row(string Model, string How, int NqBytes, long Macs, int Samples, int OutputBytes, bool Equal, double NanoClrMs, string LoadMode);

    /// <summary>Every .tflite under ../shared/models, relative names ("extra/resnet_eb78d0e_int8"), in order.</summary>
    public static IReadOnlyList<string> ModelFiles() =>
        Directory.GetFiles(SharedResources.Models, "*.tflite", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(SharedResources.Models, f).Replace('\\', '/')[..^".tflite".Length])
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>What a .tflite converts to: the import of an integer model; the int8 and 16x8 quantizations of a float one.</summary>
    public static IEnumerable<Variant> Variants(string name)
    {
        var source = TfLiteReader.ReadFile(Path.Combine(SharedResources.Models, name + ".tflite"));
        bool isFloat = source.InputTensors.Any(t => t.Type == TfLiteType.Float32) && source.Operators.All(o => o.Code != BuiltinOperator.Quantize)
            && source.Tensors.Where(t => t.Data is not null).Any(t => t.Type == TfLiteType.Float32);
        if (!isFloat)
        {
            yield return Try(name, "import", () => Converter.Convert(source).Bytes);
            yield break;
        }

        foreach (bool int16 in new[] { false, true })
        {
            yield return Try(name, int16 ? "PTQ 16x8" : "PTQ int8", () =>
            {
                var model = PostTrainingQuantizer.Prepare(source, int16);
                var random = new Random(11);
                var arrays = source.InputTensors.Select(t =>
                {
                    int[] perSample = t.Shape.Length > 0 && t.Shape[0] == 1 ? t.Shape[1..] : t.Shape;
                    int length = perSample.Aggregate(1, (a, b) => a * b);
                    var values = Enumerable.Range(0, 8 * length).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
                    return ("random", NpyArray.FromFloats(values, [8, .. perSample]));
                }).ToList();
                var calibration = SampleSet.FromArrays(InputSpec.Of(source), arrays);
                return PostTrainingQuantizer.Run(model, calibration, new CalibrationOptions(CalibrationMethod.MinMax), new QuantizerOptions { Int16Activations = int16 }).Conversion.Bytes;
            });
        }
    }

    /// <summary>
    /// Models no test has seen: mutants (bytes changed by the loader fuzzer's <see cref="Mutator"/>) of the small int8
    /// models that still convert, load within nanoCLR's limits and run on the desktop — new weights, quantization
    /// parameters and options the goldens never had. <paramref name="count"/> of them, from <paramref name="seed"/>.
    /// </summary>
    public static IReadOnlyList<Variant> Mutants(int count, int seed)
    {
        var parents = ModelFiles().Where(n => n.StartsWith("ops/", StringComparison.Ordinal) || n is "hello_world_int8" or "micro_speech_quantized" or "trained_lstm_int8" or "network_tester_model")
            .Select(n => (Name: n, Bytes: File.ReadAllBytes(Path.Combine(SharedResources.Models, n + ".tflite"))))
            .ToList();
        var seen = parents.Select(p => Converter.Convert(TfLiteReader.Read(p.Bytes)).Bytes).ToList(); // a mutant converting to its parent's model is not new
        var mutator = new Mutator(seed);
        var random = new Random(seed);
        var result = new List<Variant>();
        for (int attempt = 0; result.Count < count && attempt < count * 400; attempt++)
        {
            var (name, bytes) = parents[random.Next(parents.Count)];
            byte[] mutant = mutator.Mutate(bytes, out string description);
            byte[] model;
            try
            {
                model = Converter.Convert(TfLiteReader.Read(mutant)).Bytes;
                var interpreter = new Interpreter(model, Interpreter.DefaultMaxArenaBytes, NanoClrHost.MaxArrayBytes);
                if (interpreter.MacCount > 2_000_000 || model.Length > NanoClrHost.MaxArrayBytes)
                {
                    continue;
                }

                interpreter.Invoke();
            }
            catch (Exception)
            {
                continue; // refused (the fuzz tests check how); only models that convert and run are compared
            }

            if (seen.All(s => !s.AsSpan().SequenceEqual(model)))
            {
                seen.Add(model);
                result.Add(new Variant(name, $"mutant {result.Count} ({description})", model, null));
            }
        }

        return result;
    }

    /// <summary>
    /// Runs every variant that converted on the desktop and on nanoCLR (in batches of about
    /// <paramref name="macsPerBatch"/> MACs, one nanoCLR process each) with <paramref name="samples"/> random samples.
    /// </summary>
    public static IReadOnlyList<Row> Compare(IReadOnlyList<Variant> variants, int samples, long macsPerBatch = 400_000_000, Action<string>? log = null)
    {
        var host = new NanoClrHost(new NanoClrOptions { Timeout = TimeSpan.FromMinutes(60) });
        var rows = new List<Row>();
        var pending = new List<(Variant Variant, NanoClrJob Job, ModelRunner Local, NpyArray[] Expected, long Macs)>();
        long pendingMacs = 0;
        var random = new Random(5);
        foreach (var variant in variants.Where(v => v.Bytes is not null))
        {
            byte[] model = variant.Bytes!;
            var probe = new Interpreter(model);
            var inputs = Enumerable.Range(0, probe.InputCount).Select(i => RandomInput(probe.GetInput(i), samples, random)).ToArray();
            var expected = new ModelRunner(model).Run(inputs);
            var (job, local) = NanoClrModelRunner.PrepareJob(model, [inputs]);
            long macs = probe.MacCount * samples;
            if (pending.Count > 0 && pendingMacs + macs > macsPerBatch)
            {
                Flush();
            }

            pending.Add((variant, job, local, expected, probe.MacCount));
            pendingMacs += macs;
        }

        Flush();
        return rows;

        void Flush()
        {
            if (pending.Count == 0)
            {
                return;
            }

            var watch = Stopwatch.StartNew();
            var batch = host.Run(pending.Select(p => p.Job).ToList());
            log?.Invoke($"nanoCLR batch of {pending.Count} models: {watch.Elapsed.TotalSeconds:F0} s");
            for (int k = 0; k < pending.Count; k++)
            {
                var (variant, job, local, expected, macs) = pending[k];
                var result = batch.Jobs[k];
                var actual = NanoClrModelRunner.OutputsOf(local, result, 0, samples);
                bool equal = actual.Length == expected.Length
                    && expected.Zip(actual).All(p => p.First.Type == p.Second.Type && p.First.Data.AsSpan().SequenceEqual(p.Second.Data));
                rows.Add(new Row(variant.Model, variant.How, variant.Bytes!.Length, macs, samples, expected.Sum(e => e.Data.Length), equal, result.SampleMillisecondsPerInvoke, result.Mode.ToString()));
            }

            pending.Clear();
            pendingMacs = 0;
        }
    }

    /// <summary>The sweep as a Markdown table (one row per model and variant, refusals included).</summary>
    public static string Table(IReadOnlyList<Variant> variants, IReadOnlyList<Row> rows)
    {
        var text = new StringBuilder();
        text.AppendLine("| model | variant | .nq bytes | MACs | samples | output bytes | nanoCLR ms/Invoke | loaded | nanoCLR = dotnet |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---|---|");
        foreach (var v in variants)
        {
            var row = rows.FirstOrDefault(r => r.Model == v.Model && r.How == v.How);
            text.AppendLine(row is null
                ? $"| {v.Model} | {v.How} | — | — | — | — | — | — | {(v.Bytes is null ? "does not convert: " + v.Refusal : "not run here (the full sweep runs it)")} |"
                : string.Create(CultureInfo.InvariantCulture, $"| {row.Model} | {row.How} | {row.NqBytes:N0} | {row.Macs:N0} | {row.Samples} | {row.OutputBytes:N0} | {row.NanoClrMs:F1} | {row.LoadMode} | {(row.Equal ? "yes" : "**NO**")} |"));
        }

        return text.ToString();
    }

    private static Variant Try(string name, string how, Func<byte[]> convert)
    {
        try
        {
            return new Variant(name, how, convert(), null);
        }
        catch (Exception e) when (e is UnsupportedModelException or InvalidModelException or TfLiteFormatException)
        {
            return new Variant(name, how, null, e.Message.ReplaceLineEndings(" "));
        }
    }

    /// <summary><paramref name="samples"/> random samples for an input tensor: full-range int8 or int16, stacked on a leading axis.</summary>
    private static NpyArray RandomInput(Tensor tensor, int samples, Random random)
    {
        int[] shape = samples == 1 ? tensor.GetShape() : [samples, .. tensor.GetShape()];
        int length = tensor.Length * samples;
        return tensor.Type == Format.TensorType.Int16
            ? NpyArray.FromInt16s(Enumerable.Range(0, length).Select(_ => (short)random.Next(short.MinValue, short.MaxValue + 1)).ToArray(), shape)
            : NpyArray.FromSBytes(Enumerable.Range(0, length).Select(_ => (sbyte)random.Next(-128, 128)).ToArray(), shape);
    }
}
