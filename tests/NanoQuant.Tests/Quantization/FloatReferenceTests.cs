using System.Buffers.Binary;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.FloatReference;
using NanoQuant.Host.Npy;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Tests.Quantization;

/// <summary>The float reference interpreter agrees with TFLite Micro's float goldens: every case's outputs and every tensor of case 0.</summary>
public class FloatReferenceTests
{
    /// <summary>Largest difference allowed, relative to the largest magnitude of the tensor: float rounding.</summary>
    private const double Tolerance = 1e-5;

    public static TheoryData<string> FloatGoldens() => new(Golden.FloatModels);

    [Theory]
    [MemberData(nameof(FloatGoldens))]
    public void Outputs_of_every_case_match_the_float_golden(string name)
    {
        var golden = Golden.Load(name);
        var model = FloatModel.Create(TfLiteReader.ReadFile(golden.ModelPath));
        var run = model.CreateRun();
        for (int c = 0; c < golden.CaseCount; c++)
        {
            // Each case is a new sequence (an LSTM's state starts at zero, as on a new TFLM interpreter).
            run.ResetState();
            var inputs = golden.Inputs(c);
            for (int i = 0; i < inputs.Length; i++)
            {
                inputs[i].ToFloats().CopyTo(run.Input(i));
            }

            run.Invoke();
            var outputs = golden.Outputs(c);
            for (int o = 0; o < outputs.Length; o++)
            {
                AssertClose(outputs[o].ToFloats(), run.Output(o).ToArray(), $"{name} case {c} ({golden.CaseSources[c]}) output {o}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(FloatGoldens))]
    public void Every_tensor_of_case_0_matches_the_float_golden(string name)
    {
        var golden = Golden.Load(name);
        var model = FloatModel.Create(TfLiteReader.ReadFile(golden.ModelPath));
        var run = model.CreateRun();
        var inputs = golden.Inputs(0);
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i].ToFloats().CopyTo(run.Input(i));
        }

        run.Invoke();
        int compared = 0;
        foreach (var (tensor, type) in golden.LayerIndex())
        {
            if (type != "FLOAT32" || golden.Layer(tensor) is not { } layer)
            {
                continue;
            }

            AssertClose(layer.ToFloats(), run.Tensor(tensor).ToArray(), $"{name} tensor {tensor} '{model.Model.Tensors[tensor].Name}'");
            compared++;
        }

        int stateTensors = model.Model.Tensors.Count(t => t.IsVariable && !t.IsConstant);
        Assert.Equal(model.ActivationTensors.Count + stateTensors, golden.LayerIndex().Count(l => l.Type == "FLOAT32" && !model.Model.Tensors[l.Tensor].IsConstant));
        Assert.True(compared >= model.ActivationTensors.Count);
    }

    [Fact]
    public void Hybrid_weights_are_dequantized()
    {
        var source = TfLiteReader.ReadFile(SharedResources.ModelPath("kws_ref_model_float32"));
        var model = FloatModel.Create(source);
        Assert.All(model.Model.Tensors.Where(t => t.IsConstant && t.Type != TfLiteType.Int32), t => Assert.Equal(TfLiteType.Float32, t.Type));

        // Weight 0 of the first convolution: q × scale.
        var weights = source.Tensors[source.Operators[0].Inputs[1]];
        float expected = (float)(weights.Quantization!.Scale * (double)unchecked((sbyte)weights.Data![0]));
        Assert.Equal(expected, BinaryPrimitives.ReadSingleLittleEndian(model.Model.Tensors[weights.Index].Data));

        var run = model.CreateRun();
        run.Input(0).Fill(1f);
        run.Invoke();
        var output = run.Output(0).ToArray();
        Assert.Equal(1f, output.Sum(), 3);
    }

    [Fact]
    public void Per_channel_int8_and_float16_weights_behind_DEQUANTIZE_become_float_constants()
    {
        // x[1,2] → FC(weights: int8 per-channel, read directly) → FC(weights: float16 → DEQUANTIZE).
        var half = new byte[4];
        BinaryPrimitives.WriteHalfLittleEndian(half, (Half)0.5f);
        BinaryPrimitives.WriteHalfLittleEndian(half.AsSpan(2), (Half)(-2f));
        var tensors = new List<TfLiteTensor>
        {
            new(0, "x", TfLiteType.Float32, [1, 2], null, null, false),
            new(1, "w1", TfLiteType.Int8, [2, 2], [10, 256 - 20, 3, 4], new TfLiteQuantization([0.1f, 0.5f], [0, 0], 0), false),
            new(2, "h", TfLiteType.Float32, [1, 2], null, null, false),
            new(3, "w2_f16", TfLiteType.Float16, [1, 2], half, null, false),
            new(4, "w2", TfLiteType.Float32, [1, 2], null, null, false),
            new(5, "y", TfLiteType.Float32, [1, 1], null, null, false),
        };
        var options = TfLiteTable.Build(b => { b.StartTable(1); b.AddByte(0, 0, 0); return b.EndTable(); });
        var model = new TfLiteModel
        {
            SchemaVersion = 3,
            Description = null,
            Tensors = tensors,
            Operators =
            [
                new TfLiteOperator(0, BuiltinOperator.FullyConnected, 1, null, [0, 1, -1], [2], 8, options),
                new TfLiteOperator(1, BuiltinOperator.Dequantize, 1, null, [3], [4], 0, null),
                new TfLiteOperator(2, BuiltinOperator.FullyConnected, 1, null, [2, 4, -1], [5], 8, options),
            ],
            Inputs = [0],
            Outputs = [5],
            SubgraphCount = 1,
        };

        var floatModel = FloatModel.Create(model);
        Assert.Equal(2, floatModel.Model.Operators.Count);
        var run = floatModel.CreateRun();
        run.Input(0)[0] = 1f;
        run.Input(0)[1] = 2f;
        run.Invoke();

        // h = [0.1·(10·1 − 20·2), 0.5·(3·1 + 4·2)] = [−3, 5.5]; y = 0.5·(−3) − 2·5.5 = −12.5
        Assert.Equal([-3f, 5.5f], run.Tensor(2).ToArray());
        Assert.Equal(-12.5f, run.Output(0)[0]);
    }

    [Fact]
    public void Runs_are_independent_and_repeatable()
    {
        var model = FloatModel.Create(TfLiteReader.ReadFile(SharedResources.ModelPath("vww_96_float")));
        var a = model.CreateRun();
        var b = model.CreateRun();
        var input = Golden.Load("vww_96_float").Inputs(6)[0].ToFloats();
        input.CopyTo(a.Input(0));
        a.Invoke();
        var first = a.Output(0).ToArray();
        new float[input.Length].CopyTo(b.Input(0));
        b.Invoke();
        a.Invoke();
        Assert.Equal(first, a.Output(0).ToArray());
    }

    [Fact]
    public void Int8_model_is_refused()
    {
        var e = Assert.Throws<UnsupportedModelException>(() => FloatModel.Create(TfLiteReader.ReadFile(SharedResources.ModelPath("hello_world_int8"))));
        Assert.Contains("already quantized", e.Message);
    }

    internal static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = Math.Max(expected.Max(v => Math.Abs((double)v)), 1e-30);
        int worst = -1;
        double worstError = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs((double)expected[i] - actual[i]);
            if (error > worstError)
            {
                worstError = error;
                worst = i;
            }
        }

        Assert.True(worstError <= Tolerance * scale,
            $"{what}: element {worst} is {(worst >= 0 ? actual[worst] : 0)}, expected {(worst >= 0 ? expected[worst] : 0)} (error {worstError:G3}, {worstError / scale:G3} of the largest magnitude)");
    }
}
