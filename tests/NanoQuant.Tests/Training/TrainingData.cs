using NanoQuant.Host.Conversion;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Quantization;
using NanoQuant.Host.TfLite;
using NanoQuant.Host.Training;

namespace NanoQuant.Tests.Training;

/// <summary>Synthetic classification data and small models for the trainer's tests.</summary>
internal static class TrainingData
{
    public const int Features = 8;
    public const int Classes = 4;

    /// <summary><paramref name="count"/> values uniform in [−<paramref name="scale"/>, <paramref name="scale"/>].</summary>
    public static float[] Uniform(Random random, int count, float scale = 1f) =>
        Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1) * scale).ToArray();

    /// <summary>Samples of <see cref="Features"/> values in [−1, 1]; the label is the argmax of a fixed random linear map.</summary>
    public static (float[] X, int[] Y) Linear(int count, int seed)
    {
        var map = new Random(1000);
        var w = Enumerable.Range(0, Classes * Features).Select(_ => (float)((map.NextDouble() * 2) - 1)).ToArray();
        var random = new Random(seed);
        var x = new float[count * Features];
        var y = new int[count];
        for (int n = 0; n < count; n++)
        {
            for (int f = 0; f < Features; f++)
            {
                x[(n * Features) + f] = (float)((random.NextDouble() * 2) - 1);
            }

            float best = float.MinValue;
            for (int c = 0; c < Classes; c++)
            {
                float score = 0;
                for (int f = 0; f < Features; f++)
                {
                    score += w[(c * Features) + f] * x[(n * Features) + f];
                }

                if (score > best)
                {
                    (best, y[n]) = (score, c);
                }
            }
        }

        return (x, y);
    }

    /// <summary>FC 8→16 ReLU → FC 16→4 → SOFTMAX, random weights.</summary>
    public static TfLiteModel Mlp(int seed = 3)
    {
        var random = new Random(seed);
        float[] R(int n, double scale) => Enumerable.Range(0, n).Select(_ => (float)(((random.NextDouble() * 2) - 1) * scale)).ToArray();
        var g = new GraphBuilder();
        int x = g.Input("x", 1, Features);
        int h = g.FullyConnected(x, R(16 * Features, 0.6), R(16, 0.1), 16, FusedActivation.Relu, "hidden");
        int logits = g.FullyConnected(h, R(Classes * 16, 0.4), R(Classes, 0.1), Classes, name: "logits");
        return g.Build("mlp", g.Softmax(logits));
    }

    /// <summary><see cref="Linear"/>'s samples and labels for <paramref name="model"/>.</summary>
    public static LabeledSamples LinearSamples(TfLiteModel model, int count, int seed)
    {
        var (x, y) = Linear(count, seed);
        return Samples(model, x, y);
    }

    public static LabeledSamples Samples(TfLiteModel model, float[] x, int[] y) =>
        new(SampleSet.FromArrays(InputSpec.Of(model), [("synthetic", NpyArray.FromFloats(x, [y.Length, Features]))]), y);
}
