using NanoQuant.Host.Benchmarks;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.DeviceModels;
using NanoQuant.Host.Evaluation;
using NanoQuant.Host.Quantization;
using NanoQuant.Host.Npy;
using NanoQuant.Host.TfLite;
using NanoQuant.Host.Training;
using Xunit.Abstractions;

namespace NanoQuant.Tests.Quantization;

/// <summary>
/// `--cluster-method gptq`: GPTQ-style error feedback assigns each weight to one of k-means's table values so that the
/// layer's output error Σₓ ‖(W − Ŵ) x‖² over the calibration inputs is at most k-means's (less where inputs are correlated);
/// every weight stays a table value, and the palette model is lossless (the same outputs as its plain int8 twin).
/// </summary>
public class ErrorFeedbackClusteringTests(ITestOutputHelper log)
{
    private const int CalibrationSamples = 200;

    [Fact]
    public void Layers_with_more_inputs_than_MaxFeatures_are_not_measured_and_keep_the_kmeans_assignment()
    {
        // FC (MaxFeatures + 1) → 8, ReLU, then FC 8 → 4: only the second gets an H (WeightClustering.Apply keeps k-means's
        // assignment for an operator without one).
        int wide = InputCorrelation.MaxFeatures + 1;
        var random = new Random(7);
        float[] R(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var g = new GraphBuilder();
        int x = g.Input("x", 1, wide);
        int h = g.FullyConnected(x, R(8 * wide), R(8), 8, FusedActivation.Relu, "wide");
        int y = g.FullyConnected(h, R(4 * 8), R(4), 4, name: "narrow");
        var model = PostTrainingQuantizer.Prepare(g.Build("wide", y));
        var calibration = SampleSet.FromArrays(InputSpec.Of(model.Model), [("x", NpyArray.FromFloats(R(16 * wide), [16, wide]))]);
        var plain = PostTrainingQuantizer.Run(model, calibration, new CalibrationOptions(CalibrationMethod.MinMax), new QuantizerOptions());
        var operators = plain.Quantized.Model.Operators.Select(o => o.Index).ToHashSet();

        var correlations = InputCorrelation.Measure(model, plain.Quantized, calibration, operators);

        Assert.Equal(2, operators.Count);
        var measured = Assert.Single(correlations);
        Assert.Equal(8, measured.Value.Features);
        Assert.Equal(1, measured.Value.Groups);
        Assert.True(measured.Value.Matrices.Any(v => v != 0), "the narrow layer's H is all zero");
    }

    [Fact]
    public void Inverse_factor_is_the_upper_cholesky_factor_of_the_damped_inverse()
    {
        // A rank-deficient H (3 samples of 5 inputs: singular until damped) and an all-zero one (λ = 1: U = I).
        const int N = 5;
        var random = new Random(5);
        var h = new double[N * N];
        for (int s = 0; s < 3; s++)
        {
            var x = Enumerable.Range(0, N).Select(_ => random.NextDouble() - 0.5).ToArray();
            for (int i = 0; i < N; i++)
            {
                for (int j = 0; j < N; j++)
                {
                    h[(i * N) + j] += x[i] * x[j];
                }
            }
        }

        double lambda = ErrorFeedbackAssignment.Damping * Enumerable.Range(0, N).Sum(i => h[(i * N) + i]) / N;
        var u = ErrorFeedbackAssignment.InverseFactor(h, N);
        for (int i = 0; i < N; i++)
        {
            for (int j = 0; j < i; j++)
            {
                Assert.Equal(0, u[(i * N) + j]);
            }
        }

        // (H + λI) · Uᵀ U = I.
        for (int i = 0; i < N; i++)
        {
            for (int j = 0; j < N; j++)
            {
                double sum = 0;
                for (int k = 0; k < N; k++)
                {
                    double inverse = 0;
                    for (int m = 0; m < N; m++)
                    {
                        inverse += u[(m * N) + k] * u[(m * N) + j];
                    }

                    sum += (h[(i * N) + k] + (i == k ? lambda : 0)) * inverse;
                }

                Assert.Equal(i == j ? 1 : 0, sum, 9);
            }
        }

        var identity = ErrorFeedbackAssignment.InverseFactor(new double[N * N], N);
        Assert.Equal(Enumerable.Range(0, N * N).Select(e => e % (N + 1) == 0 ? 1.0 : 0.0), identity);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Error_feedback_output_error_is_at_most_kmeans_and_less_on_correlated_inputs(bool correlated)
    {
        const int Channels = 6, Inputs = 24, Samples = 500, Clusters = 4;
        var random = new Random(11);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

        // Correlated: an AR(1) walk along the inputs (neighbouring taps move together, as a 3×3 window's pixels do).
        // Uncorrelated: each sample excites one input alone, so H = Σ x xᵀ is exactly diagonal.
        var x = new double[Samples * Inputs];
        for (int s = 0; s < Samples; s++)
        {
            if (!correlated)
            {
                x[(s * Inputs) + (s % Inputs)] = 0.5 + random.NextDouble();
                continue;
            }

            double previous = Gaussian();
            for (int i = 0; i < Inputs; i++)
            {
                previous = (0.9 * previous) + (0.45 * Gaussian());
                x[(s * Inputs) + i] = previous;
            }
        }

        var h = new double[Inputs * Inputs];
        for (int s = 0; s < Samples; s++)
        {
            for (int i = 0; i < Inputs; i++)
            {
                for (int j = 0; j < Inputs; j++)
                {
                    h[(i * Inputs) + j] += x[(s * Inputs) + i] * x[(s * Inputs) + j];
                }
            }
        }

        var weights = Enumerable.Range(0, Channels * Inputs).Select(_ => (int)Math.Clamp(Math.Round(40 * Gaussian()), -127, 127)).ToArray();
        int[] shape = [Channels, Inputs];
        var importance = Enumerable.Range(0, weights.Length).Select(e => h[((e % Inputs) * Inputs) + (e % Inputs)] / Samples).ToArray();
        var kmeans = WeightClustering.ClusterChannels(weights, shape, 0, Clusters, importance);
        var gptq = ErrorFeedbackAssignment.Assign(weights, shape, 0, kmeans, sharedTable: false, new InputCorrelation(Inputs, 1, h));

        // Every weight takes one of its channel's k-means values.
        for (int c = 0; c < Channels; c++)
        {
            var table = kmeans.Skip(c * Inputs).Take(Inputs).ToHashSet();
            Assert.All(gptq.Skip(c * Inputs).Take(Inputs), v => Assert.Contains(v, table));
        }

        // The output error, summed sample by sample (not through H).
        double Error(int[] clustered)
        {
            double total = 0;
            for (int s = 0; s < Samples; s++)
            {
                for (int c = 0; c < Channels; c++)
                {
                    double d = 0;
                    for (int i = 0; i < Inputs; i++)
                    {
                        d += (weights[(c * Inputs) + i] - clustered[(c * Inputs) + i]) * x[(s * Inputs) + i];
                    }

                    total += d * d;
                }
            }

            return total;
        }

        double kmeansError = Error(kmeans), gptqError = Error(gptq);
        log.WriteLine($"{(correlated ? "correlated" : "uncorrelated")} inputs: output error k-means {kmeansError:F1}, gptq {gptqError:F1} ({gptqError / kmeansError:F3}×)");
        Assert.True(gptqError <= kmeansError * (1 + 1e-12), $"gptq {gptqError} against k-means {kmeansError}");
        if (correlated)
        {
            Assert.True(gptqError < 0.8 * kmeansError, $"gptq {gptqError} against k-means {kmeansError}: error feedback should pay on correlated inputs");
        }
    }

    /// <summary>
    /// On ResNet-8 (CONV_2D, shared and per-channel tables, FULLY_CONNECTED) and KWS (DEPTHWISE_CONV_2D too): every clustered
    /// layer's weights stay within k-means's tables, each layer's output error over the calibration inputs is at most
    /// k-means's, and the gptq palette model gives its plain int8 twin's outputs exactly.
    /// </summary>
    [Theory]
    [InlineData("pretrainedResnet_float", CalibrationMethod.Mse)]
    [InlineData("kws_ref_model_float32", CalibrationMethod.MinMax)]
    public void Gptq_keeps_kmeans_tables_lowers_every_layers_output_error_and_its_palettes_are_lossless(string name, CalibrationMethod method)
    {
        var model = PostTrainingQuantizer.Prepare(TfLiteReader.ReadFile(SharedResources.ModelPath(name)));
        var calibration = ReferenceDatasets.Load(name, model.Model, SharedResources.Root, 0, CalibrationSamples);
        var options = new CalibrationOptions(method);
        var plain = PostTrainingQuantizer.Run(model, calibration, options, new QuantizerOptions());
        var kmeans = PostTrainingQuantizer.Run(model, calibration, options, new QuantizerOptions { Clusters = 16, ClusterMethod = ClusteringMethod.KMeans });
        var gptq = PostTrainingQuantizer.Run(model, calibration, options, new QuantizerOptions { Clusters = 16, ClusterMethod = ClusteringMethod.Gptq });

        var planned = WeightClustering.Plan(plain.Quantized.Model, 16, false, t => t.Type == TfLiteType.Int8 && t.Data is not null);
        var correlations = InputCorrelation.Measure(model, plain.Quantized, calibration, planned.Select(p => p.Operator.Index).ToHashSet());
        Assert.Equal(planned.Count, correlations.Count);
        Assert.Contains(planned, p => p.SharedTable);
        bool depthwise = false;
        foreach (var (op, tensor, axis, shared) in planned)
        {
            var original = Values(plain, tensor);
            var k = Values(kmeans, tensor);
            var g = Values(gptq, tensor);
            var shape = plain.Quantized.Model.Tensors[tensor].Shape;
            var scales = plain.Quantized.Model.Tensors[tensor].Quantization!.Scales;
            int channels = shape[axis], inner = shape[(axis + 1)..].Aggregate(1, (a, b) => a * b);
            var correlation = correlations[op.Index];
            depthwise |= op.Code == BuiltinOperator.DepthwiseConv2d;

            // A channel's weights, in the order of its im2col row: CONV_2D/FC [O, …] contiguous; depthwise [1, H, W, C] tap by tap.
            int[] Row(int c) => Enumerable.Range(0, original.Length / channels).Select(j => axis == 0 ? (c * inner) + j : (j * channels) + c).ToArray();

            double kmeansError = 0, gptqError = 0;
            for (int c = 0; c < channels; c++)
            {
                var row = Row(c);
                var table = (shared ? k : row.Select(e => k[e])).ToHashSet();
                Assert.All(row, e => Assert.Contains(g[e], table));
                int n = row.Length, group = c / (channels / correlation.Groups);
                var h = correlation.Matrices.AsSpan(group * n * n, n * n);
                double scale = scales[scales.Length == 1 ? 0 : c];
                kmeansError += scale * scale * ErrorFeedbackAssignment.OutputError(row.Select(e => (double)(k[e] - original[e])).ToArray(), h);
                gptqError += scale * scale * ErrorFeedbackAssignment.OutputError(row.Select(e => (double)(g[e] - original[e])).ToArray(), h);
            }

            log.WriteLine($"{name} {op} ({(shared ? "one table" : "per channel")}): output error gptq/k-means {gptqError / kmeansError:F3}");
            Assert.True(gptqError <= kmeansError, $"{op}: gptq {gptqError} against k-means {kmeansError}");
        }

        Assert.Equal(name.StartsWith("kws", StringComparison.Ordinal), depthwise);
        Assert.Contains(gptq.Conversion.Model.Tensors, t => t.Palette is { Bits: 4 });
        var twin = Converter.Convert(gptq.Quantized.Model, PaletteMode.Off, compactConstants: true);
        var samples = calibration.Slice(0, 16);
        var expected = BatchRunner.RunDevice(twin.Bytes, samples);
        var actual = BatchRunner.RunDevice(gptq.Conversion.Bytes, samples);
        Assert.Equal(expected.Length, actual.Length);
        for (int o = 0; o < expected.Length; o++)
        {
            Assert.Equal(expected[o], actual[o]);
        }
    }

    private static int[] Values(PostTrainingResult result, int tensor) =>
        result.Quantized.Model.Tensors[tensor].Data!.Select(b => (int)unchecked((sbyte)b)).ToArray();
}
