using System.Buffers.Binary;
using NanoQuant.Host.Npy;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Samples;

/// <summary>The files of the sine demo: a float model, its calibration data and inputs to try.</summary>
public sealed record SineSampleFiles(byte[] Model, NpyArray Calibration, NpyArray Input, double TrainingLoss);

/// <summary>
/// The project's own demo model, made from scratch: a sine-regression MLP 1 → 16 → 16 → 1 with
/// ReLU (like TensorFlow Lite Micro's hello_world), trained deterministically — seeded
/// initialization, full-batch Adam in double precision on one thread, basic IEEE operations only —
/// and written as a float .tflite with <see cref="TfLiteWriter"/>. Same seed, same bytes, on any platform.
/// </summary>
public static class SineSample
{
    private const int Hidden = 16;
    private const int TrainingPoints = 1000;

    public static SineSampleFiles Create(int seed = 1, int epochs = 2000)
    {
        var random = new Random(seed);
        var x = new double[TrainingPoints];
        var y = new double[TrainingPoints];
        for (int i = 0; i < TrainingPoints; i++)
        {
            x[i] = 2 * Math.PI * random.NextDouble();
            y[i] = Sine(x[i]);
        }

        var net = new Mlp(random);
        double loss = net.Train(x, y, epochs);

        var calibration = Uniform(500, new Random(seed + 1));
        var input = new float[8];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = (float)(2 * Math.PI * (i + 0.5) / input.Length);
        }

        return new SineSampleFiles(TfLiteWriter.Write(net.ToModel()), NpyArray.FromFloats(calibration, [calibration.Length, 1]), NpyArray.FromFloats(input, [input.Length, 1]), loss);
    }

    /// <summary>
    /// sin(x) from basic IEEE operations only (range reduction to [−π, π], then the Taylor series to
    /// x²⁷, which is below double rounding there), so the training data — and the trained model — are
    /// the same bytes on every platform, whatever its C library's sin.
    /// </summary>
    internal static double Sine(double x)
    {
        double reduced = x - (2 * Math.PI * Math.Floor((x + Math.PI) / (2 * Math.PI)));
        double square = reduced * reduced;
        double term = reduced, sum = reduced;
        for (int n = 1; n <= 13; n++)
        {
            term = -term * square / ((2 * n) * ((2 * n) + 1));
            sum += term;
        }

        return sum;
    }

    private static float[] Uniform(int count, Random random)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)(2 * Math.PI * random.NextDouble());
        }

        return values;
    }

    /// <summary>y = W3 relu(W2 relu(W1 x + b1) + b2) + b3.</summary>
    private sealed class Mlp
    {
        private readonly double[][] _w = new double[3][];
        private readonly double[][] _b = new double[3][];
        private readonly int[] _in = [1, Hidden, Hidden];
        private readonly int[] _out = [Hidden, Hidden, 1];

        public Mlp(Random random)
        {
            for (int l = 0; l < 3; l++)
            {
                // Glorot-uniform weights; the first layer's kinks (where w·x + b = 0) spread over [0, 2π].
                double limit = Math.Sqrt(6.0 / (_in[l] + _out[l]));
                _w[l] = new double[_out[l] * _in[l]];
                _b[l] = new double[_out[l]];
                for (int i = 0; i < _w[l].Length; i++)
                {
                    _w[l][i] = ((2 * random.NextDouble()) - 1) * limit;
                }

                for (int o = 0; o < _out[l]; o++)
                {
                    _b[l][o] = l == 0 ? -_w[l][o] * 2 * Math.PI * random.NextDouble() : l == 1 ? 0.01 : 0;
                }
            }
        }

        /// <summary>Full-batch Adam on the mean squared error; returns the final loss.</summary>
        public double Train(double[] x, double[] y, int epochs)
        {
            const double rate = 0.005, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
            var parameters = _w.Concat(_b).ToArray();
            var gradients = parameters.Select(p => new double[p.Length]).ToArray();
            var m = parameters.Select(p => new double[p.Length]).ToArray();
            var v = parameters.Select(p => new double[p.Length]).ToArray();
            var activations = new[] { new double[1], new double[Hidden], new double[Hidden], new double[1] };
            var deltas = new[] { new double[Hidden], new double[Hidden], new double[1] };
            double loss = 0, power1 = 1, power2 = 1;
            for (int epoch = 1; epoch <= epochs; epoch++)
            {
                foreach (var g in gradients)
                {
                    Array.Clear(g);
                }

                loss = 0;
                for (int n = 0; n < x.Length; n++)
                {
                    activations[0][0] = x[n];
                    for (int l = 0; l < 3; l++)
                    {
                        Layer(l, activations[l], activations[l + 1], relu: l < 2);
                    }

                    double error = activations[3][0] - y[n];
                    loss += error * error;
                    deltas[2][0] = 2 * error / x.Length;
                    for (int l = 2; l >= 0; l--)
                    {
                        var gw = gradients[l];
                        var gb = gradients[3 + l];
                        for (int o = 0; o < _out[l]; o++)
                        {
                            gb[o] += deltas[l][o];
                            for (int i = 0; i < _in[l]; i++)
                            {
                                gw[(o * _in[l]) + i] += deltas[l][o] * activations[l][i];
                            }
                        }

                        if (l > 0)
                        {
                            for (int i = 0; i < _in[l]; i++)
                            {
                                double sum = 0;
                                for (int o = 0; o < _out[l]; o++)
                                {
                                    sum += _w[l][(o * _in[l]) + i] * deltas[l][o];
                                }

                                deltas[l - 1][i] = activations[l][i] > 0 ? sum : 0;
                            }
                        }
                    }
                }

                loss /= x.Length;
                power1 *= beta1;
                power2 *= beta2;
                double correction1 = 1 - power1, correction2 = 1 - power2;
                for (int p = 0; p < parameters.Length; p++)
                {
                    for (int i = 0; i < parameters[p].Length; i++)
                    {
                        double g = gradients[p][i];
                        m[p][i] = (beta1 * m[p][i]) + ((1 - beta1) * g);
                        v[p][i] = (beta2 * v[p][i]) + ((1 - beta2) * g * g);
                        parameters[p][i] -= rate * (m[p][i] / correction1) / (Math.Sqrt(v[p][i] / correction2) + epsilon);
                    }
                }
            }

            return loss;
        }

        private void Layer(int l, double[] input, double[] output, bool relu)
        {
            for (int o = 0; o < _out[l]; o++)
            {
                double sum = _b[l][o];
                for (int i = 0; i < _in[l]; i++)
                {
                    sum += _w[l][(o * _in[l]) + i] * input[i];
                }

                output[o] = relu ? Math.Max(sum, 0) : sum;
            }
        }

        /// <summary>The network as a float TFLite model: three FULLY_CONNECTED operators (ReLU fused into the first two).</summary>
        public TfLiteModel ToModel()
        {
            var tensors = new List<TfLiteTensor>
            {
                new(0, "x", TfLiteType.Float32, [1, 1], null, null, false),
            };
            var operators = new List<TfLiteOperator>();
            int previous = 0;
            for (int l = 0; l < 3; l++)
            {
                int weights = tensors.Count;
                tensors.Add(new TfLiteTensor(weights, $"dense_{l}/weights", TfLiteType.Float32, [_out[l], _in[l]], Floats(_w[l]), null, false));
                tensors.Add(new TfLiteTensor(weights + 1, $"dense_{l}/bias", TfLiteType.Float32, [_out[l]], Floats(_b[l]), null, false));
                int output = weights + 2;
                tensors.Add(new TfLiteTensor(output, l == 2 ? "y" : $"dense_{l}/relu", TfLiteType.Float32, [1, _out[l]], null, null, false));
                byte activation = l < 2 ? (byte)1 : (byte)0;
                var options = TfLiteTable.Build(b =>
                {
                    b.StartTable(1);
                    b.AddByte(0, activation, 0);   // FullyConnectedOptions.fused_activation_function: RELU, NONE
                    return b.EndTable();
                });
                operators.Add(new TfLiteOperator(l, BuiltinOperator.FullyConnected, 1, null, [previous, weights, weights + 1], [output], 8, options));
                previous = output;
            }

            return new TfLiteModel
            {
                SchemaVersion = 3,
                Description = "nanoQuant sine demo: MLP 1-16-16-1 trained to y = sin(x) on [0, 2π]",
                Tensors = tensors,
                Operators = operators,
                Inputs = [0],
                Outputs = [previous],
                SubgraphCount = 1,
            };
        }

        private static byte[] Floats(double[] values)
        {
            var bytes = new byte[values.Length * 4];
            for (int i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), (float)values[i]);
            }

            return bytes;
        }
    }
}
