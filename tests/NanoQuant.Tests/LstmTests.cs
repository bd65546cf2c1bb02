using NanoQuant.Format;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.DeviceModels;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Runtime;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Tests;

/// <summary>
/// UNIDIRECTIONAL_SEQUENCE_LSTM and variable (state) tensors: the stream golden (state carried from
/// frame to frame, and reset before each), state at its zero point after load and reset, the memory
/// plan with state pinned, no allocation in Invoke, and malformed LSTMs refused at conversion and load.
/// (Every case and intermediate tensor of the LSTM goldens is checked by <see cref="GoldenModelTests"/>.)
/// </summary>
public class LstmTests
{
    private const string Stream = "dtln_noise_suppression_stream";

    private static ConversionResult Convert(string name) => Converter.ConvertFile(SharedResources.ModelPath(name));

    [Fact]
    public void Stream_golden_frames_match_with_state_carried_and_with_a_reset_before_each()
    {
        var golden = Golden.Load(Stream);
        var runner = new ModelRunner(Converter.ConvertFile(golden.ModelPath).Bytes);
        var frames = golden.Inputs(0);
        Assert.Equal(4, frames[0].Shape.Length);
        Assert.Equal(24, frames[0].Shape[0]);

        var carried = runner.Run(frames);
        var expectedCarried = NpyArray.Load(Path.Combine(golden.Directory, "output_0_0.npy"));
        Assert.Equal(expectedCarried.Shape, carried[0].Shape);
        Assert.Equal(expectedCarried.Data, carried[0].Data);

        var fresh = new ModelRunner(Converter.ConvertFile(golden.ModelPath).Bytes);
        var reset = fresh.Run(frames, resetState: true);
        var expectedReset = NpyArray.Load(Path.Combine(golden.Directory, "output_0_0_reset.npy"));
        Assert.Equal(expectedReset.Data, reset[0].Data);

        // The state matters: carrying it changes most frames after the first.
        Assert.Equal(expectedCarried.Data.AsSpan(0, 257).ToArray(), expectedReset.Data.AsSpan(0, 257).ToArray());
        Assert.NotEqual(expectedCarried.Data, expectedReset.Data);
    }

    [Fact]
    public void Stream_frames_run_one_by_one_with_Invoke_carry_state_and_ResetState_restarts_the_sequence()
    {
        var golden = Golden.Load(Stream);
        var interpreter = new Interpreter(Converter.ConvertFile(golden.ModelPath).Bytes);
        Assert.True(interpreter.HasState);
        sbyte[] frames = golden.Inputs(0)[0].ToSBytes();
        sbyte[] carried = NpyArray.Load(Path.Combine(golden.Directory, "output_0_0.npy")).ToSBytes();
        var output = new sbyte[257];
        for (int pass = 0; pass < 2; pass++)
        {
            for (int f = 0; f < 24; f++)
            {
                interpreter.GetInput(0).CopyFrom(frames, f * 257);
                interpreter.Invoke();
                interpreter.GetOutput(0).CopyTo(output, 0);
                Assert.Equal(carried.AsSpan(f * 257, 257).ToArray(), output);
            }

            // A second pass over the same frames gives the same outputs only after a reset.
            interpreter.ResetState();
        }
    }

    [Fact]
    public void State_starts_at_its_zero_point_and_reset_restores_it()
    {
        var conversion = Convert("dtln_noise_suppression");
        var interpreter = new Interpreter(conversion.Bytes);
        var state = Enumerable.Range(0, interpreter.TensorCount).Select(interpreter.GetTensor).Where(t => t.IsVariable).ToList();
        Assert.Equal(4, state.Count);
        Assert.Equal(2, state.Count(t => t.Type == TensorType.Int8));
        Assert.Equal(2, state.Count(t => t.Type == TensorType.Int16));
        Assert.Contains(state, t => t.ZeroPoint == -4);

        void AssertReset()
        {
            foreach (var t in state)
            {
                for (int i = 0; i < t.Length; i++)
                {
                    int value = t.Type == TensorType.Int8 ? t.GetInt8(i) : (t.Data[t.Offset + (2 * i)] & 0xFF) | (t.Data[t.Offset + (2 * i) + 1] << 8);
                    Assert.Equal(t.Type == TensorType.Int8 ? t.ZeroPoint : 0, value);
                }
            }
        }

        AssertReset();
        var input = interpreter.GetInput(0);
        for (int i = 0; i < input.Length; i++)
        {
            input.SetInt8(i, (sbyte)((i * 29) % 256 - 128));
        }

        interpreter.Invoke();
        Assert.Contains(state, t => Enumerable.Range(0, t.Length * (t.Type == TensorType.Int8 ? 1 : 2)).Any(i => t.Data[t.Offset + i] != (t.Type == TensorType.Int8 ? (sbyte)t.ZeroPoint : 0)));
        interpreter.ResetState();
        AssertReset();
    }

    [Theory]
    [InlineData("trained_lstm_int8")]
    [InlineData("micro_speech_lstm")]
    [InlineData("dtln_noise_suppression")]
    public void Plan_equals_its_lower_bound_with_state_pinned_for_the_whole_run(string name)
    {
        var conversion = Convert(name);
        Assert.Equal(conversion.Plan.LowerBound, conversion.Plan.ArenaBytes);
        var model = conversion.Model;
        var state = model.Tensors.Select((t, i) => (t, i)).Where(p => (p.t.Flags & ModelFormat.FlagVariable) != 0).ToList();
        Assert.NotEmpty(state);

        // A state tensor shares no arena byte with any other arena tensor.
        foreach (var (s, si) in state)
        {
            foreach (var (t, ti) in model.Tensors.Select((t, i) => (t, i)).Where(p => p.t.IsArena && p.i != si))
            {
                bool overlap = s.ArenaOffset < t.ArenaOffset + t.ByteLength && t.ArenaOffset < s.ArenaOffset + s.ByteLength;
                Assert.False(overlap, $"{name}: state tensor {si} overlaps tensor {ti}");
            }
        }
    }

    [Fact]
    public void Invoke_allocates_nothing()
    {
        var interpreter = new Interpreter(Convert("dtln_noise_suppression").Bytes);

        // Warm up past tiered compilation, which may allocate on this thread when it swaps code in.
        for (int i = 0; i < 200; i++)
        {
            interpreter.Invoke();
            interpreter.ResetState();
        }

        Thread.Sleep(200);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            interpreter.Invoke();
            interpreter.ResetState();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>
    /// Batches of two sequences, batch-major and time-major, give each sequence's outputs exactly as
    /// running it alone: the kernel's two step orders (TFLM's EvalLstm: time-major steps all batch
    /// rows together; batch-major runs each row through all its steps with its own state row).
    /// </summary>
    [Fact]
    public void Two_sequences_batched_batch_major_and_time_major_match_running_each_alone()
    {
        const int T = 28, I = 28, S = 20;
        var random = new Random(5);
        var sequences = new sbyte[2][];
        for (int b = 0; b < 2; b++)
        {
            sequences[b] = new sbyte[T * I];
            for (int k = 0; k < sequences[b].Length; k++)
            {
                sequences[b][k] = (sbyte)random.Next(-128, 128);
            }
        }

        var alone = new Interpreter(LstmOnly(1, timeMajor: false));
        var expected = new sbyte[2][];
        for (int b = 0; b < 2; b++)
        {
            alone.ResetState();
            alone.GetInput(0).CopyFrom(sequences[b], 0);
            alone.Invoke();
            expected[b] = new sbyte[T * S];
            alone.GetOutput(0).CopyTo(expected[b], 0);
        }

        Assert.NotEqual(expected[0], expected[1]);

        var batchMajor = new Interpreter(LstmOnly(2, timeMajor: false));
        batchMajor.GetInput(0).CopyFrom([.. sequences[0], .. sequences[1]], 0);
        batchMajor.Invoke();
        var output = new sbyte[2 * T * S];
        batchMajor.GetOutput(0).CopyTo(output, 0);
        Assert.Equal([.. expected[0], .. expected[1]], output);

        var timeMajor = new Interpreter(LstmOnly(2, timeMajor: true));
        var interleaved = new sbyte[2 * T * I];
        for (int t = 0; t < T; t++)
        {
            for (int b = 0; b < 2; b++)
            {
                Array.Copy(sequences[b], t * I, interleaved, ((t * 2) + b) * I, I);
            }
        }

        timeMajor.GetInput(0).CopyFrom(interleaved, 0);
        timeMajor.Invoke();
        timeMajor.GetOutput(0).CopyTo(output, 0);
        for (int t = 0; t < T; t++)
        {
            for (int b = 0; b < 2; b++)
            {
                Assert.Equal(expected[b].AsSpan(t * S, S).ToArray(), output.AsSpan(((t * 2) + b) * S, S).ToArray());
            }
        }
    }

    /// <summary>trained_lstm_int8's LSTM alone, for <paramref name="batches"/> sequences, re-planned.</summary>
    private static byte[] LstmOnly(int batches, bool timeMajor)
    {
        var source = DeviceModelReader.Read(Convert("trained_lstm_int8").Bytes);
        var op = source.Operators.Single(o => o.Type == OperatorType.UnidirectionalSequenceLstm);
        var model = new DeviceModel();
        var map = new Dictionary<int, int>();
        int Map(int t, int[]? shape = null)
        {
            if (!map.TryGetValue(t, out int index))
            {
                index = model.AddTensor(Copy(source.Tensors[t], shape: shape));
                map[t] = index;
            }

            return index;
        }

        int input = Map(op.Inputs[0], timeMajor ? [28, batches, 28] : [batches, 28, 28]);
        int output = Map(op.Outputs[0], timeMajor ? [28, batches, 20] : [batches, 28, 20]);
        int[] inputs = op.Inputs.Select((t, slot) => slot == 0 ? input : Map(t, slot is 17 or 18 ? [batches, 20] : null)).ToArray();
        var parameters = op.Parameters.ToArray();
        parameters[0] = timeMajor ? 1 : 0;
        model.Operators.Add(new DeviceOperator(op.Type, inputs, [output], parameters));
        model.Inputs.Add(input);
        model.Outputs.Add(output);
        var plan = Host.Planning.MemoryPlanner.Plan(model);
        Assert.Equal(plan.LowerBound, plan.ArenaBytes);
        return DeviceModelWriter.Write(model);
    }

    [Fact]
    public void The_int16_sigmoid_and_tanh_follow_the_functions_within_their_table_resolution()
    {
        for (int x = -32768; x <= 32767; x += 7)
        {
            double real = x / 4096.0;
            Assert.InRange(Int16Activations.Sigmoid(x) / 32768.0 - (1 / (1 + Math.Exp(-real))), -2e-4, 2e-4);
            Assert.InRange(Int16Activations.Tanh(x, 3, 0) / 32768.0 - Math.Tanh(real), -4e-4, 4e-4);
        }

        Assert.Equal(16384, Int16Activations.Sigmoid(0));
        Assert.Equal(0, Int16Activations.Tanh(0, 3, 0));
        for (int x = 0; x <= 32767; x += 5)
        {
            // Mirrored for negative inputs: sigmoid(−x) = 1 − sigmoid(x), tanh(−x) = −tanh(x), to the last bit but one.
            Assert.InRange(Int16Activations.Sigmoid(x) + Int16Activations.Sigmoid(-x), 32767, 32768);
            Assert.InRange(Int16Activations.Tanh(x, 3, 0) + Int16Activations.Tanh(-x, 3, 0), -1, 1);
        }

        // Saturation beyond the table: the largest cell states of scale 2^-11 (multiplier 6).
        Assert.Equal(32767, Int16Activations.Tanh(32767, 6, 0));
        Assert.Equal(-32767, Int16Activations.Tanh(-32768, 6, 0));
    }

    // --- malformed LSTMs: refused at conversion ---

    private static TfLiteModel Lstm() => TfLiteReader.ReadFile(SharedResources.ModelPath("trained_lstm_int8"));

    private static TfLiteModel WithLstmInputs(TfLiteModel model, Func<int[], int[]> change) => Replace(model, model.Tensors, o => o.Index == 0 ? o with { Inputs = change(o.Inputs.ToArray()) } : o);

    private static TfLiteModel WithTensor(TfLiteModel model, int slot, Func<TfLiteTensor, TfLiteTensor> change)
    {
        int index = model.Operators[0].Inputs[slot];
        return Replace(model, model.Tensors.Select(t => t.Index == index ? change(t) : t).ToList(), o => o);
    }

    private static TfLiteModel Replace(TfLiteModel model, IReadOnlyList<TfLiteTensor> tensors, Func<TfLiteOperator, TfLiteOperator> change) => new()
    {
        SchemaVersion = model.SchemaVersion,
        Description = model.Description,
        Tensors = tensors,
        Operators = model.Operators.Select(change).ToList(),
        Inputs = model.Inputs,
        Outputs = model.Outputs,
        SubgraphCount = model.SubgraphCount,
    };

    private static string Refusal(TfLiteModel model) => Assert.Throws<UnsupportedModelException>(() => Converter.Convert(model)).Message;

    public static TheoryData<string, string> MalformedConversions() => new()
    {
        { "missing cell state", "cell state" },
        { "missing hidden state", "hidden (output) state" },
        { "state not variable", "not a variable tensor" },
        { "wrong gate shape", "must be [20, 28]" },
        { "wrong recurrent shape", "must be [20, 20]" },
        { "short bias", "bias" },
        { "peephole", "peephole" },
        { "projection", "projection" },
        { "layer norm", "layer normalization" },
        { "cifg", "CIFG" },
        { "cell scale not a power of two", "not a power of two" },
        { "cell state int8", "int16" },
        { "asymmetric weights", "symmetric" },
        { "per-channel weights", "per channel" },
        { "output quantized unlike hidden state", "hidden state" },
    };

    [Theory]
    [MemberData(nameof(MalformedConversions))]
    public void Malformed_LSTMs_are_refused_at_conversion_with_a_clear_message(string what, string expected)
    {
        var model = Lstm();
        var weights = model.Tensors[model.Operators[0].Inputs[2]];
        var broken = what switch
        {
            "missing cell state" => WithLstmInputs(model, i => { i[19] = -1; return i; }),
            "missing hidden state" => WithLstmInputs(model, i => { i[18] = -1; return i; }),
            "state not variable" => WithTensor(model, 19, t => t with { IsVariable = false }),
            "wrong gate shape" => WithTensor(model, 2, t => t with { Shape = [28, 20] }),
            "wrong recurrent shape" => WithLstmInputs(model, i => { i[6] = i[2]; return i; }),
            "short bias" => WithTensor(model, 13, t => t with { Shape = [10], Data = t.Data![..40] }),
            "peephole" => WithLstmInputs(model, i => { i[10] = i[13]; return i; }),
            "projection" => WithLstmInputs(model, i => { i[16] = i[6]; return i; }),
            "layer norm" => WithLstmInputs(model, i => { i[21] = i[13]; return i; }),
            "cifg" => WithLstmInputs(model, i => { i[1] = -1; i[5] = -1; i[12] = -1; return i; }),
            "cell scale not a power of two" => WithTensor(model, 19, t => t with { Quantization = new TfLiteQuantization([0.0003f], [0], 0) }),
            "cell state int8" => WithTensor(model, 19, t => t with { Type = TfLiteType.Int8 }),
            "asymmetric weights" => WithTensor(model, 2, t => t with { Quantization = new TfLiteQuantization([weights.Quantization!.Scale], [3], 0) }),
            "per-channel weights" => WithTensor(model, 2, t => t with { Quantization = new TfLiteQuantization(Enumerable.Repeat(weights.Quantization!.Scale, 20).ToArray(), new long[20], 0) }),
            "output quantized unlike hidden state" => Replace(model, model.Tensors.Select(t => t.Index == model.Operators[0].Outputs[0] ? t with { Quantization = new TfLiteQuantization([0.01f], [0], 0) } : t).ToList(), o => o),
            _ => throw new ArgumentException(what),
        };
        string message = Refusal(broken);
        Assert.StartsWith("operator 0 (UNIDIRECTIONAL_SEQUENCE_LSTM): ", message);
        Assert.Contains(expected, message);
    }

    [Fact]
    public void Other_recurrent_operators_are_refused_naming_the_operator()
    {
        var model = Lstm();
        string message = Refusal(Replace(model, model.Tensors, o => o.Index == 0 ? o with { Code = BuiltinOperator.BidirectionalSequenceLstm } : o));
        Assert.StartsWith("operator 0 (BIDIRECTIONAL_SEQUENCE_LSTM): ", message);
        Assert.Contains("not supported", message);
    }

    // --- malformed LSTMs: refused at load ---

    public static TheoryData<string, string> MalformedDeviceModels() => new()
    {
        { "cell state not variable", "before anything writes it" },
        { "hidden state absent", "hidden state (input 17) is missing" },
        { "gate weights transposed", "must be [20, 28]" },
        { "cell state too short", "batch × units" },
        { "cell tanh overflows", "cell tanh" },
        { "state as an output", "variable tensor" },
        { "int16 state with a zero point", "zero point" },
    };

    [Theory]
    [MemberData(nameof(MalformedDeviceModels))]
    public void Malformed_LSTMs_are_refused_at_load_with_a_clear_message(string what, string expected)
    {
        var model = DeviceModelReader.Read(Convert("trained_lstm_int8").Bytes);
        int lstm = model.Operators.FindIndex(o => o.Type == OperatorType.UnidirectionalSequenceLstm);
        var op = model.Operators[lstm];
        int hidden = op.Inputs[17], cell = op.Inputs[18];
        switch (what)
        {
            case "cell state not variable":
                model.Tensors[cell].Flags = 0;
                break;
            case "hidden state absent":
                op.Inputs[17] = ModelFormat.NoTensor;
                break;
            case "gate weights transposed":
                model.Tensors[op.Inputs[2]] = Copy(model.Tensors[op.Inputs[2]], shape: [28, 20]);
                break;
            case "cell state too short":
                model.Tensors[cell] = Copy(model.Tensors[cell], shape: [1, 10]);
                break;
            case "cell tanh overflows":
                op.Parameters[25] = 65535;
                op.Parameters[26] = 30;
                break;
            case "state as an output":
                model.Operators[lstm] = op with { Outputs = [op.Outputs[0], hidden] };
                break;
            case "int16 state with a zero point":
                model.Tensors[cell] = Copy(model.Tensors[cell], zeroPoint: 5);
                break;
        }

        var e = Assert.Throws<InvalidModelException>(() => new Interpreter(DeviceModelWriter.Write(model)));
        Assert.Contains(expected, e.Message);
    }

    private static DeviceTensor Copy(DeviceTensor t, int[]? shape = null, int? zeroPoint = null) => new()
    {
        Type = t.Type,
        Storage = t.Storage,
        Shape = shape ?? t.Shape,
        ZeroPoint = zeroPoint ?? t.ZeroPoint,
        Scale = t.Scale,
        Flags = t.Flags,
        ConstantData = t.ConstantData,
        ArenaOffset = t.ArenaOffset,
        Name = t.Name,
        SourceTensor = t.SourceTensor,
    };
}
