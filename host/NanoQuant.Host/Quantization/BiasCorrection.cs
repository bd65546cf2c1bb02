using System.Buffers.Binary;
using NanoQuant.Host.FloatReference;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Quantization;

/// <summary>
/// Empirical bias correction (Nagel et al., "Data-Free Quantization Through Weight Equalization and Bias
/// Correction", 2019) for 16x8 models. Rounding the weights of an output channel to int8 moves them by
/// Δw = s·q − w, which shifts that channel's mean output by Σ Δw · E[x]; the bias takes the shift back:
/// Δbias = −round(Σ Δw · E[x] / bias scale), with E[x] the mean of each input channel the weight meets,
/// measured with the float model over the calibration data.
/// </summary>
/// <remarks>
/// With int16 activations the rounding of activations is some 48 dB finer than int8's, so what is left of
/// the error is the int8 weights: without correction a 16x8 model sits exactly at the float model with
/// int8-rounded weights, and the systematic part of that error — the mean shift, large for the 9-tap
/// channels of depthwise convolutions — is what this removes (figures in docs/quantization.md). It is not
/// applied to int8 models: there the activations' rounding dominates and the correction did not pay on
/// every model (ResNet-8: −1.2 dB on the calibration images against MSE ranges, with a first, padding-blind version). The means are taken per
/// filter tap over every output position, so a padded convolution's border taps count the zeros they meet.
/// </remarks>
public static class BiasCorrection
{
    /// <summary>How many calibration samples the input means are taken over (at most).</summary>
    public const int MaxSamples = 256;

    /// <summary>
    /// The model with the bias of every CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED corrected for its
    /// weights' rounding, and how many biases were corrected. An operator without a bias, or with a bias
    /// another operator shares, is left alone, and so is the layer that computes a model output.
    /// </summary>
    public static (QuantizedModel Model, int Corrected) Apply(FloatModel model, QuantizedModel quantized, SampleSet calibration)
    {
        var tensors = quantized.Model.Tensors.ToArray();
        var biasUses = quantized.Model.Operators.SelectMany(o => o.Inputs.Skip(2).Take(1)).Where(t => t >= 0)
            .GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count());
        var targets = new List<Target>();
        foreach (var op in quantized.Model.Operators)
        {
            if (op.Code is not (BuiltinOperator.Conv2d or BuiltinOperator.DepthwiseConv2d or BuiltinOperator.FullyConnected)
                || op.Inputs.Length < 3 || op.Inputs[2] < 0 || biasUses[op.Inputs[2]] > 1
                || tensors[op.Inputs[1]] is not { Type: TfLiteType.Int8, Data: not null, Quantization: not null } weights
                || tensors[op.Inputs[2]] is not { Type: TfLiteType.Int64 or TfLiteType.Int32, Data: not null, Quantization: not null } bias
                || model.Constants[weights.Index] is not { } floatWeights || floatWeights.Length != weights.Data.Length
                || model.WithWeights(op.Code, weights.Index) is not { } floatOp)
            {
                continue;
            }

            Window? window = floatOp switch
            {
                Conv2DOperator conv => conv.Geometry,
                DepthwiseConv2DOperator depthwise => depthwise.Geometry,
                _ => null,
            };
            int features = window is { } w ? w.FilterHeight * w.FilterWidth * w.InputDepth : weights.Shape[^1];
            if (bias.Quantization!.Scales.Length != bias.ElementCount || (window is null && model.Model.Tensors[floatOp.Source.Inputs[0]].ElementCount % features != 0))
            {
                continue;
            }

            targets.Add(new Target(op, floatOp.Source.Inputs[0], window, features));
        }

        // The output layer is left as TFLite writes it. Its bias is the model's output offset itself: a bias step there moves
        // every sample's output (a classifier's logits: its class priors) one for one, with nothing after it to average it
        // out, and the correction it would take is estimated from the mean over the calibration samples of that layer's
        // input — for a classifier, features that are specific to each class, so the mean is that of the calibration set's
        // class mix, not of the data the model meets. The hidden layers' corrections are what removes the accumulated
        // mean shift (docs/quantization.md).
        var outputLayers = OutputLayers(quantized.Model);
        targets.RemoveAll(t => outputLayers.Contains(t.Op.Index));

        var means = InputMeans(model, targets, calibration);
        int corrected = 0;
        for (int t = 0; t < targets.Count; t++)
        {
            var op = targets[t].Op;
            var weights = tensors[op.Inputs[1]];
            var bias = tensors[op.Inputs[2]];
            float[] floatWeights = model.Constants[weights.Index]!;
            var (q, wq, bq) = (weights.Data!, weights.Quantization!, bias.Quantization!);
            int outputs = bias.ElementCount;
            int last = weights.Shape[^1];
            int inner = weights.Shape[(wq.Dimension + 1)..].Aggregate(1, (a, b) => a * b);
            int inputDepth = targets[t].Window?.InputDepth ?? 1;
            var shift = new double[outputs];
            for (int e = 0; e < q.Length; e++)
            {
                int output, feature;
                if (op.Code == BuiltinOperator.DepthwiseConv2d)
                {
                    // [1, H, W, C·M]: tap e / (C·M), input channel (e % (C·M)) / M.
                    output = e % last;
                    feature = ((e / last) * inputDepth) + (output / (last / inputDepth));
                }
                else
                {
                    // CONV_2D [O, H, W, I] and FULLY_CONNECTED [O, I]: the element's place within its output's row is its tap and channel.
                    output = e / targets[t].Features;
                    feature = e % targets[t].Features;
                }

                float scale = wq.Scales[wq.Scales.Length == 1 ? 0 : (e / inner) % wq.Scales.Length];
                double delta = ((double)scale * unchecked((sbyte)q[e])) - floatWeights[e];
                shift[output % outputs] += delta * means[t][feature];
            }

            var data = (byte[])bias.Data!.Clone();
            for (int c = 0; c < outputs; c++)
            {
                long step = (long)Math.Round(shift[c] / bq.Scales[c], MidpointRounding.AwayFromZero);
                if (bias.Type == TfLiteType.Int64)
                {
                    long value = BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(c * 8));
                    BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(c * 8), value - step);
                }
                else
                {
                    long value = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(c * 4)) - step;
                    BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(c * 4), (int)Math.Clamp(value, int.MinValue, int.MaxValue));
                }
            }

            tensors[bias.Index] = bias with { Data = data };
            corrected++;
        }

        var result = new TfLiteModel
        {
            SchemaVersion = quantized.Model.SchemaVersion,
            Description = quantized.Model.Description,
            Tensors = tensors,
            Operators = quantized.Model.Operators,
            Inputs = quantized.Model.Inputs,
            Outputs = quantized.Model.Outputs,
            SubgraphCount = quantized.Model.SubgraphCount,
        };
        return (new QuantizedModel { Model = result, Int8Tensors = quantized.Int8Tensors }, corrected);
    }

    /// <summary>
    /// The operators that compute a model output, found by walking back from each output through operators that only
    /// reshape, normalize or (de)quantize it (RESHAPE, SQUEEZE, SOFTMAX, LOGISTIC, TANH, QUANTIZE, DEQUANTIZE).
    /// </summary>
    private static HashSet<int> OutputLayers(TfLiteModel model)
    {
        var producers = new Dictionary<int, TfLiteOperator>();
        foreach (var op in model.Operators)
        {
            foreach (int output in op.Outputs)
            {
                producers[output] = op;
            }
        }

        var layers = new HashSet<int>();
        foreach (int output in model.Outputs)
        {
            int tensor = output;
            while (producers.TryGetValue(tensor, out var op))
            {
                if (op.Code is BuiltinOperator.Conv2d or BuiltinOperator.DepthwiseConv2d or BuiltinOperator.FullyConnected)
                {
                    layers.Add(op.Index);
                    break;
                }

                if (op.Code is not (BuiltinOperator.Reshape or BuiltinOperator.Squeeze or BuiltinOperator.Softmax or BuiltinOperator.Logistic
                    or BuiltinOperator.Tanh or BuiltinOperator.Quantize or BuiltinOperator.Dequantize) || op.Inputs.Length == 0)
                {
                    break;
                }

                tensor = op.Inputs[0];
            }
        }

        return layers;
    }

    /// <param name="Window">The convolution's geometry; null for FULLY_CONNECTED.</param>
    /// <param name="Features">Inputs one output sums: filter height × width × input depth, or FULLY_CONNECTED's input size.</param>
    private sealed record Target(TfLiteOperator Op, int FloatInput, Window? Window, int Features);

    /// <summary>
    /// For each target, the mean input each weight meets over every output position and (up to <see cref="MaxSamples"/>)
    /// calibration samples: per filter tap and input channel for convolutions — a tap that falls in the padding meets
    /// 0 — and per input feature for FULLY_CONNECTED. Summed per sample, then in sample order (independent of threads).
    /// </summary>
    private static double[][] InputMeans(FloatModel model, List<Target> targets, SampleSet calibration)
    {
        int samples = Math.Min(calibration.SampleCount, MaxSamples);
        var totals = samples == 0 ? targets.Select(t => new double[t.Features]).ToArray()
            : SampleRuns.Sum(model, calibration, samples, run => targets.Select(t => Sum(t, run.Tensor(t.FloatInput))).ToArray());
        for (int t = 0; t < targets.Count; t++)
        {
            // Convolutions: per output position; FULLY_CONNECTED: per input row.
            double positions = targets[t].Window is { } w ? (double)w.Batches * w.OutputHeight * w.OutputWidth
                : model.Model.Tensors[targets[t].FloatInput].ElementCount / targets[t].Features;
            for (int f = 0; f < totals[t].Length; f++)
            {
                totals[t][f] /= positions * Math.Max(1, samples);
            }
        }

        return totals;
    }

    private static double[] Sum(Target target, ReadOnlySpan<float> input)
    {
        var sums = new double[target.Features];
        if (target.Window is not { } w)
        {
            for (int e = 0; e < input.Length; e++)
            {
                sums[e % sums.Length] += input[e];
            }

            return sums;
        }

        int depth = w.InputDepth;
        for (int b = 0; b < w.Batches; b++)
        {
            for (int oy = 0; oy < w.OutputHeight; oy++)
            {
                for (int ox = 0; ox < w.OutputWidth; ox++)
                {
                    for (int fy = 0; fy < w.FilterHeight; fy++)
                    {
                        int y = (oy * w.StrideHeight) - w.PadTop + (fy * w.DilationHeight);
                        if (y < 0 || y >= w.InputHeight)
                        {
                            continue;
                        }

                        for (int fx = 0; fx < w.FilterWidth; fx++)
                        {
                            int x = (ox * w.StrideWidth) - w.PadLeft + (fx * w.DilationWidth);
                            if (x < 0 || x >= w.InputWidth)
                            {
                                continue;
                            }

                            int from = (((b * w.InputHeight) + y) * w.InputWidth + x) * depth;
                            int to = ((fy * w.FilterWidth) + fx) * depth;
                            for (int c = 0; c < depth; c++)
                            {
                                sums[to + c] += input[from + c];
                            }
                        }
                    }
                }
            }
        }

        return sums;
    }
}
