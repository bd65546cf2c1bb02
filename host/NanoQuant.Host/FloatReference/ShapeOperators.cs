namespace NanoQuant.Host.FloatReference;

/// <summary>RESHAPE and SQUEEZE: the data is unchanged, only the shape differs.</summary>
internal sealed class CopyOperator : FloatOperator
{
    private readonly int _input, _output;

    public CopyOperator(FloatOperatorContext context)
        : base(context.Op)
    {
        context.RequireCounts(1, 2, 1);
        var input = context.Float(0);
        var output = context.FloatOutput();
        context.RequireSameCount(input, output);
        _input = input.Index;
        _output = output.Index;
    }

    internal override void Invoke(FloatRun run) => run.Values[_input].CopyTo(run.Values[_output], 0);
}

/// <summary>CONCATENATION along one axis.</summary>
internal sealed class ConcatenationOperator : FloatOperator
{
    private readonly int[] _inputs;
    private readonly int[] _blocks;
    private readonly int _output, _outer;

    public ConcatenationOperator(FloatOperatorContext context)
        : base(context.Op)
    {
        if (context.Op.Inputs.Length < 1 || context.Op.Outputs.Length != 1)
        {
            throw context.Unsupported("needs at least one input and one output");
        }

        var output = context.FloatOutput();
        int rank = output.Shape.Length;
        int axis = context.Options.GetInt(0);
        axis = axis < 0 ? axis + rank : axis;
        if (axis < 0 || axis >= rank)
        {
            throw context.Unsupported($"axis {context.Options.GetInt(0)} is outside rank {rank}");
        }

        if (context.Options.GetActivation(1) != Conversion.FusedActivation.None)
        {
            throw context.Unsupported("a fused activation on CONCATENATION is not supported");
        }

        var inputs = Enumerable.Range(0, context.Op.Inputs.Length).Select(context.Float).ToArray();
        int total = 0;
        foreach (var input in inputs)
        {
            bool fits = input.Shape.Length == rank && Enumerable.Range(0, rank).All(d => d == axis || input.Shape[d] == output.Shape[d]);
            if (!fits)
            {
                throw context.Unsupported($"input {input} ({string.Join(",", input.Shape)}) does not fit the output ({string.Join(",", output.Shape)}) along axis {axis}");
            }

            total += input.Shape[axis];
        }

        if (total != output.Shape[axis])
        {
            throw context.Unsupported($"inputs add up to {total} along axis {axis}, the output has {output.Shape[axis]}");
        }

        _outer = FloatMath.Product(output.Shape.AsSpan(0, axis));
        int inner = FloatMath.Product(output.Shape.AsSpan(axis + 1));
        _blocks = inputs.Select(i => i.Shape[axis] * inner).ToArray();
        _inputs = inputs.Select(i => i.Index).ToArray();
        _output = output.Index;
    }

    /// <summary>How many times the inputs' blocks repeat (the product of the dimensions before the axis), and each input's block length.</summary>
    internal (int Outer, int[] Blocks) Layout => (_outer, _blocks);

    internal override void Invoke(FloatRun run)
    {
        var output = run.Values[_output];
        int position = 0;
        for (int o = 0; o < _outer; o++)
        {
            for (int i = 0; i < _inputs.Length; i++)
            {
                int block = _blocks[i];
                Array.Copy(run.Values[_inputs[i]], o * block, output, position, block);
                position += block;
            }
        }
    }
}

/// <summary>PAD (zeros) and PADV2 (a constant value).</summary>
internal sealed class PadOperator : FloatOperator
{
    private readonly int _input, _output;
    private readonly int[] _inShape, _outShape, _before;
    private readonly float _value;

    public PadOperator(FloatOperatorContext context)
        : base(context.Op)
    {
        bool v2 = context.Op.Code == TfLite.BuiltinOperator.Padv2;
        context.RequireCounts(2, v2 ? 3 : 2, 1);
        var input = context.Float(0);
        var output = context.FloatOutput();
        int[] paddings = context.Int32Constant(1, "paddings");
        int rank = input.Shape.Length;
        if (output.Shape.Length != rank || paddings.Length != rank * 2)
        {
            throw context.Unsupported($"paddings ({paddings.Length} values) do not fit input rank {rank} and output rank {output.Shape.Length}");
        }

        for (int d = 0; d < rank; d++)
        {
            if (paddings[2 * d] < 0 || paddings[(2 * d) + 1] < 0 || input.Shape[d] + paddings[2 * d] + paddings[(2 * d) + 1] != output.Shape[d])
            {
                throw context.Unsupported($"paddings ({string.Join(",", paddings)}) do not turn ({string.Join(",", input.Shape)}) into ({string.Join(",", output.Shape)})");
            }
        }

        if (v2 && context.Optional(2) is not null)
        {
            var value = context.FloatConstant(2, "pad value");
            if (value.Length != 1)
            {
                throw context.Unsupported($"the pad value has {value.Length} elements, expected 1");
            }

            _value = value[0];
        }

        _inShape = input.Shape;
        _outShape = output.Shape;
        _before = Enumerable.Range(0, rank).Select(d => paddings[2 * d]).ToArray();
        _input = input.Index;
        _output = output.Index;
    }

    /// <summary>Input and output shapes and the padding before each dimension.</summary>
    internal (int[] InShape, int[] OutShape, int[] Before) Layout => (_inShape, _outShape, _before);

    internal override void Invoke(FloatRun run)
    {
        var input = run.Values[_input];
        var output = run.Values[_output];
        Array.Fill(output, _value);
        int rank = _inShape.Length;
        if (rank == 0)
        {
            output[0] = input[0];
            return;
        }

        int inner = _inShape[rank - 1];
        var index = new int[rank];
        for (int start = 0; start < input.Length; start += inner)
        {
            int offset = 0;
            for (int d = 0; d < rank; d++)
            {
                offset = (offset * _outShape[d]) + index[d] + _before[d];
            }

            Array.Copy(input, start, output, offset, inner);
            for (int d = rank - 2; d >= 0; d--)
            {
                if (++index[d] < _inShape[d])
                {
                    break;
                }

                index[d] = 0;
            }
        }
    }
}

/// <summary>MEAN over constant axes: sums in input order, then divides by the count, as TFLite's reference kernel.</summary>
internal sealed class MeanOperator : FloatOperator
{
    private readonly int _input, _output;
    private readonly int[] _inShape, _outStrides;
    private readonly float _count;

    public MeanOperator(FloatOperatorContext context)
        : base(context.Op)
    {
        context.RequireCounts(2, 2, 1);
        var input = context.Float(0);
        var output = context.FloatOutput();
        int rank = input.Shape.Length;
        var reduced = new bool[rank];
        foreach (int a in context.Int32Constant(1, "axis"))
        {
            int axis = a < 0 ? a + rank : a;
            if (axis < 0 || axis >= rank)
            {
                throw context.Unsupported($"axis {a} is outside rank {rank}");
            }

            reduced[axis] = true;
        }

        var kept = Enumerable.Range(0, rank).Where(d => !reduced[d]).Select(d => input.Shape[d]).ToArray();
        if (FloatMath.Product(kept) != output.ElementCount)
        {
            throw context.Unsupported($"output {output} ({string.Join(",", output.Shape)}) does not fit the input ({string.Join(",", input.Shape)}) reduced along the axes");
        }

        // Output index of an input element: row-major over the kept dimensions.
        _outStrides = new int[rank];
        int stride = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            _outStrides[d] = reduced[d] ? 0 : stride;
            stride *= reduced[d] ? 1 : input.Shape[d];
        }

        _count = Enumerable.Range(0, rank).Where(d => reduced[d]).Aggregate(1, (p, d) => p * input.Shape[d]);
        _inShape = input.Shape;
        _input = input.Index;
        _output = output.Index;
    }

    /// <summary>The input shape, each input dimension's stride in the output (0 along reduced axes), and how many inputs each output averages.</summary>
    internal (int[] InShape, int[] OutStrides, float Count) Layout => (_inShape, _outStrides, _count);

    internal override void Invoke(FloatRun run)
    {
        var input = run.Values[_input];
        var output = run.Values[_output];
        Array.Clear(output);
        int rank = _inShape.Length;
        var index = new int[rank];
        for (int i = 0; i < input.Length; i++)
        {
            int o = 0;
            for (int d = 0; d < rank; d++)
            {
                o += index[d] * _outStrides[d];
            }

            output[o] += input[i];
            for (int d = rank - 1; d >= 0; d--)
            {
                if (++index[d] < _inShape[d])
                {
                    break;
                }

                index[d] = 0;
            }
        }

        if (_count > 0)
        {
            for (int o = 0; o < output.Length; o++)
            {
                output[o] /= _count;
            }
        }
    }
}

/// <summary>TRANSPOSE by a constant permutation.</summary>
internal sealed class TransposeOperator : FloatOperator
{
    private readonly int _input, _output;
    private readonly int[] _outShape, _inStrides;

    public TransposeOperator(FloatOperatorContext context)
        : base(context.Op)
    {
        context.RequireCounts(2, 2, 1);
        var input = context.Float(0);
        var output = context.FloatOutput();
        int[] perm = context.Int32Constant(1, "permutation");
        int rank = input.Shape.Length;
        if (perm.Length != rank || output.Shape.Length != rank || perm.Distinct().Count() != rank || perm.Any(p => p < 0 || p >= rank)
            || Enumerable.Range(0, rank).Any(d => output.Shape[d] != input.Shape[perm[d]]))
        {
            throw context.Unsupported($"permutation ({string.Join(",", perm)}) does not turn ({string.Join(",", input.Shape)}) into ({string.Join(",", output.Shape)})");
        }

        var strides = new int[rank];
        int stride = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= input.Shape[d];
        }

        _inStrides = perm.Select(p => strides[p]).ToArray();
        _outShape = output.Shape;
        _input = input.Index;
        _output = output.Index;
    }

    internal override void Invoke(FloatRun run) =>
        StridedCopy.Run(run.Values[_input], 0, _inStrides, _outShape, run.Values[_output]);
}

/// <summary>STRIDED_SLICE with constant begin, end and strides (begin, end and shrink-axis masks; offset).</summary>
internal sealed class StridedSliceOperator : FloatOperator
{
    private readonly int _input, _output, _start;
    private readonly int[] _shape, _strides;

    public StridedSliceOperator(FloatOperatorContext context)
        : base(context.Op)
    {
        context.RequireCounts(4, 4, 1);
        var input = context.Float(0);
        var output = context.FloatOutput();
        int[] begin = context.Int32Constant(1, "begin");
        int[] end = context.Int32Constant(2, "end");
        int[] steps = context.Int32Constant(3, "strides");
        var options = context.Options;
        int beginMask = options.GetInt(0), endMask = options.GetInt(1), shrinkMask = options.GetInt(4);
        if (options.GetInt(2) != 0 || options.GetInt(3) != 0)
        {
            throw context.Unsupported("ellipsis and new-axis masks are not supported");
        }

        int rank = input.Shape.Length;
        if (begin.Length != rank || end.Length != rank || steps.Length != rank)
        {
            throw context.Unsupported($"begin, end and strides must have {rank} values");
        }

        bool offset = options.GetBool(5);
        var dimStrides = new int[rank];
        int s = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            dimStrides[d] = s;
            s *= input.Shape[d];
        }

        var shape = new List<int>();
        var strides = new List<int>();
        int start = 0;
        for (int d = 0; d < rank; d++)
        {
            int size = input.Shape[d], step = steps[d];
            if (step == 0)
            {
                throw context.Unsupported($"stride {d} is zero");
            }

            bool shrink = ((shrinkMask >> d) & 1) != 0;
            int first = ((beginMask >> d) & 1) != 0 && !shrink ? (step > 0 ? 0 : size - 1) : Resolve(begin[d], size, step);
            int stop;
            if (shrink)
            {
                stop = first + 1;
            }
            else if (((endMask >> d) & 1) != 0)
            {
                stop = step > 0 ? size : -1;
            }
            else
            {
                stop = Resolve(offset ? begin[d] + end[d] : end[d], size, step);
            }

            int count = step > 0 ? Math.Max(0, (stop - first + step - 1) / step) : Math.Max(0, (first - stop - step - 1) / -step);
            if (shrink && (first < 0 || first >= size))
            {
                throw context.Unsupported($"shrunk axis {d} index {begin[d]} is outside size {size}");
            }

            start += count == 0 ? 0 : first * dimStrides[d];
            if (!shrink)
            {
                shape.Add(count);
                strides.Add(step * dimStrides[d]);
            }
        }

        if (FloatMath.Product(shape.ToArray()) != output.ElementCount)
        {
            throw context.Unsupported($"the slice has shape ({string.Join(",", shape)}), the output {output} has {output.ElementCount} elements");
        }

        _start = start;
        _shape = shape.ToArray();
        _strides = strides.ToArray();
        _input = input.Index;
        _output = output.Index;
    }

    internal override void Invoke(FloatRun run) => StridedCopy.Run(run.Values[_input], _start, _strides, _shape, run.Values[_output]);

    private static int Resolve(int value, int size, int step)
    {
        if (value < 0)
        {
            value += size;
        }

        return step > 0 ? Math.Clamp(value, 0, size) : Math.Clamp(value, -1, size - 1);
    }
}

/// <summary>Copies the elements at start + Σ index[d] × strides[d] in row-major order of <c>shape</c>.</summary>
internal static class StridedCopy
{
    public static void Run(float[] input, int start, int[] strides, int[] shape, float[] output)
    {
        int rank = shape.Length;
        if (output.Length == 0)
        {
            return;
        }

        if (rank == 0)
        {
            output[0] = input[start];
            return;
        }

        var index = new int[rank];
        int inner = shape[rank - 1], innerStride = strides[rank - 1];
        int position = 0;
        while (position < output.Length)
        {
            int offset = start;
            for (int d = 0; d < rank - 1; d++)
            {
                offset += index[d] * strides[d];
            }

            for (int i = 0; i < inner; i++, offset += innerStride)
            {
                output[position++] = input[offset];
            }

            for (int d = rank - 2; d >= 0; d--)
            {
                if (++index[d] < shape[d])
                {
                    break;
                }

                index[d] = 0;
            }
        }
    }
}
