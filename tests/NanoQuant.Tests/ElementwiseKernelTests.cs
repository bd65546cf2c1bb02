using NanoQuant.Host.Conversion;
using NanoQuant.Host.DeviceModels;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Tests;

/// <summary>
/// The elementwise, activation and softmax kernels beyond the operator goldens: gemmlowp's fixed-point
/// functions against values computed by gemmlowp itself, broadcasting against the flat path on
/// explicitly expanded inputs for ranks 0 to 6, and load-time rejection of inconsistent operators.
/// </summary>
public class ElementwiseKernelTests
{
    [Theory]
    [InlineData(0, 2147483647)]
    [InlineData(-1, 2147483124)]
    [InlineData(-1048576, 2114189749)]
    [InlineData(-16777216, 1672462419)]
    [InlineData(-67108864, 790015308)]
    [InlineData(-201326592, 106916946)]
    [InlineData(-536870912, 720401)]
    [InlineData(-2147483647, 0)]
    [InlineData(-123456789, 341177383)]
    public void Exp_on_negative_values_in_Q5_matches_gemmlowp(int input, int expected) =>
        Assert.Equal(expected, FixedPointMath.ExpOnNegativeValues(input, 5));

    [Theory]
    [InlineData(0, 1073741824, 0)]
    [InlineData(1, 1073741948, 260)]
    [InlineData(-1, 1073741699, -260)]
    [InlineData(134217728, 1569936226, 1635510876)]
    [InlineData(-134217728, 577547421, -1635510876)]
    [InlineData(201326592, 1755727730, 1943791024)]
    [InlineData(-671088640, 14372791, -2147288656)]
    [InlineData(2147483647, 2147483406, 2147483647)]
    [InlineData(-2147483648, 241, -2147483647)]
    [InlineData(987654321, 2146116376, 2147481900)]
    public void Logistic_and_tanh_in_Q4_match_gemmlowp(int input, int logistic, int tanh)
    {
        Assert.Equal(logistic, FixedPointMath.Logistic(input, 4));
        Assert.Equal(tanh, FixedPointMath.Tanh(input, 4));
    }

    [Theory]
    [InlineData(0, 2147483647)]
    [InlineData(1073741824, 1431655762)]
    [InlineData(2147483647, 1073741820)]
    [InlineData(123456789, 2030738432)]
    [InlineData(1, 2147483647)]
    public void One_over_one_plus_x_matches_gemmlowp(int input, int expected) =>
        Assert.Equal(expected, FixedPointMath.OneOverOnePlusXForXIn01(input));

    [Theory]
    [InlineData(524288, 2147483647, 0)]
    [InlineData(1572864, 1431655762, 1)]
    [InlineData(1000000, 1125899904, 0)]
    [InlineData(123456789, 1167333038, 7)]
    [InlineData(268435455, 1073741828, 8)]
    public void GetReciprocal_matches_TFLite(int sum, int expected, int expectedBits)
    {
        Assert.Equal(expected, FixedPointMath.GetReciprocal(sum, 12, out int bits));
        Assert.Equal(expectedBits, bits);
    }

    [Fact]
    public void Fixed_point_functions_approximate_their_real_counterparts()
    {
        for (double x = -15.9; x < 15.9; x += 0.037)
        {
            int q4 = (int)Math.Round(x * (1 << 27));
            Assert.InRange(FixedPointMath.Logistic(q4, 4) / 2147483648.0 - 1 / (1 + Math.Exp(-x)), -1e-6, 1e-6);
            Assert.InRange(FixedPointMath.Tanh(q4, 4) / 2147483648.0 - Math.Tanh(x), -1e-6, 1e-6);
            if (x <= 0)
            {
                Assert.InRange(FixedPointMath.ExpOnNegativeValues((int)Math.Round(x * (1 << 26)), 5) / 2147483648.0 - Math.Exp(x), -1e-6, 1e-6);
            }
        }

        for (uint x = 1; x != 0 && x < 0x80000000u; x = x * 3 + 1)
        {
            Assert.Equal(System.Numerics.BitOperations.LeadingZeroCount(x), FixedPointMath.CountLeadingZeros(x));
        }

        Assert.Equal(32, FixedPointMath.CountLeadingZeros(0));
        Assert.Equal(0, FixedPointMath.CountLeadingZeros(0xFFFFFFFFu));
    }

    public static TheoryData<BuiltinOperator, int[], int[], int[]> BroadcastCases() => new()
    {
        { BuiltinOperator.Add, [1, 4, 4, 8], [1, 1, 1, 8], [1, 4, 4, 8] },
        { BuiltinOperator.Add, [2, 1, 3], [1, 4, 1], [2, 4, 3] },
        { BuiltinOperator.Sub, [], [3, 2], [3, 2] },
        { BuiltinOperator.Sub, [3, 1, 2, 1, 4], [3, 1, 1, 4], [3, 3, 2, 1, 4] },
        { BuiltinOperator.Mul, [2, 1, 3, 1, 2, 1], [1, 2, 1, 3, 1, 2], [2, 2, 3, 3, 2, 2] },
        { BuiltinOperator.Mul, [5], [4, 1], [4, 5] },
        { BuiltinOperator.Add, [1, 1], [1], [1, 1] },
    };

    [Theory]
    [MemberData(nameof(BroadcastCases))]
    public void Broadcasting_matches_the_flat_path_on_expanded_inputs(BuiltinOperator code, int[] shape1, int[] shape2, int[] outputShape)
    {
        var random = new Random(shape1.Length * 31 + shape2.Length * 7 + outputShape.Sum());
        var a = RandomInt8(random, Count(shape1));
        var b = RandomInt8(random, Count(shape2));
        var broadcast = RunBinary(code, shape1, shape2, outputShape, a, b);
        var flat = RunBinary(code, outputShape, outputShape, outputShape, Expand(a, shape1, outputShape), Expand(b, shape2, outputShape));
        Assert.Equal(flat, broadcast);
    }

    [Fact]
    public void Add_rejects_an_output_that_is_not_the_broadcast_shape()
    {
        var model = Model(BuiltinOperator.Add, [[2, 1, 3], [1, 4, 1]], [2, 4, 3], Options(0, [0]));
        var conversion = Converter.Convert(model);
        var tensors = conversion.Model.Tensors;
        int output = conversion.Model.Outputs[0];
        tensors[output] = Reshaped(tensors[output], [2, 4, 1, 3]);
        AssertRejected(conversion.Model, "broadcast");
    }

    [Fact]
    public void Binary_lowering_rejects_shapes_that_do_not_broadcast()
    {
        var model = Model(BuiltinOperator.Mul, [[2, 3], [3, 2]], [2, 3], Options(0, [0]));
        Assert.Throws<UnsupportedModelException>(() => Converter.Convert(model));
    }

    [Theory]
    [InlineData(BuiltinOperator.Add, 5, 1, "input1 shift")]
    [InlineData(BuiltinOperator.Add, 3, 40, "left shift")]
    [InlineData(BuiltinOperator.Mul, 4, 31, "output shift")]
    [InlineData(BuiltinOperator.Softmax, 2, 1, "diff_min")]
    [InlineData(BuiltinOperator.Logistic, 1, int.MaxValue, "radius")]
    [InlineData(BuiltinOperator.Tanh, 3, 31, "left shift")]
    [InlineData(BuiltinOperator.HardSwish, 5, 1, "output exponent")]
    [InlineData(BuiltinOperator.LeakyRelu, 4, int.MinValue, "alpha multiplier")]
    [InlineData(BuiltinOperator.Relu6, 1, -128, "activation range")]
    [InlineData(BuiltinOperator.Quantize, 0, 300, "zero point")]
    public void Inconsistent_parameters_are_rejected_at_load(BuiltinOperator code, int parameter, int value, string messagePart)
    {
        var model = code switch
        {
            BuiltinOperator.Add or BuiltinOperator.Mul => Model(code, [[2, 3], [2, 3]], [2, 3], Options(0, [0])),
            BuiltinOperator.Softmax => Model(code, [[2, 3]], [2, 3], Options(0, BitConverter.GetBytes(1f)), outputScale: 1f / 256, outputZeroPoint: -128),
            BuiltinOperator.Logistic => Model(code, [[2, 3]], [2, 3], null, outputScale: 1f / 256, outputZeroPoint: -128),
            BuiltinOperator.LeakyRelu => Model(code, [[2, 3]], [2, 3], Options(0, BitConverter.GetBytes(0.2f))),
            _ => Model(code, [[2, 3]], [2, 3], null),
        };
        var conversion = Converter.Convert(model);
        var op = conversion.Model.Operators[0];
        var parameters = (int[])op.Parameters.Clone();
        parameters[parameter] = value;
        conversion.Model.Operators[0] = op with { Parameters = parameters };
        AssertRejected(conversion.Model, messagePart);
    }

    [Fact]
    public void Softmax_lowering_requires_TFLite_Micro_output_quantization()
    {
        var model = Model(BuiltinOperator.Softmax, [[1, 10]], [1, 10], Options(0, BitConverter.GetBytes(1f)), outputScale: 1f / 255, outputZeroPoint: -128);
        Assert.Throws<UnsupportedModelException>(() => Converter.Convert(model));
    }

    [Fact]
    public void Quantize_from_float_inside_a_model_is_not_lowered()
    {
        var tensors = new List<TfLiteTensor>
        {
            Int8Tensor(0, [4], 0.1f, 0),
            new(1, "float", TfLiteType.Float32, [4], null, null, false),
            Int8Tensor(2, [4], 0.1f, 0),
        };
        var model = new TfLiteModel
        {
            SchemaVersion = 3,
            Description = null,
            Tensors = tensors,
            Operators =
            [
                new TfLiteOperator(0, BuiltinOperator.Dequantize, 1, null, [0], [1], 0, null),
                new TfLiteOperator(1, BuiltinOperator.Quantize, 1, null, [1], [2], 0, null),
            ],
            Inputs = [0],
            Outputs = [2],
            SubgraphCount = 1,
        };
        Assert.Throws<UnsupportedModelException>(() => Converter.Convert(model));
    }

    private static void AssertRejected(DeviceModel model, string? messagePart)
    {
        byte[] bytes = DeviceModelWriter.Write(model);
        var e = Assert.Throws<InvalidModelException>(() => new Interpreter(bytes));
        if (messagePart is not null)
        {
            Assert.Contains(messagePart, e.Message);
        }
    }

    private static DeviceTensor Reshaped(DeviceTensor t, int[] shape) => new()
    {
        Type = t.Type,
        Storage = t.Storage,
        Shape = shape,
        ZeroPoint = t.ZeroPoint,
        Scale = t.Scale,
        Flags = t.Flags,
        ConstantData = t.ConstantData,
        ArenaOffset = t.ArenaOffset,
        Name = t.Name,
        SourceTensor = t.SourceTensor,
    };

    private static sbyte[] RunBinary(BuiltinOperator code, int[] shape1, int[] shape2, int[] outputShape, sbyte[] a, sbyte[] b)
    {
        var model = Model(code, [shape1, shape2], outputShape, Options(0, [0]), inputScales: [0.021f, 0.034f], inputZeroPoints: [5, -9], outputScale: code == BuiltinOperator.Mul ? 0.013f : 0.047f, outputZeroPoint: 3);
        var interpreter = new Interpreter(Converter.Convert(model).Bytes);
        interpreter.GetInput(0).CopyFrom(a, 0);
        interpreter.GetInput(1).CopyFrom(b, 0);
        interpreter.Invoke();
        var output = interpreter.GetOutput(0);
        var result = new sbyte[output.Length];
        output.CopyTo(result, 0);
        return result;
    }

    /// <summary>A one-operator int8 model whose inputs are all model inputs.</summary>
    private static TfLiteModel Model(BuiltinOperator code, int[][] inputShapes, int[] outputShape, TfLiteTable? options,
        float[]? inputScales = null, int[]? inputZeroPoints = null, float outputScale = 0.05f, int outputZeroPoint = 0)
    {
        var tensors = new List<TfLiteTensor>();
        for (int i = 0; i < inputShapes.Length; i++)
        {
            tensors.Add(Int8Tensor(i, inputShapes[i], inputScales?[i] ?? 0.03f, inputZeroPoints?[i] ?? 1));
        }

        int output = inputShapes.Length;
        tensors.Add(Int8Tensor(output, outputShape, outputScale, outputZeroPoint));
        int[] inputs = Enumerable.Range(0, inputShapes.Length).ToArray();
        return new TfLiteModel
        {
            SchemaVersion = 3,
            Description = null,
            Tensors = tensors,
            Operators = [new TfLiteOperator(0, code, 1, null, inputs, [output], 0, options)],
            Inputs = inputs,
            Outputs = [output],
            SubgraphCount = 1,
        };
    }

    private static TfLiteTensor Int8Tensor(int index, int[] shape, float scale, int zeroPoint) =>
        new(index, $"t{index}", TfLiteType.Int8, shape, null, new TfLiteQuantization([scale], [zeroPoint], 0), false);

    /// <summary>An options table with a single scalar field <paramref name="id"/> holding <paramref name="value"/> (1 or 4 bytes).</summary>
    private static TfLiteTable Options(int id, byte[] value) => TfLiteTable.Build(b =>
    {
        b.StartTable(id + 1);
        if (value.Length == 1)
        {
            b.AddByte(id, value[0], 0);
        }
        else
        {
            b.AddUint(id, BitConverter.ToUInt32(value), 0);
        }

        return b.EndTable();
    });

    private static int Count(int[] shape) => shape.Aggregate(1, (x, y) => x * y);

    private static sbyte[] RandomInt8(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => (sbyte)random.Next(-128, 128)).ToArray();

    /// <summary>Materializes a broadcast: element by element, each output index mapped back to the input's.</summary>
    private static sbyte[] Expand(sbyte[] data, int[] shape, int[] outputShape)
    {
        var result = new sbyte[Count(outputShape)];
        int rank = outputShape.Length;
        for (int flat = 0; flat < result.Length; flat++)
        {
            int rest = flat, source = 0, stride = 1;
            for (int axis = rank - 1; axis >= 0; axis--)
            {
                int index = rest % outputShape[axis];
                rest /= outputShape[axis];
                int inputAxis = axis - (rank - shape.Length);
                if (inputAxis >= 0)
                {
                    source += (shape[inputAxis] == 1 ? 0 : index) * stride;
                    stride *= shape[inputAxis];
                }
            }

            result[flat] = data[source];
        }

        return result;
    }
}
