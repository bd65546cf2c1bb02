using System.Buffers.Binary;
using NanoQuant.Format;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.DeviceModels;

namespace NanoQuant.Tests;

/// <summary>
/// Compact int32 constants (format version 3, `convert --compact`, implied by `--cluster`): narrow storage
/// (1–3 bytes an element) and folded biases derived at load; the loader's checks of both. Byte-exactness on
/// every golden is checked with the palettes (PaletteTests).
/// </summary>
public class CompactConstantsTests
{
    [Theory]
    [InlineData(new[] { 0, -128, 127 }, 1)]
    [InlineData(new[] { 0, -129 }, 2)]
    [InlineData(new[] { 128, 5 }, 2)]
    [InlineData(new[] { -32768, 32767 }, 2)]
    [InlineData(new[] { 32768 }, 3)]
    [InlineData(new[] { -32769 }, 3)]
    [InlineData(new[] { -(1 << 23), (1 << 23) - 1 }, 3)]
    [InlineData(new[] { 1 << 23 }, 4)]
    [InlineData(new[] { -(1 << 23) - 1 }, 4)]
    [InlineData(new[] { int.MinValue, int.MaxValue }, 4)]
    public void Narrow_width_is_the_fewest_bytes_that_hold_every_value_and_widening_restores_them(int[] values, int width)
    {
        Assert.Equal(width, ConstantCompaction.NarrowBytes(values));
        byte[] data = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        Assert.Equal(data, ConstantCompaction.Widen(ConstantCompaction.Narrow(data, width), width));
    }

    [Fact]
    public void Compaction_stores_shifts_in_one_byte_and_derives_every_convolutions_folded_bias()
    {
        var plain = Converter.ConvertFile(SharedResources.ModelPath("kws_ref_model_int8"), PaletteMode.Off);
        var compact = Converter.ConvertFile(SharedResources.ModelPath("kws_ref_model_int8"), PaletteMode.Off, compactConstants: true);
        var convolutions = compact.Model.Operators.Where(o => o.Type is OperatorType.Conv2D or OperatorType.DepthwiseConv2D).ToList();
        Assert.Equal(9, convolutions.Count);
        Assert.All(convolutions, o =>
        {
            Assert.True(compact.Model.Tensors[o.Inputs[3]].IsDerived);
            Assert.Equal(1, compact.Model.Tensors[o.Inputs[5]].NarrowBytes);
            Assert.Equal(0, compact.Model.Tensors[o.Inputs[4]].NarrowBytes); // multipliers need all 31 bits
        });

        // Each convolution saves its folded bias (4 bytes a channel) and 3 bytes a channel of shifts at least.
        int channels = convolutions.Sum(o => compact.Model.Tensors[o.Inputs[3]].ElementCount);
        Assert.True(plain.Bytes.Length - compact.Bytes.Length >= 7 * channels, $"{plain.Bytes.Length} → {compact.Bytes.Length}");

        using var a = new Interpreter(plain.Bytes);
        using var b = new Interpreter(compact.Bytes);
        Assert.Equal(a.Int32ConstantBytes, b.Int32ConstantBytes);
    }

    /// <summary>The compact kws model and the file offset of the tensor record of operator 0's input <paramref name="slot"/>.</summary>
    private static (byte[] Model, int Record) CompactRecord(int slot)
    {
        var conversion = Converter.ConvertFile(SharedResources.ModelPath("kws_ref_model_int8"), PaletteMode.Off, compactConstants: true);
        return (conversion.Bytes, TensorRecords.Offset(conversion.Bytes, conversion.Model, conversion.Model.Operators[0].Inputs[slot]));
    }

    public static TheoryData<int, string, string> Corruptions() => new()
    {
        { 5, "narrow length 5", "narrow byte length 5 is not 1, 2 or 3 bytes" },
        { 5, "narrow length 4 bytes each", "narrow byte length" },
        { 5, "narrow int8", "only int32 constants can be stored narrow or derived" },
        { 3, "derived with length", "a derived tensor has no data" },
        { 3, "derived with offset", "a derived tensor has no data" },
        { 3, "derived int64", "only int32 constants can be stored narrow or derived" },
        { 4, "multipliers derived", "must be an int32 constant" },
        { 3, "derived shape", "must hold 64 values" },
        { 5, "storage 5", "unknown storage 5" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void The_loader_refuses_a_bad_narrow_or_derived_tensor_with_a_message_naming_it(int slot, string corruption, string message)
    {
        var (model, record) = CompactRecord(slot);
        Assert.Equal((byte)(slot == 3 ? TensorStorage.Derived : slot == 5 ? TensorStorage.Narrow : TensorStorage.Constant), model[record + 2]);
        byte[] bad = (byte[])model.Clone();
        var length = bad.AsSpan(record + 16);
        switch (corruption)
        {
            case "narrow length 5": BinaryPrimitives.WriteInt32LittleEndian(length, 5); break;
            case "narrow length 4 bytes each": BinaryPrimitives.WriteInt32LittleEndian(length, 4 * 64); break;
            case "narrow int8": bad[record] = (byte)TensorType.Int8; break;
            case "derived with length": BinaryPrimitives.WriteInt32LittleEndian(length, 4); break;
            case "derived with offset": BinaryPrimitives.WriteInt32LittleEndian(bad.AsSpan(record + 12), 4); break;
            case "derived int64": bad[record] = (byte)TensorType.Int64; break;
            case "multipliers derived":
                bad[record + 2] = (byte)TensorStorage.Derived;
                BinaryPrimitives.WriteInt32LittleEndian(bad.AsSpan(record + 12), 0);
                BinaryPrimitives.WriteInt32LittleEndian(length, 0);
                break;
            case "derived shape": BinaryPrimitives.WriteInt32LittleEndian(bad.AsSpan(record + ModelFormat.TensorRecordFixedSize), 63); break;
            case "storage 5": bad[record + 2] = 5; break;
        }

        NanoQuant.Host.Fuzzing.Mutator.ForgeChecksum(bad);
        var inRam = Assert.Throws<InvalidModelException>(() => new Interpreter(bad));
        Assert.Contains(message, inRam.Message);
        var streamed = Assert.Throws<InvalidModelException>(() => new Interpreter(new MemoryStream(bad, writable: false), ModelLoadMode.StreamWeights, Interpreter.DefaultMaxArenaBytes));
        Assert.Equal(inRam.Message, streamed.Message);
        _ = new Interpreter(model);
    }
}
