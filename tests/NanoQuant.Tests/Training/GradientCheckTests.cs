using NanoQuant.Host.Conversion;
using NanoQuant.Host.TfLite;
using NanoQuant.Host.Training;

namespace NanoQuant.Tests.Training;

/// <summary>
/// Every operator's backward pass against central finite differences of the float reference's own
/// forward pass: the loss Σ r·output (r random), its gradient with respect to every weight, bias and
/// model input element. Each graph is small (tens to hundreds of values), so every element is checked.
/// </summary>
public class GradientCheckTests
{
    private static float[] Random(Random random, int count, float scale = 1f) => TrainingData.Uniform(random, count, scale);

    /// <summary>Runs the check: analytic gradients equal finite differences to 2 % of the largest gradient (plus float rounding).</summary>
    private static void Check(TfLiteModel model, int seed = 1, float inputScale = 1f)
    {
        var random = new Random(seed);
        var trainer = Trainer.Create(model, new TrainingOptions { QuantizationAware = false });
        var inputs = model.InputTensors.Select(t => Random(random, t.ElementCount, inputScale)).ToArray();
        var outputTensor = model.Tensors[model.Outputs[0]];
        var r = Random(random, outputTensor.ElementCount);

        var worker = new Trainer.Worker(trainer);
        worker.Forward(inputs);
        worker.SeedOutput(r);
        worker.Backward(throughLossOperator: true);

        double Loss()
        {
            var w = new Trainer.Worker(trainer);
            w.Forward(inputs);
            var output = w.Run.Output(0);
            double sum = 0;
            for (int i = 0; i < output.Length; i++)
            {
                sum += (double)r[i] * output[i];
            }

            return sum;
        }

        const float epsilon = 1e-3f;
        int checkedValues = 0;
        void Compare(float[] values, float[] analytic, string what, bool reload)
        {
            Assert.Equal(values.Length, analytic.Length);
            double largest = analytic.Max(Math.Abs);
            Assert.True(largest > 0, $"{what}: every gradient is 0");
            for (int i = 0; i < values.Length; i++)
            {
                float original = values[i];
                values[i] = original + epsilon;
                if (reload)
                {
                    trainer.Reload();
                }

                double plus = Loss();
                values[i] = original - epsilon;
                if (reload)
                {
                    trainer.Reload();
                }

                double minus = Loss();
                values[i] = original;
                double numeric = (plus - minus) / (2 * epsilon);
                double tolerance = (0.02 * largest) + 2e-3;
                Assert.True(Math.Abs(numeric - analytic[i]) <= tolerance,
                    $"{what}[{i}]: analytic {analytic[i]}, finite difference {numeric} (largest gradient {largest})");
                checkedValues++;
            }

            if (reload)
            {
                trainer.Reload();
            }
        }

        foreach (var p in trainer.Parameters)
        {
            Compare(p.Values, worker.Gradients[p.Tensor.Index], p.Tensor.Name, reload: true);
        }

        for (int i = 0; i < inputs.Length; i++)
        {
            Compare(inputs[i], worker.Gradients[model.Inputs[i]], $"input {i}", reload: false);
        }

        Assert.True(checkedValues > 0);
    }

    private static (GraphBuilder Graph, int Input) Start(params int[] shape)
    {
        var graph = new GraphBuilder();
        return (graph, graph.Input("x", shape));
    }

    [Theory]
    [InlineData(1, true, FusedActivation.None)]
    [InlineData(2, true, FusedActivation.Relu)]
    [InlineData(2, false, FusedActivation.Relu6)]
    [InlineData(1, false, FusedActivation.None)]
    public void Conv2D(int stride, bool same, FusedActivation activation)
    {
        var random = new Random(7);
        var (g, x) = Start(1, 5, 6, 2);
        var y = g.Conv2D(x, Random(random, 3 * 3 * 3 * 2, 0.5f), Random(random, 3, 0.5f), 3, 3, 3, stride, same, activation);
        Check(g.Build("conv", y), inputScale: 2f);
    }

    [Theory]
    [InlineData(1, 1, true)]
    [InlineData(2, 2, false)]
    public void DepthwiseConv2D(int multiplier, int stride, bool same)
    {
        var random = new Random(8);
        var (g, x) = Start(1, 5, 5, 2);
        var y = g.DepthwiseConv2D(x, Random(random, 3 * 3 * 2 * multiplier, 0.5f), Random(random, 2 * multiplier, 0.5f), multiplier, 3, 3, stride, same, FusedActivation.Relu);
        Check(g.Build("depthwise", y), inputScale: 2f);
    }

    [Fact]
    public void FullyConnected()
    {
        var random = new Random(9);
        var (g, x) = Start(1, 6);
        var h = g.FullyConnected(x, Random(random, 5 * 6), Random(random, 5), 5, FusedActivation.Relu, "h");
        var y = g.FullyConnected(h, Random(random, 3 * 5), Random(random, 3), 3, name: "y");
        Check(g.Build("fc", y));
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void Pools(bool average, bool same)
    {
        var random = new Random(10);
        var (g, x) = Start(1, 5, 5, 2);
        var c = g.Conv2D(x, Random(random, 2 * 3 * 3 * 2, 0.5f), Random(random, 2, 0.1f), 2, 3, 3);
        var y = g.Pool(c, average, 2, 2, same);
        Check(g.Build("pool", y));
    }

    [Theory]
    [InlineData(BuiltinOperator.Add)]
    [InlineData(BuiltinOperator.Sub)]
    [InlineData(BuiltinOperator.Mul)]
    public void Binary_with_broadcasting(BuiltinOperator code)
    {
        var random = new Random(11);
        var (g, x) = Start(1, 3, 3, 2);
        var a = g.Conv2D(x, Random(random, 2 * 2 * 2 * 2, 0.5f), Random(random, 2, 0.1f), 2, 2, 2, name: "a");
        var b = g.Mean(a, [1, 2], "b");                   // (1,1,1,2) broadcast over (1,3,3,2)
        var same = g.Binary(code, a, x, name: "same");   // same shape, both paths
        var y = g.Binary(code, same, b, name: "broadcast");
        Check(g.Build("binary", y));
    }

    [Theory]
    [InlineData(BuiltinOperator.Relu)]
    [InlineData(BuiltinOperator.Relu6)]
    [InlineData(BuiltinOperator.Logistic)]
    [InlineData(BuiltinOperator.Tanh)]
    public void Activations(BuiltinOperator code)
    {
        var random = new Random(12);
        var (g, x) = Start(1, 8);
        var h = g.FullyConnected(x, Random(random, 8 * 8, 3f), Random(random, 8), 8, name: "h");
        var y = g.Unary(code, h);
        Check(g.Build("activation", y), inputScale: 1.5f);
    }

    [Fact]
    public void Softmax_reshape_mean_pad_and_concatenation()
    {
        var random = new Random(13);
        var (g, x) = Start(1, 4, 4, 2);
        var c = g.Conv2D(x, Random(random, 3 * 3 * 3 * 2, 0.5f), Random(random, 3, 0.1f), 3, 3, 3, name: "c");
        var p = g.Pad(c, [0, 0, 1, 0, 0, 2, 0, 0]);            // (1,5,6,3)
        var m = g.Mean(p, [1, 2]);                              // (1,1,1,3)
        var both = g.Concatenation([m, g.Mean(c, [1, 2], "m2")], 3);  // (1,1,1,6)
        var flat = g.Reshape(both, [1, 6]);
        var logits = g.FullyConnected(flat, Random(random, 4 * 6), Random(random, 4), 4, name: "logits");
        var y = g.Softmax(logits, 1.5f);
        Check(g.Build("shapes", y));
    }

    [Fact]
    public void Softmax_cross_entropy_gradient_is_probabilities_minus_one_hot()
    {
        var random = new Random(14);
        var (g, x) = Start(1, 3);
        var logits = g.FullyConnected(x, Random(random, 4 * 3), Random(random, 4), 4, name: "logits");
        var model = g.Build("ce", g.Softmax(logits));
        var trainer = Trainer.Create(model, new TrainingOptions { QuantizationAware = false });
        var worker = new Trainer.Worker(trainer);
        worker.Forward([[0.5f, -1f, 2f]]);
        worker.Loss(2, 1f);
        worker.Backward();
        var p = worker.Run.Output(0).ToArray();
        Assert.Equal(-Math.Log(p[2]), worker.LossSum, 5);
        var bias = trainer.Parameters.Single(q => q.Tensor.Name == "logits/bias");
        var db = worker.Gradients[bias.Tensor.Index];
        for (int c = 0; c < 4; c++)
        {
            Assert.Equal(p[c] - (c == 2 ? 1f : 0f), db[c], 5);
        }
    }
}
