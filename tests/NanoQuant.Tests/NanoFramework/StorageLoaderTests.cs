using NanoQuant.Host.Conversion;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Runtime;
using Xunit.Abstractions;

namespace NanoQuant.Tests.NanoFramework;

/// <summary>
/// Loading device models from storage: from a file (as on I:\ or D:\ of a board) or a stream,
/// copying constants to RAM or streaming int8 weights one operator at a time. The streaming
/// loader's outputs equal the in-RAM loader's on every golden model that converts; Invoke allocates
/// nothing in either mode; the RAM each mode keeps is measured and matches the documented formula.
/// Every int8 golden converts and loads (all 22 kernels are in); one that stops doing so fails here.
/// </summary>
[Collection(MemoryMeasurement.Name)]
public class StorageLoaderTests(ITestOutputHelper output)
{
    public static TheoryData<string> Int8Goldens() => new(Golden.Int8Names());

    /// <summary>The converted model, or null with the reason (the converter refuses it, or a kernel is missing).</summary>
    internal static byte[]? TryConvert(string name, out string reason)
    {
        reason = "";
        byte[] bytes;
        try
        {
            bytes = Converter.ConvertFile(Golden.Load(name).ModelPath).Bytes;
        }
        catch (UnsupportedModelException e)
        {
            reason = "conversion: " + e.Message;
            return null;
        }

        try
        {
            _ = new Interpreter(bytes);
        }
        catch (InvalidModelException e) when (e.Message.Contains("not implemented yet", StringComparison.Ordinal))
        {
            reason = "kernel: " + e.Message;
            return null;
        }

        return bytes;
    }

    [Theory]
    [MemberData(nameof(Int8Goldens))]
    public void Streaming_and_file_loaders_give_the_in_RAM_loaders_outputs(string name)
    {
        byte[]? bytes = TryConvert(name, out string reason);
        Assert.True(bytes is not null, $"{name} does not load: {reason}");

        var golden = Golden.Load(name);
        string path = WriteTemp(bytes);
        try
        {
            var inRam = new ModelRunner(new Interpreter(bytes));
            using var fileInRam = Interpreter.FromFile(path);
            using var fileStreamed = Interpreter.FromFile(path, ModelLoadMode.StreamWeights);
            using var memory = new MemoryStream(bytes, writable: false);
            using var memoryStreamed = new Interpreter(memory, ModelLoadMode.StreamWeights, Interpreter.DefaultMaxArenaBytes);
            Assert.False(fileInRam.IsStreamingWeights);
            Assert.True(fileStreamed.IsStreamingWeights);

            var others = new[] { new ModelRunner(fileInRam), new ModelRunner(fileStreamed), new ModelRunner(memoryStreamed) };
            for (int c = 0; c < golden.CaseCount; c++)
            {
                var inputs = golden.Inputs(c);
                var expected = inRam.Run(inputs);
                foreach (var runner in others)
                {
                    var actual = runner.Run(inputs);
                    Assert.Equal(expected.Length, actual.Length);
                    for (int o = 0; o < expected.Length; o++)
                    {
                        Assert.Equal(expected[o].Shape, actual[o].Shape);
                        Assert.Equal(expected[o].Data, actual[o].Data);
                    }
                }
            }

            // Step by step too (InvokeOperator stages weights the same way Invoke does).
            fileStreamed.Invoke();
            for (int k = 0; k < fileStreamed.OperatorCount; k++)
            {
                fileStreamed.InvokeOperator(k);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("hello_world_int8")]
    [InlineData("ad01_int8")]
    [InlineData("dtln_noise_suppression")]
    public void Invoke_allocates_nothing_in_either_mode(string name)
    {
        byte[] bytes = TryConvert(name, out _)!;
        string path = WriteTemp(bytes);
        try
        {
            using var inRam = new Interpreter(bytes);
            using var streamed = Interpreter.FromFile(path, ModelLoadMode.StreamWeights);
            Assert.True(streamed.OperatorCount > 1, "a single-operator model would never re-read its weights");
            foreach (var interpreter in new[] { inRam, streamed })
            {
                var input = interpreter.GetInput(0);
                for (int i = 0; i < input.Length; i++)
                {
                    input.SetInt8(i, (sbyte)((i * 37) - 100));
                }

                for (int i = 0; i < 10; i++)
                {
                    interpreter.Invoke();
                }

                // The least of three rounds of 1000 calls: now and then the .NET runtime itself allocates on
                // this thread mid-round (tiered JIT recompiling a hot kernel loop, on-stack replacement);
                // an allocation of the interpreter's would show in every round.
                long allocated = long.MaxValue;
                for (int round = 0; round < 3 && allocated != 0; round++)
                {
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int i = 0; i < 1000; i++)
                    {
                        interpreter.Invoke();
                    }

                    allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
                }

                output.WriteLine($"{name} {(interpreter.IsStreamingWeights ? "streamed" : "in RAM")}: {allocated} bytes allocated by 1000 Invoke calls (least of up to three rounds)");
                Assert.Equal(0, allocated);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Peak RAM of both modes. Documented formula (docs/nanoframework.md):
    /// in RAM   = tables + int32 constants + int8 constants + arena;
    /// streamed = tables + int32 constants + weight buffer (largest operator's int8 constants) + 1 KiB read chunk + arena.
    /// "Data" is the formula's arrays (arena + constants + buffer); "allocated" is every byte the load
    /// allocated on this thread (deterministic: GC.GetAllocatedBytesForCurrentThread), tables, Tensor
    /// objects, kernels, file buffers and transient message strings included — an upper bound on the
    /// load's peak. The two modes allocate the same except for the int8 constants versus the buffer.
    /// </summary>
    [Fact]
    public void Peak_RAM_of_both_modes_follows_the_formula()
    {
        // The formula of plain int8 weights (palette weights add the buffer they are decoded into in RAM: PaletteTests).
        output.WriteLine("model | file bytes | arena | int8 const | int32 const | weight buffer | in-RAM data / allocated | streamed data / allocated");
        foreach (string name in Golden.Int8Names())
        {
            var conversion = Converter.ConvertFile(Golden.Load(name).ModelPath, NanoQuant.Host.DeviceModels.PaletteMode.Off);
            byte[] bytes = conversion.Bytes;
            var model = conversion.Model;
            string path = WriteTemp(bytes);
            try
            {
                // Warm up (static tables, first-call costs) so both measurements see the same state.
                Interpreter.FromFile(path, ModelLoadMode.StreamWeights).Dispose();
                Interpreter.FromFile(path, ModelLoadMode.CopyToRam).Dispose();
                var (ramAllocated, ram) = Measure(() => Interpreter.FromFile(path, ModelLoadMode.CopyToRam));
                var (streamAllocated, streamed) = Measure(() => Interpreter.FromFile(path, ModelLoadMode.StreamWeights));
                using (ram)
                using (streamed)
                {
                    int int8Constants = ram.ConstantPoolBytes;
                    Assert.Equal(int8Constants, SumConstantBytes(ram, int8: true));
                    Assert.Equal(ram.Int32ConstantBytes, SumConstantBytes(ram, int8: false));
                    Assert.Equal(0, streamed.ConstantPoolBytes);
                    Assert.Equal(ram.Int32ConstantBytes, streamed.Int32ConstantBytes);
                    Assert.Equal(LargestOperatorInt8Constants(model) + 1024, streamed.WeightBufferBytes);

                    // Streaming trades the int8 constants for the weight buffer (the 1 KiB read chunk is
                    // allocated in both modes when loading from a file), plus the streamer's small
                    // per-operator tables (a few bytes per operator and staged tensor).
                    long saved = ramAllocated - streamAllocated;
                    long expectedSaved = int8Constants - (streamed.WeightBufferBytes - 1024);
                    Assert.InRange(saved, expectedSaved - 512 - (16 * ram.OperatorCount), expectedSaved + 64);

                    int ramData = ram.ArenaBytes + int8Constants + ram.Int32ConstantBytes;
                    int streamData = streamed.ArenaBytes + streamed.Int32ConstantBytes + streamed.WeightBufferBytes;
                    output.WriteLine($"{name} | {bytes.Length} | {ram.ArenaBytes} | {int8Constants} | {ram.Int32ConstantBytes} | {streamed.WeightBufferBytes} | {ramData} / {ramAllocated} | {streamData} / {streamAllocated}");
                }
            }
            finally
            {
                File.Delete(path);
            }
        }
    }

    /// <summary>
    /// Bytes one load allocates: the least of three loads, because the runtime now and then allocates
    /// on the test thread for itself (a one-off cache or buffer of FileStream or the JIT's tiering) and
    /// that is not the interpreter's.
    /// </summary>
    private static (long Allocated, Interpreter Interpreter) Measure(Func<Interpreter> load)
    {
        (long Allocated, Interpreter Interpreter)? least = null;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var interpreter = load();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (least is null || allocated < least.Value.Allocated)
            {
                least?.Interpreter.Dispose();
                least = (allocated, interpreter);
            }
            else
            {
                interpreter.Dispose();
            }
        }

        return least!.Value;
    }

    [Fact]
    public void A_corrupted_or_truncated_file_is_refused_before_any_field_is_trusted()
    {
        byte[] bytes = TryConvert("hello_world_int8", out _)!;
        byte[] corrupted = (byte[])bytes.Clone();
        corrupted[corrupted.Length - 3] ^= 0x40;
        foreach (var mode in new[] { ModelLoadMode.CopyToRam, ModelLoadMode.StreamWeights })
        {
            var e = Assert.Throws<InvalidModelException>(() => new Interpreter(new MemoryStream(corrupted), mode, Interpreter.DefaultMaxArenaBytes));
            Assert.Contains("checksum", e.Message, StringComparison.Ordinal);
            e = Assert.Throws<InvalidModelException>(() => new Interpreter(new MemoryStream(bytes, 0, bytes.Length - 1), mode, Interpreter.DefaultMaxArenaBytes));
            Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
            e = Assert.Throws<InvalidModelException>(() => new Interpreter(new MemoryStream(bytes, 0, 20), mode, Interpreter.DefaultMaxArenaBytes));
            Assert.Contains("header", e.Message, StringComparison.Ordinal);
        }

        // A file cut short after a streaming load is reported when the missing weights are needed.
        string path = WriteTemp(bytes);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            using var interpreter = new Interpreter(stream, ModelLoadMode.StreamWeights, Interpreter.DefaultMaxArenaBytes);
            stream.SetLength(64);
            var e = Assert.Throws<InvalidModelException>(() => { interpreter.InvokeOperator(0); interpreter.InvokeOperator(1); });
            Assert.Contains("ended early", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static int SumConstantBytes(Interpreter interpreter, bool int8)
    {
        int total = 0;
        for (int t = 0; t < interpreter.TensorCount; t++)
        {
            var tensor = interpreter.GetTensor(t);
            if (tensor.IsConstant && (tensor.Type == NanoQuant.Format.TensorType.Int8) == int8)
            {
                total += int8 ? tensor.Length : tensor.Length * 4;
            }
        }

        return total;
    }

    internal static int LargestOperatorInt8Constants(NanoQuant.Host.DeviceModels.DeviceModel model)
    {
        int largest = 0;
        foreach (var op in model.Operators)
        {
            int bytes = op.Inputs.Where(i => i != NanoQuant.Format.ModelFormat.NoTensor).Distinct()
                .Select(i => model.Tensors[i])
                .Where(t => t.Storage == NanoQuant.Format.TensorStorage.Constant && t.Type == NanoQuant.Format.TensorType.Int8)
                .Sum(t => t.ByteLength);
            largest = Math.Max(largest, bytes);
        }

        return largest;
    }

    internal static string WriteTemp(byte[] bytes)
    {
        string path = Path.Combine(Path.GetTempPath(), "nanoquant-" + Guid.NewGuid().ToString("N") + ".nq");
        File.WriteAllBytes(path, bytes);
        return path;
    }
}

/// <summary>Tests that read process-wide memory figures run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurement
{
    public const string Name = "Memory measurement (not parallel)";
}
