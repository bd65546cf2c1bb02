namespace NanoQuant.Host.FloatReference;

/// <summary>
/// AVERAGE_POOL_2D and MAX_POOL_2D as TFLite's float reference kernels: the window clamped to the
/// image; the average divides the sum of the valid taps by their count.
/// </summary>
internal sealed class PoolOperator : FloatOperator
{
    private readonly int _input, _output;
    private readonly Window _w;
    private readonly bool _average;
    private readonly float _min, _max;

    public PoolOperator(FloatOperatorContext context, bool average)
        : base(context.Op)
    {
        context.RequireCounts(1, 1, 1);
        var input = context.Float(0);
        var output = context.FloatOutput();
        context.RequireRank(input, 4);
        context.RequireRank(output, 4);
        if (input.Shape[3] != output.Shape[3])
        {
            throw context.Unsupported($"input depth {input.Shape[3]} differs from output depth {output.Shape[3]}");
        }

        var options = context.Options;
        _w = Window.Create(context, input.Shape, output.Shape, options.GetInt(4), options.GetInt(3), options.GetByte(0),
            options.GetInt(1), options.GetInt(2), 1, 1);
        (_min, _max) = context.ActivationRange(options.GetActivation(5));
        _average = average;
        _input = input.Index;
        _output = output.Index;
    }

    /// <summary>Input, output, window, stride and padding.</summary>
    internal Window Geometry => _w;

    internal bool Average => _average;

    /// <summary>The fused activation's clamp bounds.</summary>
    internal (float Min, float Max) Range => (_min, _max);

    internal override void Invoke(FloatRun run)
    {
        var input = run.Values[_input];
        var output = run.Values[_output];
        var w = _w;
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
                    for (int c = 0; c < depth; c++)
                    {
                        float total = _average ? 0f : float.MinValue;
                        float count = 0;
                        for (int fy = yStart; fy < yEnd; fy++)
                        {
                            int rowBase = ((b * w.InputHeight) + inY0 + fy) * w.InputWidth;
                            for (int fx = xStart; fx < xEnd; fx++)
                            {
                                float v = input[((rowBase + inX0 + fx) * depth) + c];
                                if (_average)
                                {
                                    total += v;
                                    count++;
                                }
                                else
                                {
                                    total = Math.Max(total, v);
                                }
                            }
                        }

                        float result = _average ? (count == 0 ? 0f : total / count) : total;
                        output[outBase + c] = Math.Min(Math.Max(result, _min), _max);
                    }
                }
            }
        }
    }
}
