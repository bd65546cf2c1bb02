using NanoQuant.Format;
using NanoQuant.Host.DeviceModels;
using NanoQuant.Host.Planning;

namespace NanoQuant.Tests;

/// <summary>
/// FULLY_CONNECTED against a plain reference loop on synthetic operators: every path of the kernel (eight-,
/// four- and one-unit blocks; odd and even depths; per-tensor output stages in the folded one-rounding form,
/// per-channel ones, left shifts, right shifts past the folded form's limit) and several batches.
/// </summary>
public class FullyConnectedKernelTests
{
    public static TheoryData<int, int, int, bool, int, int> Shapes() => new()
    {
        // batches, depth, units, per channel, lowest shift, highest shift
        { 1, 1, 16, false, -12, -6 },
        { 1, 16, 16, false, -12, -6 },
        { 1, 16, 1, false, -9, -9 },
        { 3, 33, 12, false, -20, -20 },
        { 2, 7, 3, false, 0, 0 },
        { 1, 64, 17, false, -23, -23 },
        { 1, 5, 9, false, -31, -24 },
        { 2, 10, 8, false, 1, 3 },
        { 1, 40, 13, true, -12, -2 },
        { 2, 3, 4, true, -5, 2 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void FullyConnected_matches_a_reference_loop(int batches, int depth, int units, bool perChannel, int lowShift, int highShift)
    {
        var random = new Random((batches * 1000) + (depth * 10) + units);
        sbyte[] weights = Enumerable.Range(0, units * depth).Select(_ => (sbyte)random.Next(-127, 128)).ToArray();
        int[] bias = Enumerable.Range(0, units).Select(_ => random.Next(-20000, 20000)).ToArray();
        int channels = perChannel ? units : 1;
        int[] multipliers = Enumerable.Range(0, channels).Select(_ => random.Next(1 << 30, int.MaxValue)).ToArray();
        int[] shifts = Enumerable.Range(0, channels).Select(_ => random.Next(lowShift, highShift + 1)).ToArray();
        int outputOffset = random.Next(-128, 128);
        int min = random.Next(-128, -60);
        int max = random.Next(60, 128);

        var model = new DeviceModel();
        int input = model.AddTensor(new DeviceTensor { Type = TensorType.Int8, Storage = TensorStorage.Arena, Shape = [batches, depth], Scale = 1 });
        int filter = model.AddTensor(new DeviceTensor { Type = TensorType.Int8, Storage = TensorStorage.Constant, Shape = [units, depth], ConstantData = weights.Select(v => unchecked((byte)v)).ToArray() });
        int output = model.AddTensor(new DeviceTensor { Type = TensorType.Int8, Storage = TensorStorage.Arena, Shape = [batches, units], Scale = 1 });
        model.Operators.Add(new DeviceOperator(OperatorType.FullyConnected, [input, filter, AddInt32(model, bias), AddInt32(model, multipliers), AddInt32(model, shifts)], [output], [outputOffset, min, max]));
        model.Inputs.Add(input);
        model.Outputs.Add(output);
        MemoryPlanner.Plan(model);
        var interpreter = new Interpreter(DeviceModelWriter.Write(model));

        var x = Enumerable.Range(0, batches * depth).Select(_ => (sbyte)random.Next(-128, 128)).ToArray();
        interpreter.GetInput(0).CopyFrom(x, 0);
        interpreter.Invoke();
        var actual = new sbyte[batches * units];
        interpreter.GetOutput(0).CopyTo(actual, 0);

        var expected = new sbyte[batches * units];
        for (int b = 0; b < batches; b++)
        {
            for (int u = 0; u < units; u++)
            {
                int acc = bias[u];
                for (int d = 0; d < depth; d++)
                {
                    acc += x[(b * depth) + d] * weights[(u * depth) + d];
                }

                int c = perChannel ? u : 0;
                expected[(b * units) + u] = (sbyte)Math.Clamp(QuantizedMath.MultiplyByQuantizedMultiplier(acc, multipliers[c], shifts[c]) + outputOffset, min, max);
            }
        }

        Assert.Equal(expected, actual);
    }

    private static int AddInt32(DeviceModel model, int[] values) => model.AddTensor(new DeviceTensor
    {
        Type = TensorType.Int32,
        Storage = TensorStorage.Constant,
        Shape = [values.Length],
        ConstantData = values.SelectMany(BitConverter.GetBytes).ToArray(),
    });
}
