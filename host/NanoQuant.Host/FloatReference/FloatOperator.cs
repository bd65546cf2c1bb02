using System.Buffers.Binary;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.Lowering;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.FloatReference;

/// <summary>A compiled float operator: everything checked and precomputed, <see cref="Invoke"/> only computes.</summary>
public abstract class FloatOperator(TfLiteOperator source)
{
    public TfLiteOperator Source { get; } = source;

    /// <summary>Floats of per-run scratch space the operator needs.</summary>
    internal virtual int ScratchLength => 0;

    internal abstract void Invoke(FloatRun run);
}

/// <summary>What an operator's compiler works with: the model, the operator and helpers that fail with messages naming it.</summary>
internal sealed class FloatOperatorContext(TfLiteModel model, TfLiteOperator op, float[]?[] constants)
{
    public TfLiteModel Model { get; } = model;
    public TfLiteOperator Op { get; } = op;

    public OperatorOptions Options => new(Op.Options);

    public UnsupportedModelException Unsupported(string message) => new($"{Op}: {message}");

    public void RequireCounts(int minInputs, int maxInputs, int outputs)
    {
        if (Op.Inputs.Length < minInputs || Op.Inputs.Length > maxInputs)
        {
            throw Unsupported($"has {Op.Inputs.Length} inputs, expected {(minInputs == maxInputs ? $"{minInputs}" : $"{minInputs} to {maxInputs}")}");
        }

        if (Op.Outputs.Length != outputs)
        {
            throw Unsupported($"has {Op.Outputs.Length} outputs, expected {outputs}");
        }
    }

    /// <summary>A float32 operand (activation or constant).</summary>
    public TfLiteTensor Float(int slot)
    {
        var tensor = Optional(slot) ?? throw Unsupported($"input {slot} is missing");
        if (tensor.Type != TfLiteType.Float32)
        {
            throw Unsupported($"input {tensor} is {tensor.Type}; the float reference takes float32 tensors (a model already quantized needs no calibration)");
        }

        return tensor;
    }

    public TfLiteTensor? Optional(int slot) => slot < Op.Inputs.Length && Op.Inputs[slot] >= 0 ? Model.Tensors[Op.Inputs[slot]] : null;

    public TfLiteTensor FloatOutput(int slot = 0)
    {
        var tensor = Model.Tensors[Op.Outputs[slot]];
        if (tensor.Type != TfLiteType.Float32)
        {
            throw Unsupported($"output {tensor} is {tensor.Type}; the float reference computes float32 tensors");
        }

        return tensor;
    }

    /// <summary>The values of a float32 constant operand.</summary>
    public float[] FloatConstant(int slot, string what)
    {
        var tensor = Float(slot);
        return constants[tensor.Index] ?? throw Unsupported($"{what} {tensor} must be a constant");
    }

    /// <summary>The values of an int32 constant operand (shapes, axes, paddings).</summary>
    public int[] Int32Constant(int slot, string what)
    {
        var tensor = Optional(slot) ?? throw Unsupported($"{what} (input {slot}) is missing");
        if (tensor.Data is null || tensor.Type is not (TfLiteType.Int32 or TfLiteType.Int64))
        {
            throw Unsupported($"{what} {tensor} must be a constant int32 tensor");
        }

        int size = tensor.Type == TfLiteType.Int32 ? 4 : 8;
        if (tensor.Data.Length != (long)tensor.ElementCount * size)
        {
            throw Unsupported($"{tensor} has {tensor.Data.Length} bytes of data, its shape needs {(long)tensor.ElementCount * size}");
        }

        var values = new int[tensor.ElementCount];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = size == 4
                ? BinaryPrimitives.ReadInt32LittleEndian(tensor.Data.AsSpan(i * 4))
                : checked((int)BinaryPrimitives.ReadInt64LittleEndian(tensor.Data.AsSpan(i * 8)));
        }

        return values;
    }

    /// <summary>Clamp bounds of a fused activation, as TFLite's CalculateActivationRange for float.</summary>
    public (float Min, float Max) ActivationRange(FusedActivation activation) => activation switch
    {
        FusedActivation.None => (float.MinValue, float.MaxValue),
        FusedActivation.Relu => (0f, float.MaxValue),
        FusedActivation.Relu6 => (0f, 6f),
        FusedActivation.ReluN1To1 => (-1f, 1f),
        _ => throw Unsupported($"fused activation {activation} is not supported"),
    };

    public void RequireRank(TfLiteTensor tensor, int rank)
    {
        if (tensor.Shape.Length != rank)
        {
            throw Unsupported($"{tensor} has shape ({string.Join(",", tensor.Shape)}); rank {rank} expected");
        }
    }

    public void RequireSameCount(TfLiteTensor a, TfLiteTensor b)
    {
        if (a.ElementCount != b.ElementCount)
        {
            throw Unsupported($"{a} has {a.ElementCount} elements, {b} has {b.ElementCount}");
        }
    }
}

/// <summary>Compiles each supported TFLite operator into its <see cref="FloatOperator"/>.</summary>
internal static class FloatOperatorFactory
{
    private static readonly Dictionary<BuiltinOperator, Func<FloatOperatorContext, FloatOperator>> Compilers = new()
    {
        [BuiltinOperator.Conv2d] = c => new Conv2DOperator(c),
        [BuiltinOperator.DepthwiseConv2d] = c => new DepthwiseConv2DOperator(c),
        [BuiltinOperator.FullyConnected] = c => new FullyConnectedOperator(c),
        [BuiltinOperator.AveragePool2d] = c => new PoolOperator(c, average: true),
        [BuiltinOperator.MaxPool2d] = c => new PoolOperator(c, average: false),
        [BuiltinOperator.Add] = c => new BinaryOperator(c, BinaryKind.Add),
        [BuiltinOperator.Sub] = c => new BinaryOperator(c, BinaryKind.Sub),
        [BuiltinOperator.Mul] = c => new BinaryOperator(c, BinaryKind.Mul),
        [BuiltinOperator.Relu] = c => new UnaryOperator(c, UnaryKind.Relu),
        [BuiltinOperator.Relu6] = c => new UnaryOperator(c, UnaryKind.Relu6),
        [BuiltinOperator.LeakyRelu] = c => new UnaryOperator(c, UnaryKind.LeakyRelu),
        [BuiltinOperator.HardSwish] = c => new UnaryOperator(c, UnaryKind.HardSwish),
        [BuiltinOperator.Logistic] = c => new UnaryOperator(c, UnaryKind.Logistic),
        [BuiltinOperator.Tanh] = c => new UnaryOperator(c, UnaryKind.Tanh),
        [BuiltinOperator.Softmax] = c => new SoftmaxOperator(c),
        [BuiltinOperator.Reshape] = c => new CopyOperator(c),
        [BuiltinOperator.Squeeze] = c => new CopyOperator(c),
        [BuiltinOperator.Concatenation] = c => new ConcatenationOperator(c),
        [BuiltinOperator.Pad] = c => new PadOperator(c),
        [BuiltinOperator.Padv2] = c => new PadOperator(c),
        [BuiltinOperator.Mean] = c => new MeanOperator(c),
        [BuiltinOperator.Transpose] = c => new TransposeOperator(c),
        [BuiltinOperator.StridedSlice] = c => new StridedSliceOperator(c),
        [BuiltinOperator.UnidirectionalSequenceLstm] = c => new LstmOperator(c),
    };

    public static IReadOnlyCollection<BuiltinOperator> Supported => Compilers.Keys;

    public static FloatOperator Create(FloatOperatorContext context)
    {
        var op = context.Op;
        if (!Compilers.TryGetValue(op.Code, out var compile))
        {
            throw new UnsupportedModelException(
                $"{op}: operator {op.Name} has no float reference or quantization rule, so the model cannot be quantized. Supported: {string.Join(", ", Supported.Select(BuiltinOperators.Name).Order())}");
        }

        return compile(context);
    }
}
