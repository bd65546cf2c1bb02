using System.Buffers.Binary;
using NanoQuant.Format;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.DeviceModels;
using NanoQuant.Host.Quantization;
using NanoQuant.Host.Runtime;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Tests;

/// <summary>
/// Palettes with flagged zeros (format version 4, <see cref="PaletteMode.WhenSmallerFlaggingZeros"/>): what a pruned
/// model's zeros save. Lossless encoding on the host, decoding on the device in RAM, kept encoded and streamed (in
/// place), the format version written only for models that use them, and the loader's checks.
/// </summary>
public class ZeroFlaggedPaletteTests
{
    /// <summary>Three of every four elements zero (a fixed pattern), the others drawn from 2^bits non-zero values per channel.</summary>
    private static sbyte[] Pruned(int n, int channels, int inner, int bits, Random random)
    {
        var values = Enumerable.Range(0, channels).Select(_ => Enumerable.Range(0, 1 << bits).Select(_ => (sbyte)random.Next(1, 128)).ToArray()).ToArray();
        var data = new sbyte[n];
        for (int e = 0; e < n; e++)
        {
            data[e] = random.Next(4) == 0 ? values[(e / inner) % channels][random.Next(1 << bits)] : (sbyte)0;
        }

        return data;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    public void Encoding_round_trips_for_every_axis_and_a_zero_costs_one_bit(int bits)
    {
        var random = new Random(bits);
        int[][] shapes = [[7], [5, 3, 3, 4], [13, 17], [16, 3, 3, 32]];
        foreach (var shape in shapes)
        {
            int n = shape.Aggregate(1, (a, b) => a * b);
            for (int axis = -1; axis < shape.Length; axis++)
            {
                int? a = axis < 0 ? null : axis;
                int channels = a is { } x ? shape[x] : 1;
                int inner = a is { } y ? shape.Skip(y + 1).Aggregate(1, (p, q) => p * q) : n;
                var data = Pruned(n, channels, inner, bits, random);
                int zeros = data.Count(v => v == 0);
                var encoding = PaletteEncoding.Encode(data, shape, bits, a, zeroFlags: true);
                Assert.True(encoding.ZeroFlags);
                Assert.Equal(ModelFormat.PaletteHeaderSize + (channels << bits) + ((zeros + ((n - zeros) * (bits + 1)) + 7) / 8), encoding.Block.Length);
                Assert.Equal(data, PaletteEncoding.Decode(encoding.Block, shape));
            }
        }
    }

    [Fact]
    public void Choose_flags_zeros_only_when_asked_and_when_smaller()
    {
        // 75 % zeros and 15 other values per channel of 1,152: 4-bit dense indices, or 1 + 4 × ¼ = 2 bits flagged.
        var data = Pruned(16 * 1152, 16, 1152, 4, new Random(1));
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (sbyte)(data[i] % 15);   // ≤ 15 non-zero values per channel: 16 with the zero
        }

        int[] shape = [16, 3, 3, 128];
        var dense = PaletteEncoding.Choose(data, shape)!;
        Assert.False(dense.ZeroFlags);
        Assert.Equal(4, dense.Bits);
        var flagged = PaletteEncoding.Choose(data, shape, PaletteMode.WhenSmallerFlaggingZeros)!;
        Assert.True(flagged.ZeroFlags);
        Assert.Equal(4, flagged.Bits);
        Assert.InRange(flagged.Block.Length, 0, (dense.Block.Length * 6) / 10);
        Assert.Equal(data, PaletteEncoding.Decode(flagged.Block, shape));

        // Few zeros: flagging them would cost a bit per element for nothing, so the dense palette stays.
        var noZeros = data.Select(v => v == 0 ? (sbyte)3 : v).ToArray();
        noZeros[5] = 0;
        Assert.False(PaletteEncoding.Choose(noZeros, shape, PaletteMode.WhenSmallerFlaggingZeros)!.ZeroFlags);
    }

    /// <summary>ad01's int8 model clustered to 16 values per tensor, three quarters of every weight tensor of ≥ 1,024 elements zeroed by magnitude.</summary>
    private static TfLiteModel PrunedAd01()
    {
        var (clustered, _) = WeightClustering.Apply(TfLiteReader.ReadFile(Golden.Load("ad01_int8").ModelPath), 16, perTensor: true);
        var tensors = clustered.Tensors.Select(t =>
        {
            if (t.Type != TfLiteType.Int8 || t.Data is not { Length: >= 1024 } data)
            {
                return t;
            }

            var pruned = (byte[])data.Clone();
            var order = Enumerable.Range(0, pruned.Length).OrderBy(i => Math.Abs((int)unchecked((sbyte)pruned[i]))).ThenBy(i => i).ToArray();
            foreach (int i in order.Take(pruned.Length * 3 / 4))
            {
                pruned[i] = 0;
            }

            return t with { Data = pruned };
        }).ToList();
        return new TfLiteModel
        {
            SchemaVersion = clustered.SchemaVersion,
            Description = clustered.Description,
            Tensors = tensors,
            Operators = clustered.Operators,
            Inputs = clustered.Inputs,
            Outputs = clustered.Outputs,
            SubgraphCount = clustered.SubgraphCount,
        };
    }

    private static sbyte[] RunOnce(Interpreter interpreter)
    {
        var input = interpreter.GetInput(0);
        for (int i = 0; i < input.Length; i++)
        {
            input.SetInt8(i, (sbyte)((i * 37) - 100));
        }

        interpreter.Invoke();
        var output = new sbyte[interpreter.GetOutput(0).Length];
        interpreter.GetOutput(0).CopyTo(output, 0);
        return output;
    }

    [Fact]
    public void A_pruned_model_decodes_to_the_plain_models_outputs_in_ram_kept_encoded_and_streamed_and_only_it_is_version_4()
    {
        var model = PrunedAd01();
        var flagged = Converter.Convert(model, PaletteMode.WhenSmallerFlaggingZeros, compactConstants: true);
        var dense = Converter.Convert(model, PaletteMode.WhenSmaller, compactConstants: true);
        byte[] plain = Converter.Convert(model, PaletteMode.Off).Bytes;
        Assert.Contains(flagged.Model.Tensors, t => t.Palette is { ZeroFlags: true });
        Assert.Equal(ModelFormat.SparsePaletteVersion, BinaryPrimitives.ReadUInt16LittleEndian(flagged.Bytes.AsSpan(4)));
        Assert.Equal(ModelFormat.CompactVersion, BinaryPrimitives.ReadUInt16LittleEndian(dense.Bytes.AsSpan(4)));
        Assert.True(flagged.Bytes.Length < dense.Bytes.Length * 0.7, $"flagged {flagged.Bytes.Length} bytes, dense palettes {dense.Bytes.Length}");

        var readBack = DeviceModelReader.Read(flagged.Bytes);
        var reference = DeviceModelReader.Read(plain);
        for (int i = 0; i < reference.Tensors.Count; i++)
        {
            Assert.Equal(reference.Tensors[i].ConstantData, readBack.Tensors[i].ConstantData);
        }

        var expected = RunOnce(new Interpreter(plain));
        Assert.Equal(expected, RunOnce(new Interpreter(flagged.Bytes)));
        foreach (var mode in new[] { ModelLoadMode.CompactPalettes, ModelLoadMode.StreamWeights })
        {
            using var interpreter = new Interpreter(new MemoryStream(flagged.Bytes, writable: false), mode, Interpreter.DefaultMaxArenaBytes);
            Assert.Equal(expected, RunOnce(interpreter));
        }
    }

    /// <summary>The pruned model with flagged zeros and the file offsets of its first flagged palette's tensor record and block.</summary>
    private static (byte[] Model, int Record, int Block, int Elements) FlaggedModel()
    {
        var conversion = Converter.Convert(PrunedAd01(), PaletteMode.WhenSmallerFlaggingZeros, compactConstants: true);
        byte[] bytes = conversion.Bytes;
        int index = conversion.Model.Tensors.FindIndex(t => t.Palette is { ZeroFlags: true });
        if (index < 0)
        {
            throw new InvalidOperationException("no flagged palette");
        }

        int record = TensorRecords.Offset(bytes, conversion.Model, index);
        return (bytes, record, TensorRecords.ConstantBlock(bytes, record), conversion.Model.Tensors[index].Shape.Aggregate(1, (a, b) => a * b));
    }

    public static TheoryData<string, string> Corruptions() => new()
    {
        { "version 3", "needs format version 4, the model is version 3" },
        { "flags 2", "unknown palette flags 2" },
        { "flags 3", "unknown palette flags 3" },
        { "length one past every element flagged", "palette block with flagged zeros is" },
        { "length too short", "palette block with flagged zeros is" },
    };

    [Fact]
    public void Convert_flag_zeros_writes_a_pruned_int8_model_with_flagged_palettes_and_only_then_version_4()
    {
        string folder = Directory.CreateTempSubdirectory("nq-flag-zeros").FullName;
        try
        {
            string source = Path.Combine(folder, "ad01_pruned_int8.tflite");
            File.WriteAllBytes(source, TfLiteWriter.Write(PrunedAd01()));
            (int Exit, string Error) Cli(params string[] args)
            {
                var error = new StringWriter();
                return (NanoQuant.Cli.CliApp.Run(args, new StringWriter(), error), error.ToString());
            }

            string flagged = Path.Combine(folder, "flagged.nq"), dense = Path.Combine(folder, "dense.nq");
            Assert.Equal(0, Cli("convert", source, "-o", flagged, "--flag-zeros").Exit);
            Assert.Equal(0, Cli("convert", source, "-o", dense).Exit);
            byte[] flaggedBytes = File.ReadAllBytes(flagged), denseBytes = File.ReadAllBytes(dense);
            Assert.Equal(ModelFormat.SparsePaletteVersion, BinaryPrimitives.ReadUInt16LittleEndian(flaggedBytes.AsSpan(4)));
            Assert.True(BinaryPrimitives.ReadUInt16LittleEndian(denseBytes.AsSpan(4)) < ModelFormat.SparsePaletteVersion);
            Assert.Contains(DeviceModelReader.Read(flaggedBytes).Tensors, t => t.Palette is { ZeroFlags: true });
            Assert.DoesNotContain(DeviceModelReader.Read(denseBytes).Tensors, t => t.Palette is { ZeroFlags: true });
            Assert.True(flaggedBytes.Length < denseBytes.Length * 0.7, $"--flag-zeros {flaggedBytes.Length} bytes, without {denseBytes.Length}");
            Assert.Equal(RunOnce(new Interpreter(denseBytes)), RunOnce(new Interpreter(flaggedBytes)));

            string bad = Path.Combine(folder, "bad.nq");
            var (exit, error) = Cli("convert", source, "-o", bad, "--flag-zeros", "--no-palette");
            Assert.Equal(1, exit);
            Assert.Contains("error: --flag-zeros stores zeros inside palettes and --no-palette turns palettes off", error);
            Assert.False(File.Exists(bad));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void The_loader_refuses_a_bad_flagged_palette_with_a_message_naming_it(string corruption, string message)
    {
        var (model, record, block, elements) = FlaggedModel();
        byte[] bad = (byte[])model.Clone();
        var length = bad.AsSpan(record + 16);
        int bits = bad[block];
        int tables = bad[block + 1] == ModelFormat.PalettePerTensor ? 1 << bits : -1;
        Assert.True(tables > 0, "the flagged palette of the pruned ad01 has one table");
        switch (corruption)
        {
            case "version 3": BinaryPrimitives.WriteUInt16LittleEndian(bad.AsSpan(4), 3); break;
            case "flags 2": bad[block + ModelFormat.PaletteFlagsOffset] = 2; break;
            case "flags 3": bad[block + ModelFormat.PaletteFlagsOffset] = 3; break;
            case "length one past every element flagged": BinaryPrimitives.WriteInt32LittleEndian(length, ModelFormat.PaletteHeaderSize + tables + ((elements * (bits + 1)) + 7) / 8 + 1); break;
            case "length too short": BinaryPrimitives.WriteInt32LittleEndian(length, ModelFormat.PaletteHeaderSize + 16); break;
        }

        NanoQuant.Host.Fuzzing.Mutator.ForgeChecksum(bad);
        var inRam = Assert.Throws<InvalidModelException>(() => new Interpreter(bad));
        Assert.Contains(message, inRam.Message);
        var streamed = Assert.Throws<InvalidModelException>(() => new Interpreter(new MemoryStream(bad, writable: false), ModelLoadMode.StreamWeights, Interpreter.DefaultMaxArenaBytes));
        Assert.Equal(inRam.Message, streamed.Message);
    }

    [Fact]
    public void A_stream_whose_flags_claim_more_indices_than_it_holds_decodes_in_bounds_in_every_mode()
    {
        // Every flag 1: the stream would need 1 + bits per element but holds about a quarter of that; decoding
        // stops reading at the block's end (the checksum is what catches such corruption in a real file).
        var (model, record, block, _) = FlaggedModel();
        byte[] bad = (byte[])model.Clone();
        int blockBytes = BinaryPrimitives.ReadInt32LittleEndian(bad.AsSpan(record + 16));
        int bits = bad[block];
        int channels = bad[block + 1] == ModelFormat.PalettePerTensor ? 1 : -1;
        Assert.Equal(1, channels);
        bad.AsSpan(block + ModelFormat.PaletteHeaderSize + (1 << bits), blockBytes - ModelFormat.PaletteHeaderSize - (1 << bits)).Fill(0xFF);
        NanoQuant.Host.Fuzzing.Mutator.ForgeChecksum(bad);
        var outputs = new List<sbyte[]> { RunOnce(new Interpreter(bad)) };
        foreach (var mode in new[] { ModelLoadMode.CompactPalettes, ModelLoadMode.StreamWeights })
        {
            using var interpreter = new Interpreter(new MemoryStream(bad, writable: false), mode, Interpreter.DefaultMaxArenaBytes);
            outputs.Add(RunOnce(interpreter));
        }

        // In RAM and streamed the stream is decoded in place, kept encoded from its own copy: each mode gives its outputs, none reads out of bounds.
        Assert.Equal(outputs[0], outputs[2]);
        Assert.Equal(outputs[0].Length, outputs[1].Length);
    }
}
