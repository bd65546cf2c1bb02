using System.Buffers.Binary;
using NanoQuant.Format;
using NanoQuant.Host.DeviceModels;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Planning;
using NanoQuant.Host.Runtime;

namespace NanoQuant.Tests;

/// <summary>
/// Int16 activations and int64 constants in the device format (version 2): element sizes, the
/// byte-planned arena, the loader's checks, the Tensor accessors and the host runner's int16 .npy I/O.
/// </summary>
public class Int16TensorTests
{
    /// <summary>A model with no operator: its int16 input is its output (plus unused int16/int64/int8 constants).</summary>
    private static DeviceModel PassThrough(int zeroPoint = 0, float scale = 0.5f)
    {
        var model = new DeviceModel();
        int io = model.AddTensor(new DeviceTensor { Type = TensorType.Int16, Storage = TensorStorage.Arena, Shape = [1, 3, 5], Scale = scale, ZeroPoint = zeroPoint, Flags = ModelFormat.FlagFloatInput | ModelFormat.FlagFloatOutput });
        model.AddTensor(new DeviceTensor { Type = TensorType.Int8, Storage = TensorStorage.Constant, Shape = [3], ConstantData = [1, 2, 3] });
        var int16 = new byte[6];
        BinaryPrimitives.WriteInt16LittleEndian(int16, -2);
        model.AddTensor(new DeviceTensor { Type = TensorType.Int16, Storage = TensorStorage.Constant, Shape = [3], ConstantData = int16 });
        var int64 = new byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(int64, -5_000_000_000L);
        BinaryPrimitives.WriteInt64LittleEndian(int64.AsSpan(8), 1L << 40);
        model.AddTensor(new DeviceTensor { Type = TensorType.Int64, Storage = TensorStorage.Constant, Shape = [2], ConstantData = int64 });
        model.Inputs.Add(io);
        model.Outputs.Add(io);
        MemoryPlanner.Plan(model);
        return model;
    }

    [Fact]
    public void Element_sizes_are_those_of_the_types()
    {
        Assert.Equal(1, ModelFormat.ElementSize(TensorType.Int8));
        Assert.Equal(2, ModelFormat.ElementSize(TensorType.Int16));
        Assert.Equal(4, ModelFormat.ElementSize(TensorType.Int32));
        Assert.Equal(8, ModelFormat.ElementSize(TensorType.Int64));
        Assert.Equal(0, ModelFormat.ElementSize((TensorType)9));
        Assert.Equal(4, ModelFormat.Version);
        Assert.Equal(3, ModelFormat.CompactVersion);
        Assert.Equal(2, ModelFormat.MinVersion);
    }

    [Fact]
    public void Int16_arena_tensors_are_planned_in_bytes_and_round_trip()
    {
        var model = PassThrough();
        Assert.Equal(30, model.ArenaBytes);
        byte[] bytes = DeviceModelWriter.Write(model);
        var interpreter = new Interpreter(bytes);
        Assert.Equal(30, interpreter.ArenaBytes);
        Assert.Equal(16, interpreter.Int32ConstantBytes);
        var input = interpreter.GetInput(0);
        Assert.Equal(TensorType.Int16, input.Type);
        Assert.Equal(15, input.Length);

        short[] values = [-32768, -1, 0, 1, 255, 256, -256, 32767, 12345, -12345, 2, 3, 4, 5, 6];
        input.CopyFromInt16(values, 0);
        var back = new short[15];
        interpreter.GetOutput(0).CopyToInt16(back, 0);
        Assert.Equal(values, back);
        Assert.Equal((short)-256, input.GetInt16(6));
        input.SetInt16(6, 777);
        Assert.Equal((short)777, interpreter.GetOutput(0).GetInt16(6));
        Assert.Throws<InvalidOperationException>(() => input.GetInt8(0));
        Assert.Throws<InvalidOperationException>(() => input.CopyFrom(new sbyte[15], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => input.GetInt16(15));
        Assert.Throws<ArgumentException>(() => input.CopyFromInt16(new short[14], 0));

        // Quantize saturates to int16 and rounds half away from zero; Dequantize inverts it.
        input.Quantize([0.25f, -0.25f, 1e9f, -1e9f, 3f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        Assert.Equal(new short[] { 1, -1, 32767, -32768, 6 }, Enumerable.Range(0, 5).Select(i => input.GetInt16(i)).ToArray());
        var floats = new float[15];
        input.Dequantize(floats);
        Assert.Equal(-16384f, floats[3]);
    }

    [Fact]
    public void The_runner_takes_int16_and_float32_npy_and_returns_the_model_edges()
    {
        var model = PassThrough(scale: 0.25f);
        var runner = new ModelRunner(DeviceModelWriter.Write(model));
        short[] values = Enumerable.Range(0, 30).Select(i => (short)((i * 2221) - 30000)).ToArray();

        // Two samples of int16, stacked on the leading axis: taken as they are, dequantized on exit (float edge).
        var output = runner.Run([NpyArray.FromInt16s(values, [2, 3, 5])])[0];
        Assert.Equal(NpyType.Float32, output.Type);
        Assert.Equal([2, 3, 5], output.Shape);
        Assert.Equal(values.Select(v => v * 0.25f).ToArray(), output.ToFloats());

        // Float32 quantized with the input's scale, saturating at the int16 range.
        var floats = runner.Run([NpyArray.FromFloats(values.Select(v => v * 0.5f).ToArray(), [2, 3, 5])])[0].ToFloats();
        Assert.Equal(values.Select(v => Math.Clamp(v * 2, -32768, 32767) * 0.25f).ToArray(), floats);

        var e = Assert.Throws<ArgumentException>(() => runner.Run([NpyArray.FromSBytes(new sbyte[15], [1, 3, 5])]));
        Assert.Contains("int16", e.Message);
    }

    [Fact]
    public void The_runner_gives_int16_outputs_as_int16_npy()
    {
        var model = PassThrough();
        model.Tensors[0].Flags = 0;
        var runner = new ModelRunner(DeviceModelWriter.Write(model));
        short[] values = Enumerable.Range(0, 15).Select(i => (short)(i * -999)).ToArray();
        var output = runner.Run([NpyArray.FromInt16s(values, [1, 3, 5])])[0];
        Assert.Equal(NpyType.Int16, output.Type);
        Assert.Equal(values, output.ToInt16s());
    }

    [Fact]
    public void The_loader_checks_int16_zero_points_and_unknown_types()
    {
        var wide = PassThrough(zeroPoint: 40000);
        Assert.Contains("outside int16", Assert.Throws<InvalidModelException>(() => new Interpreter(DeviceModelWriter.Write(wide))).Message);

        byte[] bytes = DeviceModelWriter.Write(PassThrough());
        int tensorTable = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(ModelFormat.TensorTableOffset));
        bytes[tensorTable] = 5;
        uint crc = Crc32.Compute(bytes, ModelFormat.ChecksumStart, bytes.Length - ModelFormat.ChecksumStart);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(ModelFormat.ChecksumOffset), crc);
        Assert.Contains("unknown type 5", Assert.Throws<InvalidModelException>(() => new Interpreter(bytes)).Message);

        // An int64 arena tensor is refused: arena tensors are int8 or int16.
        var model = PassThrough();
        model.Tensors.Add(new DeviceTensor { Type = TensorType.Int64, Storage = TensorStorage.Arena, Shape = [2] });
        MemoryPlanner.Plan(model);
        Assert.Contains("int8 or int16", Assert.Throws<InvalidModelException>(() => new Interpreter(DeviceModelWriter.Write(model))).Message);
    }

    [Fact]
    public void Int16_and_int64_constants_load_in_both_modes()
    {
        byte[] bytes = DeviceModelWriter.Write(PassThrough());
        using var streamed = new Interpreter(new MemoryStream(bytes, writable: false), ModelLoadMode.StreamWeights, Interpreter.DefaultMaxArenaBytes);
        var copied = new Interpreter(new MemoryStream(bytes, writable: false), ModelLoadMode.CopyToRam, Interpreter.DefaultMaxArenaBytes);
        Assert.Equal(16, streamed.Int32ConstantBytes);
        Assert.Equal(16, copied.Int32ConstantBytes);
        Assert.Equal(3 + 6, new Interpreter(bytes).ConstantPoolBytes);
    }
}
