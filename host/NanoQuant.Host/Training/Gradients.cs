using System.Numerics.Tensors;
using NanoQuant.Host.FloatReference;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Training;

/// <summary>
/// What one sample's backward pass works with: the forward values each operator consumed (after
/// fake quantization), each operator output as computed before fake quantization, and a gradient
/// buffer per tensor (parameters' buffers accumulate over the samples of a step).
/// </summary>
internal sealed class BackwardState(float[][] values, float[][] raw, float[][] gradients, float[] scratch)
{
    /// <summary>Forward values as the next operator consumed them (constants: the weights the forward pass used).</summary>
    public float[][] Values { get; } = values;

    /// <summary>Each operator output as computed, before fake quantization (masks of clamps and ranges come from it).</summary>
    public float[][] Raw { get; } = raw;

    public float[][] Gradients { get; } = gradients;

    public float[] Scratch { get; } = scratch;
}

/// <summary>
/// Reverse-mode gradients of the float reference's operators. Each operator's forward arithmetic is
/// the float reference's own (<see cref="FloatOperator"/>, geometry from its <see cref="Window"/>,
/// convolution patches from <see cref="Patches"/>); this class adds only the derivatives: given the
/// gradient of an operator's output it adds the gradients of its inputs (activations and weights).
/// </summary>
internal static class Gradients
{
    /// <summary>The operators the trainer differentiates.</summary>
    public static readonly IReadOnlySet<BuiltinOperator> Supported = new HashSet<BuiltinOperator>
    {
        BuiltinOperator.Conv2d, BuiltinOperator.DepthwiseConv2d, BuiltinOperator.FullyConnected,
        BuiltinOperator.AveragePool2d, BuiltinOperator.MaxPool2d, BuiltinOperator.Add, BuiltinOperator.Sub, BuiltinOperator.Mul,
        BuiltinOperator.Relu, BuiltinOperator.Relu6, BuiltinOperator.LeakyRelu, BuiltinOperator.HardSwish, BuiltinOperator.Logistic, BuiltinOperator.Tanh,
        BuiltinOperator.Softmax, BuiltinOperator.Reshape, BuiltinOperator.Squeeze, BuiltinOperator.Mean, BuiltinOperator.Pad, BuiltinOperator.Padv2,
        BuiltinOperator.Concatenation,
    };

    /// <summary>Scratch floats <paramref name="op"/>'s backward pass needs.</summary>
    public static int ScratchLength(FloatOperator op) => op is Conv2DOperator conv
        ? 2 * conv.Geometry.OutputWidth * conv.Geometry.FilterHeight * conv.Geometry.FilterWidth * conv.Geometry.InputDepth
        : 0;

    /// <summary>Adds the gradients of <paramref name="op"/>'s inputs, given the gradient of its output (which is modified: clamped positions are zeroed).</summary>
    public static void Backward(FloatOperator op, BackwardState state)
    {
        var inputs = op.Source.Inputs;
        int output = op.Source.Outputs[0];
        var dy = state.Gradients[output];
        switch (op)
        {
            case Conv2DOperator conv:
                MaskClamped(dy, state.Raw[output], conv.Range);
                Conv2D(conv.Geometry, state.Values[inputs[0]], state.Values[inputs[1]], dy, state.Gradients[inputs[0]], state.Gradients[inputs[1]], Bias(op, state), state.Scratch);
                break;
            case DepthwiseConv2DOperator depthwise:
                MaskClamped(dy, state.Raw[output], depthwise.Range);
                Depthwise(depthwise.Geometry, state.Values[inputs[0]], state.Values[inputs[1]], dy, state.Gradients[inputs[0]], state.Gradients[inputs[1]], Bias(op, state));
                break;
            case FullyConnectedOperator fc:
                MaskClamped(dy, state.Raw[output], fc.Range);
                FullyConnected(fc.Batches, state.Values[inputs[0]], state.Values[inputs[1]], dy, state.Gradients[inputs[0]], state.Gradients[inputs[1]], Bias(op, state));
                break;
            case PoolOperator pool:
                MaskClamped(dy, state.Raw[output], pool.Range);
                Pool(pool.Geometry, pool.Average, state.Values[inputs[0]], dy, state.Gradients[inputs[0]]);
                break;
            case BinaryOperator binary:
                MaskClamped(dy, state.Raw[output], binary.Range);
                Binary(binary, state.Values[inputs[0]], state.Values[inputs[1]], dy, state.Gradients[inputs[0]], state.Gradients[inputs[1]]);
                break;
            case UnaryOperator unary:
                Unary(unary, state.Values[inputs[0]], state.Raw[output], dy, state.Gradients[inputs[0]]);
                break;
            case SoftmaxOperator softmax:
                Softmax(softmax.Depth, softmax.Beta, state.Raw[output], dy, state.Gradients[inputs[0]]);
                break;
            case CopyOperator:
                TensorPrimitives.Add(state.Gradients[inputs[0]], dy, state.Gradients[inputs[0]]);
                break;
            case ConcatenationOperator concatenation:
                Concatenation(concatenation.Layout.Outer, concatenation.Layout.Blocks, inputs.Select(i => state.Gradients[i]).ToArray(), dy);
                break;
            case PadOperator pad:
                Pad(pad.Layout.InShape, pad.Layout.OutShape, pad.Layout.Before, dy, state.Gradients[inputs[0]]);
                break;
            case MeanOperator mean:
                Mean(mean.Layout.InShape, mean.Layout.OutStrides, mean.Layout.Count, dy, state.Gradients[inputs[0]]);
                break;
            default:
                throw new InvalidOperationException($"{op.Source}: no gradient");
        }
    }

    private static float[]? Bias(FloatOperator op, BackwardState state) =>
        op.Source.Inputs.Length > 2 && op.Source.Inputs[2] >= 0 ? state.Gradients[op.Source.Inputs[2]] : null;

    /// <summary>Zeroes the gradient where a fused activation clamped the output (the clamp's derivative is 0 there).</summary>
    internal static void MaskClamped(Span<float> dy, ReadOnlySpan<float> output, (float Min, float Max) range)
    {
        if (range.Min == float.MinValue && range.Max == float.MaxValue)
        {
            return;
        }

        for (int i = 0; i < dy.Length; i++)
        {
            float v = output[i];
            if (!(v > range.Min && v < range.Max))
            {
                dy[i] = 0f;
            }
        }
    }

    /// <summary>CONV_2D: per output row, the patches (as the forward pass gathers them) give dW += dyᵀ·patches, and dx gets dy·W scattered back.</summary>
    private static void Conv2D(Window w, float[] x, float[] weights, float[] dy, float[] dx, float[] dw, float[]? db, float[] scratch)
    {
        int depth = w.FilterHeight * w.FilterWidth * w.InputDepth;
        int outputs = w.OutputDepth;
        var patches = scratch.AsSpan(0, w.OutputWidth * depth);
        var dPatches = scratch.AsSpan(w.OutputWidth * depth, w.OutputWidth * depth);
        for (int b = 0; b < w.Batches; b++)
        {
            for (int oy = 0; oy < w.OutputHeight; oy++)
            {
                Patches.Gather(x, w, b, oy, patches);
                dPatches.Clear();
                int rowBase = ((b * w.OutputHeight) + oy) * w.OutputWidth * outputs;
                bool any = false;
                for (int ox = 0; ox < w.OutputWidth; ox++)
                {
                    var patch = patches.Slice(ox * depth, depth);
                    var dPatch = dPatches.Slice(ox * depth, depth);
                    for (int o = 0; o < outputs; o++)
                    {
                        float g = dy[rowBase + (ox * outputs) + o];
                        if (g == 0f)
                        {
                            continue;
                        }

                        any = true;
                        if (db is not null)
                        {
                            db[o] += g;
                        }

                        var dwRow = dw.AsSpan(o * depth, depth);
                        TensorPrimitives.MultiplyAdd(patch, g, dwRow, dwRow);
                        TensorPrimitives.MultiplyAdd(weights.AsSpan(o * depth, depth), g, dPatch, dPatch);
                    }
                }

                if (any)
                {
                    Patches.ScatterAdd(dPatches, w, b, oy, dx);
                }
            }
        }
    }

    /// <summary>DEPTHWISE_CONV_2D: every valid tap of every output, as the forward pass visits them.</summary>
    private static void Depthwise(Window w, float[] x, float[] weights, float[] dy, float[] dx, float[] dw, float[]? db)
    {
        int multiplier = w.OutputDepth / w.InputDepth;
        var taps = new int[w.FilterHeight * w.FilterWidth * 2];
        for (int b = 0; b < w.Batches; b++)
        {
            for (int oy = 0; oy < w.OutputHeight; oy++)
            {
                for (int ox = 0; ox < w.OutputWidth; ox++)
                {
                    int outBase = (((b * w.OutputHeight) + oy) * w.OutputWidth + ox) * w.OutputDepth;
                    if (db is not null)
                    {
                        TensorPrimitives.Add(db, dy.AsSpan(outBase, w.OutputDepth), db);
                    }

                    int count = w.ValidTaps(b, oy, ox, taps);
                    for (int t = 0; t < count; t += 2)
                    {
                        int inBase = taps[t], filterBase = taps[t + 1];
                        for (int ic = 0; ic < w.InputDepth; ic++)
                        {
                            for (int m = 0; m < multiplier; m++)
                            {
                                int oc = (ic * multiplier) + m;
                                float g = dy[outBase + oc];
                                dw[filterBase + oc] += g * x[inBase + ic];
                                dx[inBase + ic] += g * weights[filterBase + oc];
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>FULLY_CONNECTED: y[r] = W·x[r] + b for every row r.</summary>
    private static void FullyConnected(int rows, float[] x, float[] weights, float[] dy, float[] dx, float[] dw, float[]? db)
    {
        int units = dy.Length / rows;
        int depth = x.Length / rows;
        for (int r = 0; r < rows; r++)
        {
            var xRow = x.AsSpan(r * depth, depth);
            var dxRow = dx.AsSpan(r * depth, depth);
            for (int o = 0; o < units; o++)
            {
                float g = dy[(r * units) + o];
                if (g == 0f)
                {
                    continue;
                }

                if (db is not null)
                {
                    db[o] += g;
                }

                var dwRow = dw.AsSpan(o * depth, depth);
                TensorPrimitives.MultiplyAdd(xRow, g, dwRow, dwRow);
                TensorPrimitives.MultiplyAdd(weights.AsSpan(o * depth, depth), g, dxRow, dxRow);
            }
        }
    }

    /// <summary>AVERAGE_POOL_2D spreads each output's gradient over its valid taps; MAX_POOL_2D gives it to the first tap holding the maximum (the one the forward pass kept).</summary>
    private static void Pool(Window w, bool average, float[] x, float[] dy, float[] dx)
    {
        int depth = w.InputDepth;
        for (int b = 0; b < w.Batches; b++)
        {
            for (int oy = 0; oy < w.OutputHeight; oy++)
            {
                w.Rows(oy, out int inY0, out int yStart, out int yEnd);
                for (int ox = 0; ox < w.OutputWidth; ox++)
                {
                    w.Columns(ox, out int inX0, out int xStart, out int xEnd);
                    int outBase = ((((b * w.OutputHeight) + oy) * w.OutputWidth) + ox) * depth;
                    int count = Math.Max(yEnd - yStart, 0) * Math.Max(xEnd - xStart, 0);
                    for (int c = 0; c < depth; c++)
                    {
                        float g = dy[outBase + c];
                        if (g == 0f || count == 0)
                        {
                            continue;
                        }

                        int best = -1;
                        float bestValue = float.MinValue;
                        for (int fy = yStart; fy < yEnd; fy++)
                        {
                            int rowBase = ((b * w.InputHeight) + inY0 + fy) * w.InputWidth;
                            for (int fx = xStart; fx < xEnd; fx++)
                            {
                                int i = ((rowBase + inX0 + fx) * depth) + c;
                                if (average)
                                {
                                    dx[i] += g / count;
                                }
                                else if (best < 0 || x[i] > bestValue)
                                {
                                    best = i;
                                    bestValue = x[i];
                                }
                            }
                        }

                        if (!average)
                        {
                            dx[best] += g;
                        }
                    }
                }
            }
        }
    }

    /// <summary>ADD, SUB, MUL with broadcasting: each input's gradient summed over the dimensions it was broadcast along.</summary>
    private static void Binary(BinaryOperator op, float[] a, float[] b, float[] dy, float[] da, float[] db)
    {
        var (shape, aStrides, bStrides) = op.Broadcast;
        int rank = shape.Length;
        var index = new int[rank];
        for (int position = 0; position < dy.Length; position++)
        {
            int ai = 0, bi = 0;
            for (int d = 0; d < rank; d++)
            {
                ai += index[d] * aStrides[d];
                bi += index[d] * bStrides[d];
            }

            float g = dy[position];
            switch (op.Kind)
            {
                case BinaryKind.Add:
                    da[ai] += g;
                    db[bi] += g;
                    break;
                case BinaryKind.Sub:
                    da[ai] += g;
                    db[bi] -= g;
                    break;
                default:
                    float av = a[ai], bv = b[bi];
                    da[ai] += g * bv;
                    db[bi] += g * av;
                    break;
            }

            for (int d = rank - 1; d >= 0; d--)
            {
                if (++index[d] < shape[d])
                {
                    break;
                }

                index[d] = 0;
            }
        }
    }

    private static void Unary(UnaryOperator op, float[] x, float[] y, float[] dy, float[] dx)
    {
        for (int i = 0; i < dy.Length; i++)
        {
            float v = x[i];
            float derivative = op.Kind switch
            {
                UnaryKind.Relu => v > 0 ? 1f : 0f,
                UnaryKind.Relu6 => v > 0 && v < 6 ? 1f : 0f,
                UnaryKind.LeakyRelu => v > 0 ? 1f : op.Alpha,
                UnaryKind.HardSwish => v <= -3 ? 0f : v >= 3 ? 1f : ((2 * v) + 3) / 6f,
                UnaryKind.Logistic => y[i] * (1 - y[i]),
                _ => 1 - (y[i] * y[i]),
            };
            dx[i] += dy[i] * derivative;
        }
    }

    /// <summary>SOFTMAX: dx = β·y·(dy − Σ dy·y) over each softmax.</summary>
    internal static void Softmax(int depth, float beta, float[] y, float[] dy, float[] dx)
    {
        for (int start = 0; start + depth <= y.Length; start += depth)
        {
            float dot = TensorPrimitives.Dot(y.AsSpan(start, depth), dy.AsSpan(start, depth));
            for (int c = start; c < start + depth; c++)
            {
                dx[c] += beta * y[c] * (dy[c] - dot);
            }
        }
    }

    private static void Concatenation(int outer, int[] blocks, float[][] dx, float[] dy)
    {
        int position = 0;
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < blocks.Length; i++)
            {
                var target = dx[i].AsSpan(o * blocks[i], blocks[i]);
                TensorPrimitives.Add(target, dy.AsSpan(position, blocks[i]), target);
                position += blocks[i];
            }
        }
    }

    /// <summary>PAD: each input row's gradient is the output row it was copied to.</summary>
    private static void Pad(int[] inShape, int[] outShape, int[] before, float[] dy, float[] dx)
    {
        int rank = inShape.Length;
        if (rank == 0)
        {
            dx[0] += dy[0];
            return;
        }

        int inner = inShape[rank - 1];
        var index = new int[rank];
        for (int start = 0; start < dx.Length; start += inner)
        {
            int offset = 0;
            for (int d = 0; d < rank; d++)
            {
                offset = (offset * outShape[d]) + index[d] + before[d];
            }

            var target = dx.AsSpan(start, inner);
            TensorPrimitives.Add(target, dy.AsSpan(offset, inner), target);
            for (int d = rank - 2; d >= 0; d--)
            {
                if (++index[d] < inShape[d])
                {
                    break;
                }

                index[d] = 0;
            }
        }
    }

    private static void Mean(int[] inShape, int[] outStrides, float count, float[] dy, float[] dx)
    {
        int rank = inShape.Length;
        var index = new int[rank];
        for (int i = 0; i < dx.Length; i++)
        {
            int o = 0;
            for (int d = 0; d < rank; d++)
            {
                o += index[d] * outStrides[d];
            }

            dx[i] += dy[o] / count;
            for (int d = rank - 1; d >= 0; d--)
            {
                if (++index[d] < inShape[d])
                {
                    break;
                }

                index[d] = 0;
            }
        }
    }
}
