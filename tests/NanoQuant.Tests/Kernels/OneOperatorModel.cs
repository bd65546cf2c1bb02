using NanoQuant.Format;
using NanoQuant.Host.DeviceModels;
using NanoQuant.Host.Planning;

namespace NanoQuant.Tests.Kernels;

/// <summary>
/// A device model of one operator over arena inputs, built directly (no lowering), and the index helpers the
/// kernel tests' reference loops share: loading the model runs the kernel's constructor checks, so a rejected
/// operator throws <see cref="InvalidModelException"/> from <see cref="Build"/>.
/// </summary>
internal static class OneOperatorModel
{
    /// <summary>The interpreter of one <paramref name="type"/> operator over int8 (or <paramref name="elementType"/>) arena tensors.</summary>
    public static Interpreter Build(OperatorType type, int[][] inputShapes, int[] outputShape, int[] parameters,
        int inputZeroPoint = 0, int outputZeroPoint = 0, TensorType elementType = TensorType.Int8)
    {
        var model = new DeviceModel();
        var inputs = inputShapes.Select(s => model.AddTensor(new DeviceTensor { Type = elementType, Storage = TensorStorage.Arena, Shape = s, Scale = 1, ZeroPoint = inputZeroPoint })).ToArray();
        int output = model.AddTensor(new DeviceTensor { Type = elementType, Storage = TensorStorage.Arena, Shape = outputShape, Scale = 1, ZeroPoint = outputZeroPoint });
        model.Inputs.AddRange(inputs.Distinct());
        model.Outputs.Add(output);
        model.Operators.Add(new DeviceOperator(type, inputs, [output], parameters));
        MemoryPlanner.Plan(model);
        return new Interpreter(DeviceModelWriter.Write(model));
    }

    /// <summary>One Invoke over int8 inputs; the int8 output.</summary>
    public static sbyte[] Run(Interpreter interpreter, params sbyte[][] inputs)
    {
        for (int i = 0; i < inputs.Length; i++)
        {
            interpreter.GetInput(i).CopyFrom(inputs[i], 0);
        }

        interpreter.Invoke();
        var output = interpreter.GetOutput(0);
        var result = new sbyte[output.Length];
        output.CopyTo(result, 0);
        return result;
    }

    /// <summary>One Invoke over an int16 input; the int16 output.</summary>
    public static short[] RunInt16(Interpreter interpreter, short[] input)
    {
        interpreter.GetInput(0).CopyFromInt16(input, 0);
        interpreter.Invoke();
        var output = interpreter.GetOutput(0);
        var result = new short[output.Length];
        output.CopyToInt16(result, 0);
        return result;
    }

    /// <summary>Asserts that loading the operator fails its kernel's checks.</summary>
    public static void Rejected(OperatorType type, int[][] inputShapes, int[] outputShape, int[] parameters, TensorType elementType = TensorType.Int8) =>
        Assert.Throws<InvalidModelException>(() => Build(type, inputShapes, outputShape, parameters, elementType: elementType));

    public static int Count(int[] shape) => shape.Aggregate(1, (a, b) => a * b);

    /// <summary>Row-major strides of <paramref name="shape"/>.</summary>
    public static int[] Strides(int[] shape)
    {
        var s = new int[shape.Length];
        int stride = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            s[d] = stride;
            stride *= shape[d];
        }

        return s;
    }

    /// <summary>The multi-index of row-major <paramref name="index"/> in <paramref name="shape"/>.</summary>
    public static int[] Unravel(int index, int[] shape)
    {
        var idx = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            idx[d] = index % shape[d];
            index /= shape[d];
        }

        return idx;
    }

    public static sbyte[] RandomInt8(Random rng, int count)
    {
        var v = new sbyte[count];
        for (int i = 0; i < count; i++)
        {
            v[i] = (sbyte)rng.Next(-128, 128);
        }

        return v;
    }

    public static int[] RandomShape(Random rng, int rank, int max) => Enumerable.Range(0, rank).Select(_ => rng.Next(1, max + 1)).ToArray();
}
