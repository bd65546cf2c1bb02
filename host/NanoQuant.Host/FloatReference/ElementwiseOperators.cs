using System.Numerics.Tensors;

namespace NanoQuant.Host.FloatReference;

internal enum BinaryKind
{
    Add,
    Sub,
    Mul,
}

/// <summary>ADD, SUB, MUL with NumPy broadcasting (up to 6 dimensions) and a fused activation clamp.</summary>
internal sealed class BinaryOperator : FloatOperator
{
    private const int MaxRank = 6;
    private readonly int _a, _b, _output;
    private readonly BinaryKind _kind;
    private readonly float _min, _max;
    private readonly bool _sameShape;
    private readonly int[] _outShape = new int[MaxRank];
    private readonly int[] _aStrides = new int[MaxRank];
    private readonly int[] _bStrides = new int[MaxRank];

    public BinaryOperator(FloatOperatorContext context, BinaryKind kind)
        : base(context.Op)
    {
        context.RequireCounts(2, 2, 1);
        var a = context.Float(0);
        var b = context.Float(1);
        var output = context.FloatOutput();
        if (a.Shape.Length > MaxRank || b.Shape.Length > MaxRank || output.Shape.Length > MaxRank)
        {
            throw context.Unsupported($"operands of rank above {MaxRank} are not supported");
        }

        var outShape = Extend(output.Shape);
        var aShape = Extend(a.Shape);
        var bShape = Extend(b.Shape);
        for (int d = 0; d < MaxRank; d++)
        {
            int expected = Math.Max(aShape[d], bShape[d]);
            if ((aShape[d] != 1 && aShape[d] != expected) || (bShape[d] != 1 && bShape[d] != expected) || outShape[d] != expected)
            {
                throw context.Unsupported($"shapes ({string.Join(",", a.Shape)}) and ({string.Join(",", b.Shape)}) do not broadcast to the output ({string.Join(",", output.Shape)})");
            }
        }

        outShape.CopyTo(_outShape, 0);
        Strides(aShape, _aStrides);
        Strides(bShape, _bStrides);
        _sameShape = a.ElementCount == output.ElementCount && b.ElementCount == output.ElementCount;
        _kind = kind;
        (_min, _max) = context.ActivationRange(context.Options.GetActivation(0));
        _a = a.Index;
        _b = b.Index;
        _output = output.Index;
    }

    internal BinaryKind Kind => _kind;

    /// <summary>The fused activation's clamp bounds.</summary>
    internal (float Min, float Max) Range => (_min, _max);

    /// <summary>The output shape extended to 6 dimensions, and each input's strides over it (0 along broadcast dimensions).</summary>
    internal (int[] OutShape, int[] AStrides, int[] BStrides) Broadcast => (_outShape, _aStrides, _bStrides);

    internal override void Invoke(FloatRun run)
    {
        var a = run.Values[_a];
        var b = run.Values[_b];
        var output = run.Values[_output];
        if (_sameShape)
        {
            switch (_kind)
            {
                case BinaryKind.Add:
                    TensorPrimitives.Add(a, b, output);
                    break;
                case BinaryKind.Sub:
                    TensorPrimitives.Subtract(a, b, output);
                    break;
                default:
                    TensorPrimitives.Multiply(a, b, output);
                    break;
            }

            Clamp(output, _min, _max);
            return;
        }

        // Broadcast: walk the output in order, the innermost dimension in the inner loop.
        int inner = _outShape[MaxRank - 1];
        int aStep = _aStrides[MaxRank - 1], bStep = _bStrides[MaxRank - 1];
        Span<int> index = stackalloc int[MaxRank - 1];
        int outer = output.Length / Math.Max(inner, 1);
        int position = 0;
        for (int o = 0; o < outer; o++)
        {
            int ai = 0, bi = 0;
            for (int d = 0; d < MaxRank - 1; d++)
            {
                ai += index[d] * _aStrides[d];
                bi += index[d] * _bStrides[d];
            }

            for (int i = 0; i < inner; i++, ai += aStep, bi += bStep)
            {
                float x = a[ai], y = b[bi];
                float r = _kind switch
                {
                    BinaryKind.Add => x + y,
                    BinaryKind.Sub => x - y,
                    _ => x * y,
                };
                output[position++] = Math.Min(Math.Max(r, _min), _max);
            }

            for (int d = MaxRank - 2; d >= 0; d--)
            {
                if (++index[d] < _outShape[d])
                {
                    break;
                }

                index[d] = 0;
            }
        }
    }

    internal static void Clamp(Span<float> values, float min, float max)
    {
        if (min == float.MinValue && max == float.MaxValue)
        {
            return;
        }

        TensorPrimitives.Max(values, min, values);
        TensorPrimitives.Min(values, max, values);
    }

    private static int[] Extend(int[] shape)
    {
        var extended = Enumerable.Repeat(1, MaxRank).ToArray();
        shape.CopyTo(extended, MaxRank - shape.Length);
        return extended;
    }

    /// <summary>Row-major strides, zero along broadcast (size-1) dimensions.</summary>
    private static void Strides(int[] shape, int[] strides)
    {
        int stride = 1;
        for (int d = MaxRank - 1; d >= 0; d--)
        {
            strides[d] = shape[d] == 1 ? 0 : stride;
            stride *= shape[d];
        }
    }
}

internal enum UnaryKind
{
    Relu,
    Relu6,
    LeakyRelu,
    HardSwish,
    Logistic,
    Tanh,
}

/// <summary>RELU, RELU6, LEAKY_RELU, HARD_SWISH, LOGISTIC, TANH as TFLite's float reference kernels compute them.</summary>
internal sealed class UnaryOperator : FloatOperator
{
    private readonly int _input, _output;
    private readonly UnaryKind _kind;
    private readonly float _alpha;

    public UnaryOperator(FloatOperatorContext context, UnaryKind kind)
        : base(context.Op)
    {
        context.RequireCounts(1, 1, 1);
        var input = context.Float(0);
        var output = context.FloatOutput();
        context.RequireSameCount(input, output);
        _kind = kind;
        _alpha = kind == UnaryKind.LeakyRelu ? context.Options.GetFloat(0) : 0f;
        _input = input.Index;
        _output = output.Index;
    }

    internal UnaryKind Kind => _kind;

    internal float Alpha => _alpha;

    internal override void Invoke(FloatRun run)
    {
        var input = run.Values[_input];
        var output = run.Values[_output];
        switch (_kind)
        {
            case UnaryKind.Relu:
                TensorPrimitives.Max(input, 0f, output);
                break;
            case UnaryKind.Relu6:
                TensorPrimitives.Max(input, 0f, output);
                TensorPrimitives.Min(output, 6f, output);
                break;
            case UnaryKind.LeakyRelu:
                for (int i = 0; i < input.Length; i++)
                {
                    float v = input[i];
                    output[i] = v > 0 ? v : v * _alpha;
                }

                break;
            case UnaryKind.HardSwish:
                for (int i = 0; i < input.Length; i++)
                {
                    float v = input[i];
                    output[i] = v * Math.Min(6f, Math.Max(0f, v + 3f)) / 6f;
                }

                break;
            case UnaryKind.Logistic:
                for (int i = 0; i < input.Length; i++)
                {
                    float v = input[i];
                    output[i] = v > 16.619047164916992188f ? 1f : v < -9f ? MathF.Exp(v) : 1f / (1f + MathF.Exp(-v));
                }

                break;
            default:
                for (int i = 0; i < input.Length; i++)
                {
                    output[i] = MathF.Tanh(input[i]);
                }

                break;
        }
    }
}

/// <summary>SOFTMAX over the last dimension: exp((x − max) × β) / Σ, as TFLite's float reference kernel.</summary>
internal sealed class SoftmaxOperator : FloatOperator
{
    private readonly int _input, _output, _depth;
    private readonly float _beta;

    public SoftmaxOperator(FloatOperatorContext context)
        : base(context.Op)
    {
        context.RequireCounts(1, 1, 1);
        var input = context.Float(0);
        var output = context.FloatOutput();
        context.RequireSameCount(input, output);
        if (input.Shape.Length == 0)
        {
            throw context.Unsupported($"input {input} is a scalar");
        }

        _depth = input.Shape[^1];
        _beta = context.Options.GetFloat(0);
        _input = input.Index;
        _output = output.Index;
    }

    /// <summary>The length of the last dimension (each softmax's size).</summary>
    internal int Depth => _depth;

    internal float Beta => _beta;

    internal override void Invoke(FloatRun run)
    {
        var input = run.Values[_input];
        var output = run.Values[_output];
        for (int start = 0; start + _depth <= input.Length; start += _depth)
        {
            float max = float.MinValue;
            for (int c = 0; c < _depth; c++)
            {
                max = Math.Max(max, input[start + c]);
            }

            float sum = 0f;
            for (int c = 0; c < _depth; c++)
            {
                float e = MathF.Exp((input[start + c] - max) * _beta);
                output[start + c] = e;
                sum += e;
            }

            for (int c = 0; c < _depth; c++)
            {
                output[start + c] /= sum;
            }
        }
    }
}

/// <summary>Helpers shared by operators.</summary>
internal static class FloatMath
{
    public static int Product(ReadOnlySpan<int> values)
    {
        int product = 1;
        foreach (int v in values)
        {
            product *= v;
        }

        return product;
    }

}
