using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NanoQuant.Format;
using NanoQuant.Host.Conversion;

namespace NanoQuant.Host.FloatReference;

/// <summary>Geometry shared by the spatial operators: NHWC input and output, filter, stride, dilation, padding.</summary>
internal readonly record struct Window(
    int Batches, int InputHeight, int InputWidth, int InputDepth,
    int OutputHeight, int OutputWidth, int OutputDepth,
    int FilterHeight, int FilterWidth, int StrideHeight, int StrideWidth,
    int DilationHeight, int DilationWidth, int PadTop, int PadLeft)
{
    public static Window Create(FloatOperatorContext context, int[] input, int[] output, int filterHeight, int filterWidth,
        byte padding, int strideWidth, int strideHeight, int dilationWidth, int dilationHeight)
    {
        if (padding is not (WindowPadding.Same or WindowPadding.Valid))
        {
            throw context.Unsupported($"padding {padding} is neither SAME nor VALID");
        }

        if (strideWidth < 1 || strideHeight < 1 || dilationWidth < 1 || dilationHeight < 1 || filterHeight < 1 || filterWidth < 1)
        {
            throw context.Unsupported($"stride ({strideHeight},{strideWidth}), dilation ({dilationHeight},{dilationWidth}) and filter ({filterHeight},{filterWidth}) must be positive");
        }

        if (input[0] != output[0])
        {
            throw context.Unsupported($"input batch {input[0]} differs from output batch {output[0]}");
        }

        long expectedHeight = WindowPadding.OutputSize(padding, input[1], filterHeight, strideHeight, dilationHeight);
        long expectedWidth = WindowPadding.OutputSize(padding, input[2], filterWidth, strideWidth, dilationWidth);
        if (output[1] != expectedHeight || output[2] != expectedWidth)
        {
            throw context.Unsupported($"output is {output[1]}×{output[2]}, the padding, strides and filter give {expectedHeight}×{expectedWidth}");
        }

        return new Window(input[0], input[1], input[2], input[3], output[1], output[2], output[3], filterHeight, filterWidth,
            strideHeight, strideWidth, dilationHeight, dilationWidth,
            (int)WindowPadding.Before(input[1], filterHeight, strideHeight, dilationHeight, output[1]),
            (int)WindowPadding.Before(input[2], filterWidth, strideWidth, dilationWidth, output[2]));
    }

    /// <summary>
    /// An undilated window's rows for output row <paramref name="oy"/>: its first input row <paramref name="inY0"/>
    /// (negative inside the padding) and the filter rows [<paramref name="start"/>, <paramref name="end"/>) inside the input.
    /// </summary>
    public void Rows(int oy, out int inY0, out int start, out int end)
    {
        inY0 = (oy * StrideHeight) - PadTop;
        start = Math.Max(0, -inY0);
        end = Math.Min(FilterHeight, InputHeight - inY0);
    }

    /// <summary>As <see cref="Rows"/>, for output column <paramref name="ox"/>.</summary>
    public void Columns(int ox, out int inX0, out int start, out int end)
    {
        inX0 = (ox * StrideWidth) - PadLeft;
        start = Math.Max(0, -inX0);
        end = Math.Min(FilterWidth, InputWidth - inX0);
    }

    /// <summary>
    /// The taps of output (<paramref name="oy"/>, <paramref name="ox"/>) of batch <paramref name="b"/> that fall inside
    /// the input, dilation included, in filter order: pairs (first element of the input pixel, NHWC with
    /// <see cref="InputDepth"/> channels; first element of the filter tap, with <see cref="OutputDepth"/> channels)
    /// written to <paramref name="taps"/> (room for 2 × filter height × width). Returns the ints written.
    /// </summary>
    public int ValidTaps(int b, int oy, int ox, Span<int> taps)
    {
        int inY0 = (oy * StrideHeight) - PadTop;
        int inX0 = (ox * StrideWidth) - PadLeft;
        int count = 0;
        for (int fy = 0; fy < FilterHeight; fy++)
        {
            int inY = inY0 + (fy * DilationHeight);
            if (inY < 0 || inY >= InputHeight)
            {
                continue;
            }

            for (int fx = 0; fx < FilterWidth; fx++)
            {
                int inX = inX0 + (fx * DilationWidth);
                if (inX < 0 || inX >= InputWidth)
                {
                    continue;
                }

                taps[count++] = (((b * InputHeight) + inY) * InputWidth + inX) * InputDepth;
                taps[count++] = ((fy * FilterWidth) + fx) * OutputDepth;
            }
        }

        return count;
    }
}

/// <summary>
/// A convolution's patches (im2col) for one output row, and the reverse: each output column's
/// filter-sized window of the NHWC input, [filter height, filter width, input depth], taps outside
/// the image as zeros.
/// </summary>
internal static class Patches
{
    /// <summary>Copies the patches of output row <paramref name="oy"/> of batch <paramref name="b"/> into <paramref name="patches"/> ([output width, patch]).</summary>
    public static void Gather(ReadOnlySpan<float> input, in Window w, int b, int oy, Span<float> patches)
    {
        int depth = w.FilterHeight * w.FilterWidth * w.InputDepth;
        int rowLength = w.FilterWidth * w.InputDepth;
        int inY0 = (oy * w.StrideHeight) - w.PadTop;
        for (int ox = 0; ox < w.OutputWidth; ox++)
        {
            var patch = patches.Slice(ox * depth, depth);
            int inX0 = (ox * w.StrideWidth) - w.PadLeft;
            bool inside = inX0 >= 0 && inX0 + ((w.FilterWidth - 1) * w.DilationWidth) < w.InputWidth;
            for (int fy = 0; fy < w.FilterHeight; fy++)
            {
                int inY = inY0 + (fy * w.DilationHeight);
                var row = patch.Slice(fy * rowLength, rowLength);
                if (inY < 0 || inY >= w.InputHeight)
                {
                    row.Clear();
                    continue;
                }

                int rowBase = ((b * w.InputHeight) + inY) * w.InputWidth;
                if (inside && w.DilationWidth == 1)
                {
                    input.Slice((rowBase + inX0) * w.InputDepth, rowLength).CopyTo(row);
                    continue;
                }

                for (int fx = 0; fx < w.FilterWidth; fx++)
                {
                    int inX = inX0 + (fx * w.DilationWidth);
                    var tap = row.Slice(fx * w.InputDepth, w.InputDepth);
                    if (inX < 0 || inX >= w.InputWidth)
                    {
                        tap.Clear();
                    }
                    else
                    {
                        input.Slice((rowBase + inX) * w.InputDepth, w.InputDepth).CopyTo(tap);
                    }
                }
            }
        }
    }

    /// <summary>The reverse of <see cref="Gather"/>: adds each patch's values back onto the input positions they came from (taps outside the image are dropped).</summary>
    public static void ScatterAdd(ReadOnlySpan<float> patches, in Window w, int b, int oy, Span<float> input)
    {
        int depth = w.FilterHeight * w.FilterWidth * w.InputDepth;
        int inY0 = (oy * w.StrideHeight) - w.PadTop;
        for (int ox = 0; ox < w.OutputWidth; ox++)
        {
            int inX0 = (ox * w.StrideWidth) - w.PadLeft;
            for (int fy = 0; fy < w.FilterHeight; fy++)
            {
                int inY = inY0 + (fy * w.DilationHeight);
                if (inY < 0 || inY >= w.InputHeight)
                {
                    continue;
                }

                int rowBase = ((b * w.InputHeight) + inY) * w.InputWidth;
                for (int fx = 0; fx < w.FilterWidth; fx++)
                {
                    int inX = inX0 + (fx * w.DilationWidth);
                    if (inX >= 0 && inX < w.InputWidth)
                    {
                        var tap = patches.Slice((ox * depth) + (((fy * w.FilterWidth) + fx) * w.InputDepth), w.InputDepth);
                        var target = input.Slice((rowBase + inX) * w.InputDepth, w.InputDepth);
                        System.Numerics.Tensors.TensorPrimitives.Add(target, tap, target);
                    }
                }
            }
        }
    }
}

/// <summary>
/// CONV_2D: each output row's patches are gathered (im2col, taps outside the image as zeros, which
/// add nothing) and multiplied by the packed filter; 1×1 stride-1 convolutions use the input as is.
/// </summary>
internal sealed class Conv2DOperator : FloatOperator
{
    private readonly int _input, _output;
    private readonly Window _w;
    private readonly PackedWeights _weights;
    private readonly float _min, _max;
    private readonly bool _direct;

    public Conv2DOperator(FloatOperatorContext context)
        : base(context.Op)
    {
        context.RequireCounts(2, 3, 1);
        var input = context.Float(0);
        var filter = context.Float(1);
        var output = context.FloatOutput();
        context.RequireRank(input, 4);
        context.RequireRank(filter, 4);
        context.RequireRank(output, 4);
        var options = context.Options;
        if (filter.Shape[3] != input.Shape[3])
        {
            throw context.Unsupported($"filter depth {filter.Shape[3]} differs from input depth {input.Shape[3]} (grouped convolutions are not supported)");
        }

        if (filter.Shape[0] != output.Shape[3])
        {
            throw context.Unsupported($"filter has {filter.Shape[0]} output channels, output has {output.Shape[3]}");
        }

        _w = Window.Create(context, input.Shape, output.Shape, filter.Shape[1], filter.Shape[2], options.GetByte(0),
            options.GetInt(1), options.GetInt(2), options.GetInt(4, 1), options.GetInt(5, 1));
        var bias = context.Optional(2) is null ? null : context.FloatConstant(2, "bias");
        if (bias is not null && bias.Length != _w.OutputDepth)
        {
            throw context.Unsupported($"bias has {bias.Length} values for {_w.OutputDepth} output channels");
        }

        int depth = _w.FilterHeight * _w.FilterWidth * _w.InputDepth;
        _weights = new PackedWeights(context.FloatConstant(1, "filter"), _w.OutputDepth, depth, bias);
        (_min, _max) = context.ActivationRange(options.GetActivation(3));
        _input = input.Index;
        _output = output.Index;
        _direct = _w is { FilterHeight: 1, FilterWidth: 1, StrideHeight: 1, StrideWidth: 1, PadTop: 0, PadLeft: 0 };
    }

    /// <summary>Input, output, filter, stride, dilation and padding.</summary>
    internal Window Geometry => _w;

    internal override int ScratchLength => _direct ? 0 : _w.OutputWidth * _weights.Depth;

    /// <summary>The fused activation's clamp bounds.</summary>
    internal (float Min, float Max) Range => (_min, _max);

    internal override void Invoke(FloatRun run)
    {
        var input = run.Values[_input];
        var output = run.Values[_output];
        var w = _w;
        if (_direct)
        {
            Gemm.Run(input, w.Batches * w.InputHeight * w.InputWidth, w.InputDepth, _weights, output, w.OutputDepth, _min, _max);
            return;
        }

        int depth = _weights.Depth;
        var patches = run.Scratch.AsSpan(0, w.OutputWidth * depth);
        for (int b = 0; b < w.Batches; b++)
        {
            for (int oy = 0; oy < w.OutputHeight; oy++)
            {
                Patches.Gather(input, w, b, oy, patches);
                int outBase = ((b * w.OutputHeight) + oy) * w.OutputWidth * w.OutputDepth;
                Gemm.Run(patches, w.OutputWidth, depth, _weights, output.AsSpan(outBase), w.OutputDepth, _min, _max);
            }
        }
    }
}

/// <summary>
/// DEPTHWISE_CONV_2D: vectorized across channels; each output sums its valid taps in filter order,
/// then adds the bias, as TFLite's reference kernel. Depth multipliers above 1 take a scalar path.
/// </summary>
internal sealed class DepthwiseConv2DOperator : FloatOperator
{
    private readonly int _input, _output;
    private readonly Window _w;
    private readonly int _multiplier;
    private readonly float[] _filter;
    private readonly float[] _bias;
    private readonly float _min, _max;

    /// <summary>Input, output, filter, stride, dilation and padding.</summary>
    internal Window Geometry => _w;

    /// <summary>The fused activation's clamp bounds.</summary>
    internal (float Min, float Max) Range => (_min, _max);

    public DepthwiseConv2DOperator(FloatOperatorContext context)
        : base(context.Op)
    {
        context.RequireCounts(2, 3, 1);
        var input = context.Float(0);
        var filter = context.Float(1);
        var output = context.FloatOutput();
        context.RequireRank(input, 4);
        context.RequireRank(filter, 4);
        context.RequireRank(output, 4);
        var options = context.Options;
        _w = Window.Create(context, input.Shape, output.Shape, filter.Shape[1], filter.Shape[2], options.GetByte(0),
            options.GetInt(1), options.GetInt(2), options.GetInt(5, 1), options.GetInt(6, 1));
        if (filter.Shape[0] != 1 || filter.Shape[3] != _w.OutputDepth || _w.OutputDepth % _w.InputDepth != 0)
        {
            throw context.Unsupported($"filter ({string.Join(",", filter.Shape)}) does not fit input depth {_w.InputDepth} and output depth {_w.OutputDepth}");
        }

        _multiplier = _w.OutputDepth / _w.InputDepth;
        int declared = options.GetInt(3);
        if (declared != 0 && declared != _multiplier)
        {
            throw context.Unsupported($"depth multiplier {declared} does not match input depth {_w.InputDepth} and output depth {_w.OutputDepth}");
        }

        _filter = context.FloatConstant(1, "filter");
        _bias = new float[_w.OutputDepth];
        if (context.Optional(2) is not null)
        {
            var bias = context.FloatConstant(2, "bias");
            if (bias.Length != _w.OutputDepth)
            {
                throw context.Unsupported($"bias has {bias.Length} values for {_w.OutputDepth} output channels");
            }

            bias.CopyTo(_bias, 0);
        }

        (_min, _max) = context.ActivationRange(options.GetActivation(4));
        _input = input.Index;
        _output = output.Index;
    }

    internal override void Invoke(FloatRun run)
    {
        var input = run.Values[_input];
        var output = run.Values[_output];
        if (_multiplier == 1)
        {
            InvokeVectorized(input, output);
        }
        else
        {
            InvokeScalar(input, output);
        }
    }

    private void InvokeVectorized(float[] input, float[] output)
    {
        var w = _w;
        int channels = w.OutputDepth;
        int width = Vector<float>.Count;
        int vectorEnd = channels - (channels % width);
        var low = new Vector<float>(_min);
        var high = new Vector<float>(_max);
        ref float inRef = ref MemoryMarshal.GetArrayDataReference(input);
        ref float filterRef = ref MemoryMarshal.GetArrayDataReference(_filter);
        ref float biasRef = ref MemoryMarshal.GetArrayDataReference(_bias);
        Span<int> taps = stackalloc int[w.FilterHeight * w.FilterWidth * 2];
        for (int b = 0; b < w.Batches; b++)
        {
            for (int oy = 0; oy < w.OutputHeight; oy++)
            {
                for (int ox = 0; ox < w.OutputWidth; ox++)
                {
                    // The valid taps of this output in filter order: (input offset, filter offset); input depth = output depth here.
                    int count = w.ValidTaps(b, oy, ox, taps);

                    int outBase = (((b * w.OutputHeight) + oy) * w.OutputWidth + ox) * channels;
                    int c = 0;
                    for (; c < vectorEnd; c += width)
                    {
                        Vector<float> sum = default;
                        for (int t = 0; t < count; t += 2)
                        {
                            sum += Vector.LoadUnsafe(ref inRef, (nuint)(taps[t] + c)) * Vector.LoadUnsafe(ref filterRef, (nuint)(taps[t + 1] + c));
                        }

                        var result = Vector.Min(Vector.Max(sum + Vector.LoadUnsafe(ref biasRef, (nuint)c), low), high);
                        result.CopyTo(output, outBase + c);
                    }

                    for (; c < channels; c++)
                    {
                        float sum = 0f;
                        for (int t = 0; t < count; t += 2)
                        {
                            sum += Unsafe.Add(ref inRef, taps[t] + c) * Unsafe.Add(ref filterRef, taps[t + 1] + c);
                        }

                        output[outBase + c] = Math.Min(Math.Max(sum + _bias[c], _min), _max);
                    }
                }
            }
        }
    }

    private void InvokeScalar(float[] input, float[] output)
    {
        var w = _w;
        for (int b = 0; b < w.Batches; b++)
        {
            for (int oy = 0; oy < w.OutputHeight; oy++)
            {
                for (int ox = 0; ox < w.OutputWidth; ox++)
                {
                    for (int ic = 0; ic < w.InputDepth; ic++)
                    {
                        for (int m = 0; m < _multiplier; m++)
                        {
                            int oc = (ic * _multiplier) + m;
                            int inX0 = (ox * w.StrideWidth) - w.PadLeft;
                            int inY0 = (oy * w.StrideHeight) - w.PadTop;
                            float sum = 0f;
                            for (int fy = 0; fy < w.FilterHeight; fy++)
                            {
                                for (int fx = 0; fx < w.FilterWidth; fx++)
                                {
                                    int inX = inX0 + (w.DilationWidth * fx);
                                    int inY = inY0 + (w.DilationHeight * fy);
                                    if (inX >= 0 && inX < w.InputWidth && inY >= 0 && inY < w.InputHeight)
                                    {
                                        sum += input[((((b * w.InputHeight) + inY) * w.InputWidth) + inX) * w.InputDepth + ic]
                                            * _filter[((fy * w.FilterWidth) + fx) * w.OutputDepth + oc];
                                    }
                                }
                            }

                            output[((((b * w.OutputHeight) + oy) * w.OutputWidth) + ox) * w.OutputDepth + oc] = Math.Min(Math.Max(sum + _bias[oc], _min), _max);
                        }
                    }
                }
            }
        }
    }
}

/// <summary>FULLY_CONNECTED: every row of the input (batches) times the packed weights.</summary>
internal sealed class FullyConnectedOperator : FloatOperator
{
    private readonly int _input, _output, _batches;
    private readonly PackedWeights _weights;
    private readonly float _min, _max;

    public FullyConnectedOperator(FloatOperatorContext context)
        : base(context.Op)
    {
        context.RequireCounts(2, 3, 1);
        var input = context.Float(0);
        var filter = context.Float(1);
        var output = context.FloatOutput();
        var options = context.Options;
        if (options.GetByte(1) != 0)
        {
            throw context.Unsupported("shuffled weights format is not supported");
        }

        context.RequireRank(filter, 2);
        int units = filter.Shape[0], depth = filter.Shape[1];
        if (depth == 0 || input.ElementCount % depth != 0)
        {
            throw context.Unsupported($"input {input} has {input.ElementCount} elements, not a multiple of the filter depth {depth}");
        }

        _batches = input.ElementCount / depth;
        if (output.ElementCount != _batches * units)
        {
            throw context.Unsupported($"output {output} has {output.ElementCount} elements, expected {_batches} × {units}");
        }

        var bias = context.Optional(2) is null ? null : context.FloatConstant(2, "bias");
        if (bias is not null && bias.Length != units)
        {
            throw context.Unsupported($"bias has {bias.Length} values for {units} units");
        }

        _weights = new PackedWeights(context.FloatConstant(1, "weights"), units, depth, bias);
        (_min, _max) = context.ActivationRange(options.GetActivation(0));
        _input = input.Index;
        _output = output.Index;
    }

    /// <summary>The fused activation's clamp bounds.</summary>
    internal (float Min, float Max) Range => (_min, _max);

    /// <summary>Rows of the input (each multiplied by the weights).</summary>
    internal int Batches => _batches;

    internal override void Invoke(FloatRun run) =>
        Gemm.Run(run.Values[_input], _batches, _weights.Depth, _weights, run.Values[_output], _weights.Outputs, _min, _max);
}
