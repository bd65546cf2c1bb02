using System.Buffers.Binary;
using System.Text.Json;
using NanoQuant.Format;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.DeviceModels;
using NanoQuant.Host.Npy;
using NanoQuant.Host.TfLite;
using NanoQuant.Tests.Cli;

namespace NanoQuant.Tests.Quantization;

/// <summary>
/// `--io uint8` (TFLite's inference_input_type/inference_output_type = tf.uint8): uint8 edges with the int8
/// tensor's scale and zero point + 128, QUANTIZE operators at the boundary as TensorFlow's converter writes them,
/// format version 3 flags on the device tensors, and run/eval/validate taking uint8 data as already quantized.
/// </summary>
public sealed class UInt8EdgeTests : CliHarness
{
    private static string Kws(string file) => Path.Combine(SharedResources.Data, "kws", file);

    private static NpyArray Flip(NpyArray a, NpyType to) => new(to, a.Shape, a.Data.Select(b => (byte)(b ^ 0x80)).ToArray());

    [Fact]
    public void Quantizing_with_io_uint8_writes_TFLite_uint8_edges_and_the_int8_model_with_flipped_bytes()
    {
        Ok("convert", Sample("sine_float.tflite"), "-c", Sample("calibration.npy"), "-o", Temp("int8.nq"));
        string output = Ok("convert", Sample("sine_float.tflite"), "-c", Sample("calibration.npy"), "--io", "uint8", "-o", Temp("uint8.nq"), "--save-tflite", Temp("uint8.tflite"));
        Assert.Contains("wrote", output);

        // The .tflite is what TensorFlow's converter writes for tf.uint8 edges: uint8 input and output, same scale,
        // zero point + 128, a QUANTIZE from the input first and a QUANTIZE to the output last.
        var tflite = TfLiteReader.ReadFile(Temp("uint8.tflite"));
        var input = tflite.Tensors[tflite.Inputs[0]];
        var output0 = tflite.Tensors[tflite.Outputs[0]];
        Assert.Equal(TfLiteType.UInt8, input.Type);
        Assert.Equal(TfLiteType.UInt8, output0.Type);
        var first = tflite.Operators[0];
        var last = tflite.Operators[^1];
        Assert.Equal((BuiltinOperator.Quantize, input.Index), (first.Code, first.Inputs[0]));
        Assert.Equal((BuiltinOperator.Quantize, output0.Index), (last.Code, last.Outputs[0]));
        var int8In = tflite.Tensors[first.Outputs[0]];
        var int8Out = tflite.Tensors[last.Inputs[0]];
        Assert.Equal(TfLiteType.Int8, int8In.Type);
        Assert.Equal((int8In.Quantization!.Scale, int8In.Quantization.ZeroPoint + 128), (input.Quantization!.Scale, input.Quantization.ZeroPoint));
        Assert.Equal((int8Out.Quantization!.Scale, int8Out.Quantization.ZeroPoint + 128), (output0.Quantization!.Scale, output0.Quantization.ZeroPoint));

        // The .nq is version 3 with the uint8 flags; the saved .tflite imports to the same bytes; the int8 model is version 2.
        byte[] u8 = File.ReadAllBytes(Temp("uint8.nq"));
        byte[] i8 = File.ReadAllBytes(Temp("int8.nq"));
        Assert.Equal(3, BitConverter.ToUInt16(u8, 4));
        Assert.Equal(2, BitConverter.ToUInt16(i8, 4));
        Assert.Equal(u8, Converter.Convert(tflite).Bytes);
        var model = DeviceModelReader.Read(u8);
        Assert.Equal(ModelFormat.FlagUInt8Input, model.Tensors[model.Inputs[0]].Flags);
        Assert.Equal(ModelFormat.FlagUInt8Output, model.Tensors[model.Outputs[0]].Flags);
        Assert.Contains("(uint8 in, zero point", Ok("inspect", Temp("uint8.nq")));

        // Bit for bit the int8 model: x8 → y8 there, x8 ^ 0x80 → y8 ^ 0x80 here.
        var x8 = NpyArray.FromSBytes(Enumerable.Range(0, 256).Select(v => (sbyte)(v - 128)).ToArray(), [256, 1]);
        File.WriteAllBytes(Temp("x8.npy"), x8.ToBytes());
        File.WriteAllBytes(Temp("xu8.npy"), Flip(x8, NpyType.UInt8).ToBytes());
        Ok("run", Temp("int8.nq"), "--input", Temp("x8.npy"), "--output", Temp("y8.npy"));
        Ok("run", Temp("uint8.nq"), "--input", Temp("xu8.npy"), "--output", Temp("yu8.npy"));
        var y8 = NpyArray.Load(Temp("y8.npy"));
        var yu8 = NpyArray.Load(Temp("yu8.npy"));
        Assert.Equal(NpyType.UInt8, yu8.Type);
        Assert.Equal(Flip(y8, NpyType.UInt8).Data, yu8.Data);
        Assert.Equal(y8.Shape, yu8.Shape);

        // Float data is quantized into the uint8 model as into the int8 one; int8 data for a uint8 input is refused.
        Ok("run", Temp("uint8.nq"), "--input", Sample("input.npy"), "--output", Temp("yf.npy"));
        AssertOneError(["int8", "uint8"], "run", Temp("uint8.nq"), "--input", Temp("x8.npy"), "--output", Temp("bad.npy"));
    }

    [Fact]
    public void An_int8_model_imports_with_uint8_edges_and_eval_validate_and_run_take_uint8_data_as_quantized()
    {
        Ok("convert", SharedResources.ModelPath("kws_ref_model_int8"), "-o", Temp("kws.nq"));
        Ok("convert", SharedResources.ModelPath("kws_ref_model_int8"), "--io", "uint8", "-o", Temp("kws_u8.nq"));
        byte[] u8 = File.ReadAllBytes(Temp("kws_u8.nq"));
        Assert.Equal(3, BitConverter.ToUInt16(u8, 4));
        var features = NpyArray.Load(Kws("features_int8.npy"));
        File.WriteAllBytes(Temp("features_uint8.npy"), Flip(features, NpyType.UInt8).ToBytes());

        using (var json = JsonDocument.Parse(Ok("eval", Temp("kws_u8.nq"), "--input", Temp("features_uint8.npy"), "--labels", Kws("labels.npy"), "--json")))
        {
            Assert.Equal(KwsAccuracyTests.ReferenceCorrect, json.RootElement.GetProperty("models")[0].GetProperty("correct").GetInt32());
        }

        using (var json = JsonDocument.Parse(Ok("validate", Temp("kws_u8.nq"), "--float", SharedResources.ModelPath("kws_ref_model_float32"),
            "--input", Temp("features_uint8.npy"), "--labels", Kws("labels.npy"), "--count", "100", "--json")))
        {
            using var int8 = JsonDocument.Parse(Ok("validate", SharedResources.ModelPath("kws_ref_model_int8"), "--float", SharedResources.ModelPath("kws_ref_model_float32"),
                "--input", Kws("features_int8.npy"), "--labels", Kws("labels.npy"), "--count", "100", "--json"));
            Assert.Equal(int8.RootElement.GetProperty("accuracy").GetProperty("int8Correct").GetInt32(), json.RootElement.GetProperty("accuracy").GetProperty("int8Correct").GetInt32());
            Assert.Equal(int8.RootElement.GetProperty("accuracy").GetProperty("floatCorrect").GetInt32(), json.RootElement.GetProperty("accuracy").GetProperty("floatCorrect").GetInt32());
        }

        AssertOneError(["is int8, but the model's input is uint8", "zero point 211"], "eval", Temp("kws_u8.nq"), "--input", Kws("features_int8.npy"), "--labels", Kws("labels.npy"));
        Assert.Contains("CopyFromUInt8(pixels, 0)", Ok("embed", Temp("kws_u8.nq"), "--namespace", "Demo.App", "-o", Temp("embedded")));
        Assert.DoesNotContain("CopyFromUInt8", Ok("embed", Temp("kws.nq"), "--namespace", "Demo.App", "-o", Temp("embedded8")));

        // run: the outputs are the int8 model's with the top bit flipped.
        var golden = Golden.Load("kws_ref_model_int8");
        var x = golden.Inputs(0)[0];
        File.WriteAllBytes(Temp("x.npy"), x.ToBytes());
        File.WriteAllBytes(Temp("xu.npy"), Flip(x, NpyType.UInt8).ToBytes());
        Ok("run", Temp("kws.nq"), "--input", Temp("x.npy"), "--output", Temp("y.npy"));
        Ok("run", Temp("kws_u8.nq"), "--input", Temp("xu.npy"), "--output", Temp("yu.npy"));
        Assert.Equal(Flip(NpyArray.Load(Temp("y.npy")), NpyType.UInt8).Data, NpyArray.Load(Temp("yu.npy")).Data);
    }

    [Fact]
    public void Uint8_edges_are_refused_where_TFLite_has_none()
    {
        AssertOneError(["--io uint8", "int8 activations"], "convert", Sample("sine_float.tflite"), "-c", Sample("calibration.npy"), "--activations", "int16", "--io", "uint8", "-o", Temp("x.nq"));
        AssertOneError(["--io uint8", "is Float32"], "convert", SharedResources.ModelPath("op_quantize_float"), "--io", "uint8", "-o", Temp("x.nq"));
    }

    [Fact]
    public void The_loader_takes_uint8_flags_from_version_3_on_and_only_on_int8_edges()
    {
        byte[] u8 = Converter.Convert(Host.Quantization.Quantizer.WithUInt8Edges(TfLiteReader.ReadFile(SharedResources.ModelPath("hello_world_int8")))).Bytes;
        Assert.Equal(ModelFormat.CompactVersion, BinaryPrimitives.ReadUInt16LittleEndian(u8.AsSpan(4)));
        using (var interpreter = new Interpreter(u8))
        {
            Assert.True(interpreter.GetInput(0).IsUInt8Input && interpreter.GetOutput(0).IsUInt8Output);
            Assert.False(interpreter.GetInput(0).IsUInt8Output || interpreter.GetInput(0).WasFloatInput);
        }

        // The same bytes labelled version 2 (checksum recomputed): version 2 has no uint8 flags.
        byte[] v2 = (byte[])u8.Clone();
        v2[4] = 2;
        Restamp(v2);
        Assert.Contains("unknown flags", Assert.Throws<InvalidModelException>(() => new Interpreter(v2)).Message);

        // The newest version (flagged-zero palettes) keeps the uint8 flags of version 3.
        byte[] newest = (byte[])u8.Clone();
        newest[4] = (byte)ModelFormat.Version;
        Restamp(newest);
        using (var interpreter = new Interpreter(newest))
        {
            Assert.True(interpreter.GetInput(0).IsUInt8Input && interpreter.GetOutput(0).IsUInt8Output);
        }

        // A version after the newest is refused, naming the versions this runtime reads.
        byte[] future = (byte[])u8.Clone();
        future[4] = (byte)(ModelFormat.Version + 1);
        Restamp(future);
        Assert.Contains($"versions 2 to {ModelFormat.Version}", Assert.Throws<InvalidModelException>(() => new Interpreter(future)).Message);
    }

    [Fact]
    public void Tensor_uint8_copies_flip_the_top_bit_both_ways()
    {
        byte[] u8 = Converter.Convert(Host.Quantization.Quantizer.WithUInt8Edges(TfLiteReader.ReadFile(SharedResources.ModelPath("op_relu")))).Bytes;
        using var interpreter = new Interpreter(u8);
        var input = interpreter.GetInput(0);
        var bytes = Enumerable.Range(0, input.Length).Select(i => (byte)(i * 7)).ToArray();
        input.CopyFromUInt8(bytes, 0);
        for (int i = 0; i < input.Length; i++)
        {
            Assert.Equal(bytes[i] - 128, input.GetInt8(i));
        }

        var back = new byte[input.Length + 3];
        input.CopyToUInt8(back, 3);
        Assert.Equal(bytes, back[3..]);
        Assert.Throws<ArgumentException>(() => input.CopyFromUInt8(new byte[input.Length - 1], 0));
    }

    private static void Restamp(byte[] model)
    {
        uint crc = NanoQuant.Format.Crc32.Compute(model, ModelFormat.ChecksumStart, model.Length - ModelFormat.ChecksumStart);
        BitConverter.GetBytes(crc).CopyTo(model, ModelFormat.ChecksumOffset);
    }
}
