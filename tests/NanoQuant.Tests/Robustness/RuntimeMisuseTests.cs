using NanoQuant.Host.Conversion;

namespace NanoQuant.Tests.Robustness;

/// <summary>Wrong-length buffers and calls in the wrong order get clear errors from the device runtime.</summary>
public class RuntimeMisuseTests
{
    private static Interpreter Load(string name = "op_conv_3x3_same_relu") => new(Converter.ConvertFile(SharedResources.ModelPath(name)).Bytes);

    [Fact]
    public void Wrong_length_buffers_are_refused_with_the_expected_length()
    {
        var interpreter = Load();
        var input = interpreter.GetInput(0);
        var e = Assert.Throws<ArgumentException>(() => input.CopyFrom(new sbyte[input.Length - 1], 0));
        Assert.Contains(input.Length.ToString(), e.Message);
        Assert.Throws<ArgumentException>(() => input.CopyFrom(new sbyte[input.Length], 1));
        Assert.Throws<ArgumentException>(() => input.CopyFrom(null!, 0));
        Assert.Throws<ArgumentException>(() => input.Quantize(new float[input.Length + 1]));
        Assert.Throws<ArgumentException>(() => interpreter.GetOutput(0).CopyTo(new sbyte[1], 0));
        Assert.Throws<ArgumentException>(() => interpreter.GetOutput(0).Dequantize(new float[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => input.SetInt8(input.Length, 0));
    }

    [Fact]
    public void Indices_outside_the_model_are_refused()
    {
        var interpreter = Load();
        Assert.Contains("1 inputs", Assert.Throws<ArgumentOutOfRangeException>(() => interpreter.GetInput(1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => interpreter.GetOutput(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => interpreter.GetTensor(interpreter.TensorCount));
        Assert.Throws<ArgumentOutOfRangeException>(() => interpreter.InvokeOperator(interpreter.OperatorCount));
    }

    [Fact]
    public void Operators_must_be_stepped_in_order()
    {
        var interpreter = Load("vww_96_int8");
        var e = Assert.Throws<InvalidOperationException>(() => interpreter.InvokeOperator(2));
        Assert.Contains("the next is 0", e.Message);
        interpreter.InvokeOperator(0);
        interpreter.InvokeOperator(1);
        Assert.Throws<InvalidOperationException>(() => interpreter.InvokeOperator(1));
        interpreter.InvokeOperator(0);
        interpreter.Invoke();
        interpreter.InvokeOperator(0);
    }

    [Fact]
    public void A_streaming_interpreter_cannot_run_after_dispose()
    {
        string path = Path.Combine(Path.GetTempPath(), $"nanoquant-{Guid.NewGuid():N}.nq");
        File.WriteAllBytes(path, Converter.ConvertFile(SharedResources.ModelPath("ad01_int8")).Bytes);
        try
        {
            var interpreter = Interpreter.FromFile(path, ModelLoadMode.StreamWeights);
            interpreter.Invoke();
            interpreter.Dispose();
            Assert.Contains("disposed", Assert.Throws<InvalidOperationException>(() => interpreter.Invoke()).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Quantize_helpers_round_trip_within_half_a_step()
    {
        var interpreter = Load();
        var input = interpreter.GetInput(0);
        var values = Enumerable.Range(0, input.Length).Select(i => (float)((i % 50) - 25) * input.Scale).ToArray();
        input.Quantize(values);
        var back = new float[input.Length];
        input.Dequantize(back);
        for (int i = 0; i < values.Length; i++)
        {
            float clamped = Math.Clamp(values[i], (-128 - input.ZeroPoint) * input.Scale, (127 - input.ZeroPoint) * input.Scale);
            Assert.InRange(back[i], clamped - (input.Scale / 2) - 1e-6f, clamped + (input.Scale / 2) + 1e-6f);
        }
    }
}
