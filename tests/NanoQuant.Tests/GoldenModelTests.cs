using NanoQuant.Host.Conversion;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Runtime;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Tests;

/// <summary>
/// Every int8 golden of ../shared/golden, operator goldens included: the converted model run by the
/// device runtime gives TFLite Micro's outputs byte for byte for every case, every intermediate
/// tensor of case 0 matches, and the arena is no larger than TFLM's. Each case is its own run: a
/// stateful model (LSTM) starts every case from its reset state, as a new TFLM interpreter does.
/// </summary>
public class GoldenModelTests
{
    public static TheoryData<string> Int8Goldens() => new(Golden.Int8Names());

    /// <summary>The 16x8 goldens (op16_*, *_16x8): int16 activations, int8 weights, int64 biases.</summary>
    public static TheoryData<string> Int16Goldens() => new(Golden.Int16Names());

    [Theory]
    [MemberData(nameof(Int16Goldens))]
    public void Int16_outputs_match_TFLite_Micro_byte_for_byte(string name) => Outputs_match_TFLite_Micro_byte_for_byte(name);

    [Theory]
    [MemberData(nameof(Int16Goldens))]
    public void Every_int16_intermediate_tensor_matches(string name) => Every_intermediate_tensor_matches(name);

    [Theory]
    [MemberData(nameof(Int16Goldens))]
    public void Int16_arena_is_no_larger_than_TFLite_Micro_and_at_least_the_lower_bound(string name) =>
        Arena_is_no_larger_than_TFLite_Micro_and_at_least_the_lower_bound(name);

    [Theory]
    [MemberData(nameof(Int8Goldens))]
    public void Outputs_match_TFLite_Micro_byte_for_byte(string name)
    {
        var golden = Golden.Load(name);
        var conversion = Converter.ConvertFile(golden.ModelPath);
        var runner = new ModelRunner(conversion.Bytes);
        for (int c = 0; c < golden.CaseCount; c++)
        {
            runner.Interpreter.ResetState();
            var actual = runner.Run(golden.Inputs(c));
            var expected = golden.Outputs(c);
            Assert.Equal(expected.Length, actual.Length);
            for (int o = 0; o < expected.Length; o++)
            {
                Assert.Equal(expected[o].Type, actual[o].Type);
                Assert.Equal(expected[o].Shape, actual[o].Shape);
                AssertBytesEqual(expected[o].Data, actual[o].Data, $"{name} case {c} ({golden.CaseSources[c]}) output {o}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Int8Goldens))]
    public void Every_intermediate_tensor_matches(string name)
    {
        var golden = Golden.Load(name);
        var source = TfLiteReader.ReadFile(golden.ModelPath);
        var conversion = Converter.Convert(source);
        var runner = new ModelRunner(conversion.Bytes);
        var interpreter = runner.Interpreter;
        var deviceToSource = conversion.TensorMap.GroupBy(p => p.Value).ToDictionary(g => g.Key, g => g.Select(p => p.Key).ToArray());

        // Load case 0 exactly as Run does, then step operator by operator: the arena is reused, so
        // each tensor is compared right after the operator that writes it.
        var inputs = golden.Inputs(0);
        var checkedTensors = new HashSet<int>();
        runner.Prepare(inputs, 0);
        foreach (int input in conversion.Model.Inputs)
        {
            CompareDeviceTensor(input);
        }

        for (int k = 0; k < interpreter.OperatorCount; k++)
        {
            interpreter.InvokeOperator(k);
            foreach (int output in conversion.Model.Operators[k].Outputs)
            {
                CompareDeviceTensor(output);
            }
        }

        // Variable (state) tensors, e.g. an LSTM's int8 hidden and int16 cell state, after the run:
        // their bytes are the little-endian values TFLM recorded.
        for (int device = 0; device < interpreter.TensorCount; device++)
        {
            var tensor = interpreter.GetTensor(device);
            if (!tensor.IsVariable)
            {
                continue;
            }

            var actual = tensor.Data.AsSpan(tensor.Offset, tensor.Length * (tensor.Type == Format.TensorType.Int8 ? 1 : 2)).ToArray();
            foreach (int s in deviceToSource.GetValueOrDefault(device, []))
            {
                var layer = golden.Layer(s) ?? throw new InvalidOperationException($"{name}: no golden for state tensor {s}");
                AssertBytesEqual(layer.Data, actual.Select(v => unchecked((byte)v)).ToArray(), $"{name} state tensor {s} '{source.Tensors[s].Name}'");
                checkedTensors.Add(s);
            }
        }

        // Every int8/int16 activation and state tensor TFLM recorded that the device model keeps was compared.
        var expectedChecked = golden.LayerIndex()
            .Where(l => (l.Type is "INT8" or "INT16" || source.Tensors[l.Tensor].IsVariable) && !source.Tensors[l.Tensor].IsConstant && conversion.TensorMap.ContainsKey(l.Tensor))
            .Select(l => l.Tensor)
            .ToHashSet();
        Assert.Subset(checkedTensors, expectedChecked);
        Assert.NotEmpty(checkedTensors);

        void CompareDeviceTensor(int device)
        {
            var tensor = interpreter.GetTensor(device);
            int elementSize = tensor.Type == Format.TensorType.Int16 ? 2 : 1;
            byte[] actual = tensor.Data.Skip(tensor.Offset).Take(tensor.Length * elementSize).Select(v => unchecked((byte)v)).ToArray();
            var expectedType = tensor.Type == Format.TensorType.Int16 ? NpyType.Int16 : NpyType.Int8;
            foreach (int s in deviceToSource.GetValueOrDefault(device, []))
            {
                if (golden.Layer(s) is { } layer && layer.Type == expectedType)
                {
                    AssertBytesEqual(layer.Data, actual, $"{name} tensor {s} '{source.Tensors[s].Name}'");
                    checkedTensors.Add(s);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Int8Goldens))]
    public void Arena_is_no_larger_than_TFLite_Micro_and_at_least_the_lower_bound(string name)
    {
        var golden = Golden.Load(name);
        var conversion = Converter.ConvertFile(golden.ModelPath);
        Assert.InRange(conversion.Plan.ArenaBytes, conversion.Plan.LowerBound, golden.ReferenceArenaBytes);
        Assert.Equal(conversion.Plan.ArenaBytes, new Interpreter(conversion.Bytes).ArenaBytes);
    }

    private static void AssertBytesEqual(byte[] expected, byte[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        int mismatches = 0, first = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i] != actual[i])
            {
                mismatches++;
                first = first < 0 ? i : first;
            }
        }

        Assert.True(mismatches == 0, $"{what}: {mismatches} of {expected.Length} bytes differ, first at {first} (expected {(first >= 0 ? expected[first] : 0)}, got {(first >= 0 ? actual[first] : 0)})");
    }
}
