using Google.FlatBuffers;
using NanoQuant.Format;
using System.Buffers.Binary;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.FloatReference;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Training;

/// <summary>
/// Builds a float32 TFLite graph operator by operator (NHWC activations, TFLite's weight layouts and
/// option tables), computing output shapes with the float reference's padding arithmetic. Used to
/// make the models nanoQuant trains itself (`sample fashion`) and the trainer's test graphs.
/// </summary>
public sealed class GraphBuilder
{
    private readonly List<TfLiteTensor> _tensors = [];
    private readonly List<TfLiteOperator> _operators = [];
    private readonly List<int> _inputs = [];

    /// <summary>Shape of tensor <paramref name="tensor"/>.</summary>
    public int[] Shape(int tensor) => _tensors[tensor].Shape;

    public int Input(string name, params int[] shape)
    {
        int t = Tensor(name, shape, null);
        _inputs.Add(t);
        return t;
    }

    public int Constant(string name, int[] shape, float[] values)
    {
        if (values.Length != shape.Aggregate(1, (a, b) => a * b))
        {
            throw new ArgumentException($"constant '{name}' has {values.Length} values for shape ({string.Join(",", shape)})");
        }

        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return Tensor(name, shape, bytes);
    }

    /// <summary>An int32 constant (shapes, axes, paddings).</summary>
    public int IntConstant(string name, int[] shape, int[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        _tensors.Add(new TfLiteTensor(_tensors.Count, name, TfLiteType.Int32, shape, bytes, null, false));
        return _tensors.Count - 1;
    }

    /// <summary>CONV_2D with weights [outputs, height, width, input depth] and a bias per output.</summary>
    public int Conv2D(int input, float[] weights, float[] bias, int outputs, int height, int width, int stride = 1, bool same = true, FusedActivation activation = FusedActivation.None, string name = "conv")
    {
        var x = Shape(input);
        int w = Constant($"{name}/weights", [outputs, height, width, x[3]], weights);
        int b = Constant($"{name}/bias", [outputs], bias);
        byte padding = (byte)(same ? WindowPadding.Same : WindowPadding.Valid);
        int output = Tensor(name, [x[0], (int)WindowPadding.OutputSize(padding, x[1], height, stride, 1), (int)WindowPadding.OutputSize(padding, x[2], width, stride, 1), outputs], null);
        var options = Options(4, b => { b.AddByte(0, padding, 0); b.AddInt(1, stride, 0); b.AddInt(2, stride, 0); b.AddByte(3, (byte)activation, 0); });
        return Operator(BuiltinOperator.Conv2d, [input, w, b], output, 1, options);
    }

    /// <summary>DEPTHWISE_CONV_2D with weights [1, height, width, input depth × multiplier].</summary>
    public int DepthwiseConv2D(int input, float[] weights, float[] bias, int multiplier, int height, int width, int stride = 1, bool same = true, FusedActivation activation = FusedActivation.None, string name = "depthwise")
    {
        var x = Shape(input);
        int outputs = x[3] * multiplier;
        int w = Constant($"{name}/weights", [1, height, width, outputs], weights);
        int b = Constant($"{name}/bias", [outputs], bias);
        byte padding = (byte)(same ? WindowPadding.Same : WindowPadding.Valid);
        int output = Tensor(name, [x[0], (int)WindowPadding.OutputSize(padding, x[1], height, stride, 1), (int)WindowPadding.OutputSize(padding, x[2], width, stride, 1), outputs], null);
        var options = Options(5, b => { b.AddByte(0, padding, 0); b.AddInt(1, stride, 0); b.AddInt(2, stride, 0); b.AddInt(3, multiplier, 0); b.AddByte(4, (byte)activation, 0); });
        return Operator(BuiltinOperator.DepthwiseConv2d, [input, w, b], output, 2, options);
    }

    /// <summary>FULLY_CONNECTED with weights [units, depth] (the input's elements as one row).</summary>
    public int FullyConnected(int input, float[] weights, float[] bias, int units, FusedActivation activation = FusedActivation.None, string name = "dense")
    {
        int depth = _tensors[input].ElementCount;
        int w = Constant($"{name}/weights", [units, depth], weights);
        int b = Constant($"{name}/bias", [units], bias);
        int output = Tensor(name, [1, units], null);
        var options = Options(1, b => b.AddByte(0, (byte)activation, 0));
        return Operator(BuiltinOperator.FullyConnected, [input, w, b], output, 8, options);
    }

    public int Pool(int input, bool average, int size, int stride, bool same = false, FusedActivation activation = FusedActivation.None, string name = "pool")
    {
        var x = Shape(input);
        byte padding = (byte)(same ? WindowPadding.Same : WindowPadding.Valid);
        int output = Tensor(name, [x[0], (int)WindowPadding.OutputSize(padding, x[1], size, stride, 1), (int)WindowPadding.OutputSize(padding, x[2], size, stride, 1), x[3]], null);
        var options = Options(6, b => { b.AddByte(0, padding, 0); b.AddInt(1, stride, 0); b.AddInt(2, stride, 0); b.AddInt(3, size, 0); b.AddInt(4, size, 0); b.AddByte(5, (byte)activation, 0); });
        return Operator(average ? BuiltinOperator.AveragePool2d : BuiltinOperator.MaxPool2d, [input], output, 5, options);
    }

    /// <summary>ADD, SUB or MUL; the output has <paramref name="a"/>'s shape (broadcast <paramref name="b"/> into it).</summary>
    public int Binary(BuiltinOperator code, int a, int b, FusedActivation activation = FusedActivation.None, string name = "binary")
    {
        int output = Tensor(name, Shape(a), null);
        var options = Options(1, b => b.AddByte(0, (byte)activation, 0));
        return Operator(code, [a, b], output, code switch { BuiltinOperator.Add => 11, BuiltinOperator.Mul => 21, _ => 28 }, options);
    }

    /// <summary>RELU, RELU6, LOGISTIC, TANH and other one-input activations without options.</summary>
    public int Unary(BuiltinOperator code, int input, string name = "activation") =>
        Operator(code, [input], Tensor(name, Shape(input), null), 0, null);

    public int Softmax(int input, float beta = 1f, string name = "softmax") =>
        Operator(BuiltinOperator.Softmax, [input], Tensor(name, Shape(input), null), 9, Options(1, b => b.AddFloat(0, beta, 0)));

    public int Reshape(int input, int[] shape, string name = "reshape")
    {
        int s = IntConstant($"{name}/shape", [shape.Length], shape);
        return Operator(BuiltinOperator.Reshape, [input, s], Tensor(name, shape, null), 17, TfLiteTable.Build(b =>
        {
            b.StartVector(sizeof(int), shape.Length, sizeof(int));
            for (int i = shape.Length - 1; i >= 0; i--)
            {
                b.AddInt(shape[i]);
            }

            var newShape = b.EndVector();
            b.StartTable(1);
            b.AddOffset(0, newShape.Value, 0);   // ReshapeOptions.new_shape
            return b.EndTable();
        }));
    }

    /// <summary>MEAN over <paramref name="axes"/>, keeping them as size 1.</summary>
    public int Mean(int input, int[] axes, string name = "mean")
    {
        var shape = Shape(input).Select((d, i) => axes.Contains(i) ? 1 : d).ToArray();
        int a = IntConstant($"{name}/axes", [axes.Length], axes);
        return Operator(BuiltinOperator.Mean, [input, a], Tensor(name, shape, null), 27, Options(1, b => b.AddBool(0, true, false)));
    }

    /// <summary>PAD with zeros: <paramref name="paddings"/> holds (before, after) per dimension.</summary>
    public int Pad(int input, int[] paddings, string name = "pad")
    {
        var x = Shape(input);
        var shape = x.Select((d, i) => d + paddings[2 * i] + paddings[(2 * i) + 1]).ToArray();
        int p = IntConstant($"{name}/paddings", [x.Length, 2], paddings);
        return Operator(BuiltinOperator.Pad, [input, p], Tensor(name, shape, null), 22, Options(0, _ => { }));
    }

    public int Concatenation(int[] inputs, int axis, string name = "concat")
    {
        var shape = (int[])Shape(inputs[0]).Clone();
        shape[axis] = inputs.Sum(i => Shape(i)[axis]);
        var options = Options(2, b => { b.AddInt(0, axis, 0); b.AddByte(1, 0, 0); });
        return Operator(BuiltinOperator.Concatenation, inputs, Tensor(name, shape, null), 10, options);
    }

    public TfLiteModel Build(string description, params int[] outputs) => new()
    {
        SchemaVersion = 3,
        Description = description,
        Tensors = _tensors.ToList(),
        Operators = _operators.ToList(),
        Inputs = _inputs.ToArray(),
        Outputs = outputs,
        SubgraphCount = 1,
    };

    private int Tensor(string name, int[] shape, byte[]? data)
    {
        _tensors.Add(new TfLiteTensor(_tensors.Count, name, TfLiteType.Float32, shape, data, null, false));
        return _tensors.Count - 1;
    }

    /// <summary>An operator's options table of <paramref name="fields"/> fields, written by <paramref name="add"/> with Google.FlatBuffers' builder.</summary>
    private static TfLiteTable Options(int fields, Action<FlatBufferBuilder> add) => TfLiteTable.Build(b =>
    {
        b.StartTable(fields);
        add(b);
        return b.EndTable();
    });

    private int Operator(BuiltinOperator code, int[] inputs, int output, int optionsType, TfLiteTable? options)
    {
        _operators.Add(new TfLiteOperator(_operators.Count, code, 1, null, inputs, [output], optionsType, options));
        return output;
    }
}
