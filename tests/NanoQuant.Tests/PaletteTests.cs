using System.Buffers.Binary;
using NanoQuant.Format;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.DeviceModels;
using NanoQuant.Host.Runtime;
using Xunit.Abstractions;

namespace NanoQuant.Tests;

/// <summary>
/// Palette-stored int8 constants (format version 2) and compact int32 constants (version 3): lossless encoding
/// on the host, decoding on the device, in RAM and streamed, byte-exact against TFLite Micro's goldens with
/// palettes off and with every constant that fits a palette stored as one and the int32 constants compacted;
/// and the loader's checks of palette blocks.
/// </summary>
[Collection(NanoFramework.MemoryMeasurement.Name)]
public class PaletteTests(ITestOutputHelper output)
{
    public static TheoryData<string> Int8Goldens() => new(Golden.Int8Names());

    [Theory]
    [MemberData(nameof(Int8Goldens))]
    public void Goldens_are_byte_exact_with_palettes_off_and_with_every_fitting_constant_a_palette(string name)
    {
        var golden = Golden.Load(name);
        var off = Converter.ConvertFile(golden.ModelPath, PaletteMode.Off);
        var forced = Converter.ConvertFile(golden.ModelPath, PaletteMode.Always, compactConstants: true);
        Assert.All(off.Model.Tensors, t => Assert.True(t.Palette is null && t.NarrowBytes == 0 && !t.IsDerived));
        int palettes = forced.Model.Tensors.Count(t => t.Palette is not null);
        output.WriteLine($"{name}: {palettes} palette tensors, {forced.Model.Tensors.Count(t => t.NarrowBytes > 0)} narrow and {forced.Model.Tensors.Count(t => t.IsDerived)} derived int32 constants; {off.Bytes.Length} bytes plain, {forced.Bytes.Length} forced");

        // What the device loads back from the forced model is exactly the plain model's constants.
        var readBack = DeviceModelReader.Read(forced.Bytes);
        for (int i = 0; i < off.Model.Tensors.Count; i++)
        {
            Assert.Equal(off.Model.Tensors[i].ConstantData, readBack.Tensors[i].ConstantData);
            Assert.Equal(forced.Model.Tensors[i].Palette is not null, readBack.Tensors[i].Palette is not null);
            Assert.Equal((forced.Model.Tensors[i].NarrowBytes, forced.Model.Tensors[i].IsDerived), (readBack.Tensors[i].NarrowBytes, readBack.Tensors[i].IsDerived));
        }

        // Plain; palettes decoded at load; streamed and decoded per operator; kept encoded in RAM and decoded per operator.
        var plain = new ModelRunner(off.Bytes);
        var inRam = new ModelRunner(forced.Bytes);
        using var streamedInterpreter = new Interpreter(new MemoryStream(forced.Bytes, writable: false), ModelLoadMode.StreamWeights, Interpreter.DefaultMaxArenaBytes);
        var streamed = new ModelRunner(streamedInterpreter);
        using var compactInterpreter = new Interpreter(new MemoryStream(forced.Bytes, writable: false), ModelLoadMode.CompactPalettes, Interpreter.DefaultMaxArenaBytes);
        var compact = new ModelRunner(compactInterpreter);
        Assert.Equal(new Interpreter(off.Bytes).ConstantPoolBytes, inRam.Interpreter.ConstantPoolBytes);
        Assert.Equal(new Interpreter(off.Bytes).Int32ConstantBytes, inRam.Interpreter.Int32ConstantBytes);
        Assert.Equal(palettes > 0, compactInterpreter.WeightBufferBytes > 0);
        for (int c = 0; c < golden.CaseCount; c++)
        {
            var inputs = golden.Inputs(c);
            var expected = golden.Outputs(c);
            foreach (var runner in new[] { plain, inRam, streamed, compact })
            {
                var actual = runner.Run(inputs, resetState: true);
                Assert.Equal(expected.Length, actual.Length);
                for (int o = 0; o < expected.Length; o++)
                {
                    Assert.True(expected[o].Data.AsSpan().SequenceEqual(actual[o].Data), $"{name} case {c} output {o} differs");
                }
            }
        }
    }

    [Fact]
    public void Forced_palettes_cover_every_index_width_and_both_table_layouts_across_the_goldens()
    {
        var bits = new HashSet<int>();
        bool perTensor = false, perChannel = false;
        foreach (string name in Golden.Int8Names())
        {
            foreach (var t in Converter.ConvertFile(Golden.Load(name).ModelPath, PaletteMode.Always).Model.Tensors)
            {
                if (t.Palette is { } p)
                {
                    bits.Add(p.Bits);
                    perTensor |= p.Axis is null;
                    perChannel |= p.Axis is not null;
                }
            }
        }

        Assert.True(perTensor && perChannel, $"per tensor {perTensor}, per channel {perChannel}");
        Assert.Superset(new HashSet<int> { 2, 3, 4, 5, 6, 7 }, bits);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public void Encoding_round_trips_for_every_width_and_axis(int bits)
    {
        var random = new Random(bits);
        int[][] shapes = [[7], [5, 3, 3, 4], [1, 3, 3, 11], [13, 17], [2, 3, 5, 7, 1]];
        foreach (var shape in shapes)
        {
            int n = shape.Aggregate(1, (a, b) => a * b);
            for (int axis = -1; axis < shape.Length; axis++)
            {
                int? a = axis < 0 ? null : axis;
                int channels = a is { } x ? shape[x] : 1;
                int inner = a is { } y ? shape.Skip(y + 1).Aggregate(1, (p, q) => p * q) : n;

                // Each channel draws from its own 2^bits values.
                var values = Enumerable.Range(0, channels).Select(_ => Enumerable.Range(0, 1 << bits).Select(_ => (sbyte)random.Next(-128, 128)).ToArray()).ToArray();
                var data = new sbyte[n];
                for (int e = 0; e < n; e++)
                {
                    data[e] = values[(e / inner) % channels][random.Next(1 << bits)];
                }

                var encoding = PaletteEncoding.Encode(data, shape, bits, a);
                Assert.Equal(PaletteEncoding.BlockLength(bits, channels, n), encoding.Block.Length);
                Assert.Equal(data, PaletteEncoding.Decode(encoding.Block, shape));
            }
        }
    }

    [Fact]
    public void Choose_takes_a_palette_only_when_it_is_smaller_unless_forced()
    {
        var fourValues = Enumerable.Range(0, 1024).Select(i => (sbyte)((i % 4) * 10)).ToArray();
        var chosen = PaletteEncoding.Choose(fourValues, [1024]);
        Assert.NotNull(chosen);
        Assert.Equal(2, chosen.Bits);
        Assert.Equal(4 + 4 + 256, chosen.Block.Length);

        // 256 values in the tensor: only "every element its own channel" fits, and it is larger than plain.
        var all = Enumerable.Range(0, 1024).Select(i => (sbyte)(i % 256 - 128)).ToArray();
        Assert.Null(PaletteEncoding.Choose(all, [1024]));
        var forced = PaletteEncoding.Choose(all, [1024], PaletteMode.Always);
        Assert.Equal((1, (int?)0), (forced!.Bits, forced.Axis));
        Assert.Equal(PaletteEncoding.Decode(forced.Block, [1024]), all);

        // 256 values per row but 4 per column: per-column tables are smaller than plain.
        Assert.Equal((int?)1, PaletteEncoding.Choose(all, [4, 256])!.Axis);

        var tiny = new sbyte[] { 1, 2, 3, 4 };
        Assert.Null(PaletteEncoding.Choose(tiny, [4]));
        Assert.NotNull(PaletteEncoding.Choose(tiny, [4], PaletteMode.Always));
        Assert.Null(PaletteEncoding.Choose(tiny, [4], PaletteMode.Off));
    }

    /// <summary>A forced-palette conv model and the file offset of its first palette tensor record and block.</summary>
    private static (byte[] Model, int Record, int Block) PaletteModel()
    {
        var conversion = Converter.ConvertFile(Golden.Load("op_conv_3x3_same_relu").ModelPath, PaletteMode.Always);
        byte[] bytes = conversion.Bytes;
        for (int i = 0; i < conversion.Model.Tensors.Count; i++)
        {
            int record = TensorRecords.Offset(bytes, conversion.Model, i);
            if (bytes[record + TensorRecordLayout.Storage] == (byte)TensorStorage.Palette)
            {
                return (bytes, record, TensorRecords.ConstantBlock(bytes, record));
            }
        }

        throw new InvalidOperationException("no palette tensor");
    }

    public static TheoryData<string, string> Corruptions() => new()
    {
        { "bits 0", "index width 0 bits" },
        { "bits 8", "index width 8 bits" },
        { "axis 9", "channel axis 9 is outside rank" },
        { "reserved", "non-zero reserved bytes" },
        { "length +4", "palette block is" },
        { "length 2", "shorter than its header" },
        { "int32 type", "only int8 constants" },
        { "axis changed", "palette block is" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void The_loader_refuses_a_bad_palette_block_with_a_message_naming_it(string corruption, string message)
    {
        var (model, record, block) = PaletteModel();
        byte[] bad = (byte[])model.Clone();
        var length = bad.AsSpan(record + 16);
        switch (corruption)
        {
            case "bits 0": bad[block] = 0; break;
            case "bits 8": bad[block] = 8; break;
            case "axis 9": bad[block + 1] = 9; break;
            case "reserved": bad[block + 3] = 1; break;
            case "length +4": BinaryPrimitives.WriteInt32LittleEndian(length, BinaryPrimitives.ReadInt32LittleEndian(length) + 4); break;
            case "length 2": BinaryPrimitives.WriteInt32LittleEndian(length, 2); break;
            case "int32 type": bad[record] = (byte)TensorType.Int32; break;
            case "axis changed": bad[block + 1] = (byte)(bad[block + 1] == ModelFormat.PalettePerTensor ? 0 : ModelFormat.PalettePerTensor); break;
        }

        NanoQuant.Host.Fuzzing.Mutator.ForgeChecksum(bad);
        var inRam = Assert.Throws<InvalidModelException>(() => new Interpreter(bad));
        Assert.Contains(message, inRam.Message);
        var streamed = Assert.Throws<InvalidModelException>(() => new Interpreter(new MemoryStream(bad, writable: false), ModelLoadMode.StreamWeights, Interpreter.DefaultMaxArenaBytes));
        Assert.Equal(inRam.Message, streamed.Message);
        _ = new Interpreter(model);
    }

    [Fact]
    public void Palette_weights_decode_at_load_or_per_operator_and_Invoke_allocates_nothing()
    {
        // ad01 with its weights clustered to 16 values per tensor: 4-bit palettes, half the bytes.
        var (clustered, _) = NanoQuant.Host.Quantization.WeightClustering.Apply(NanoQuant.Host.TfLite.TfLiteReader.ReadFile(Golden.Load("ad01_int8").ModelPath), 16, perTensor: true);
        byte[] model = Converter.Convert(clustered, compactConstants: true).Bytes;
        byte[] plain = Converter.Convert(clustered, PaletteMode.Off).Bytes;
        using var inRam = new Interpreter(model);
        using var compact = new Interpreter(new MemoryStream(model, writable: false), ModelLoadMode.CompactPalettes, Interpreter.DefaultMaxArenaBytes);
        using var streamed = new Interpreter(new MemoryStream(model, writable: false), ModelLoadMode.StreamWeights, Interpreter.DefaultMaxArenaBytes);
        using var reference = new Interpreter(plain);
        Assert.False(compact.IsStreamingWeights);
        Assert.Equal(0, inRam.WeightBufferBytes);
        Assert.Equal(reference.ConstantPoolBytes, inRam.ConstantPoolBytes);
        Assert.True(compact.WeightBufferBytes > 0);
        Assert.True(compact.ConstantPoolBytes < reference.ConstantPoolBytes);
        Assert.Equal(0, reference.WeightBufferBytes);
        foreach (var interpreter in new[] { inRam, compact, streamed, reference })
        {
            var input = interpreter.GetInput(0);
            for (int i = 0; i < input.Length; i++)
            {
                input.SetInt8(i, (sbyte)((i * 37) - 100));
            }

            for (int i = 0; i < 5; i++)
            {
                interpreter.Invoke();
            }

            // The least of three rounds: the .NET runtime now and then allocates on the thread for itself (JIT tiering).
            long least = long.MaxValue;
            for (int round = 0; round < 3; round++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 200; i++)
                {
                    interpreter.Invoke();
                }

                least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
            }

            Assert.Equal(0, least);
        }

        var expected = new sbyte[reference.GetOutput(0).Length];
        reference.GetOutput(0).CopyTo(expected, 0);
        foreach (var interpreter in new[] { inRam, compact, streamed })
        {
            var actual = new sbyte[expected.Length];
            interpreter.GetOutput(0).CopyTo(actual, 0);
            Assert.Equal(expected, actual);
        }
    }
}
