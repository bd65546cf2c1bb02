using NanoQuant.Format;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.DeviceModels;
using NanoQuant.Host.Runtime;

namespace NanoQuant.Tests.Native;

/// <summary>
/// The C kernels (native/kernels) give the managed kernels' bytes — TFLite Micro's bytes — on
/// every int8 golden, called through the same <see cref="KernelBackend"/> hook the nanoFramework Interop
/// assembly uses; and their checks refuse calls that would leave a tensor.
/// </summary>
public class NativeKernelTests
{
    private static readonly OperatorType[] NativeOperators =
    [
        OperatorType.Conv2D, OperatorType.DepthwiseConv2D, OperatorType.FullyConnected, OperatorType.AveragePool2D,
        OperatorType.MaxPool2D, OperatorType.Add, OperatorType.Sub, OperatorType.Mul, OperatorType.Softmax, OperatorType.Mean,
    ];

    public static TheoryData<string> Int8Goldens() => new(Golden.Int8Names());

    [NativeTheory]
    [MemberData(nameof(Int8Goldens))]
    public void Every_int8_golden_is_byte_exact_through_the_native_kernels(string name)
    {
        var golden = Golden.Load(name);
        var conversion = Converter.ConvertFile(golden.ModelPath);
        var runner = new ModelRunner(conversion.Bytes);
        using var backend = new DesktopNativeBackend(NativeKernelLibrary.Path!);
        int expectedNative = conversion.Model.Operators.Count(o => NativeOperators.Contains(o.Type));
        Assert.Equal(expectedNative, runner.Interpreter.UseBackend(backend));
        Assert.Equal(expectedNative, runner.Interpreter.NativeOperatorCount);
        Assert.Equal("native", runner.Interpreter.Backend);
        // NANOQUANT_NATIVE_RECORD=<folder>: the first case's native calls go to <folder>/<name>.nqrec for the
        // Cortex-M replay (native/tests/cortex-m/replay.sh).
        string? recordFolder = Environment.GetEnvironmentVariable("NANOQUANT_NATIVE_RECORD");
        using var recording = string.IsNullOrEmpty(recordFolder) ? null
            : new BinaryWriter(File.Create(Path.Combine(recordFolder, name + ".nqrec")));
        if (recording != null)
        {
            NativeCallRecording.Begin(recording);
            backend.Recorder = recording;
        }

        for (int c = 0; c < golden.CaseCount; c++)
        {
            var actual = runner.Run(golden.Inputs(c), resetState: true);
            if (recording != null && c == 0)
            {
                NativeCallRecording.End(recording);
                backend.Recorder = null;
            }

            var expected = golden.Outputs(c);
            Assert.Equal(expected.Length, actual.Length);
            for (int o = 0; o < expected.Length; o++)
            {
                Assert.Equal(expected[o].Shape, actual[o].Shape);
                Assert.True(expected[o].Data.AsSpan().SequenceEqual(actual[o].Data),
                    $"{name} case {c} output {o}: the native kernels differ from TFLite Micro");
            }
        }

        Assert.Equal(expectedNative * golden.CaseCount, backend.Calls);
    }

    public static TheoryData<string> Int16Goldens() => new(Golden.Int16Names());

    /// <summary>
    /// NanoQuant.Native's kernels are int8: binding a 16x8 model to the native backend leaves every operator on its
    /// managed kernel (MEAN, one kernel class for int8 and int16, once bound its int16 form too and the C kernel
    /// refused the call on the emulated boards' native firmware) and the bytes stay TFLM's.
    /// </summary>
    [NativeTheory]
    [MemberData(nameof(Int16Goldens))]
    public void A_16x8_golden_keeps_every_operator_managed_under_the_native_backend(string name)
    {
        var golden = Golden.Load(name);
        var runner = new ModelRunner(Converter.ConvertFile(golden.ModelPath).Bytes);
        using var backend = new DesktopNativeBackend(NativeKernelLibrary.Path!);
        Assert.Equal(0, runner.Interpreter.UseBackend(backend));
        Assert.Equal(0, runner.Interpreter.NativeOperatorCount);
        var actual = runner.Run(golden.Inputs(0), resetState: true);
        var expected = golden.Outputs(0);
        for (int o = 0; o < expected.Length; o++)
        {
            Assert.True(expected[o].Data.AsSpan().SequenceEqual(actual[o].Data), $"{name} output {o} differs from TFLite Micro");
        }

        Assert.Equal(0, backend.Calls);
    }

    [NativeFact]
    public void The_native_operators_cover_the_MLPerf_Tiny_models()
    {
        // Every operator that carries MACs in kws, vww, person_detect, ResNet-8 and ad01 runs natively.
        foreach (var model in new[] { "kws_ref_model_int8", "vww_96_int8", "person_detect", "pretrainedResnet_quant", "ad01_int8" })
        {
            var conversion = Converter.ConvertFile(SharedResources.ModelPath(model));
            var interpreter = new Interpreter(conversion.Bytes);
            using var backend = new DesktopNativeBackend(NativeKernelLibrary.Path!);
            interpreter.UseBackend(backend);
            long native = 0;
            for (int i = 0; i < conversion.Model.Operators.Count; i++)
            {
                bool isNative = NativeOperators.Contains(conversion.Model.Operators[i].Type);
                if (isNative)
                {
                    native++;
                }

                // nq_kernel_for of the library under test: nanoQuant's own kernel, or with check-native-kernels.sh's vendor builds
                // (CMSIS-NN wherever it can run a call; ESP-NN for conv and FC) the vendor's for the types it takes (no grouped convs here).
                Assert.Equal(isNative ? NativeKernelLibrary.KernelFor(conversion.Model.Operators[i].Type) : "managed", interpreter.GetOperatorKernel(i));
            }

            Assert.True(native > 0, model);
            Assert.Equal((int)native, interpreter.NativeOperatorCount);
        }
    }

    [NativeFact]
    public void UseBackend_null_goes_back_to_the_managed_kernels()
    {
        var conversion = Converter.ConvertFile(SharedResources.ModelPath("op_conv_3x3_same_relu"));
        var interpreter = new Interpreter(conversion.Bytes);
        Assert.Equal("managed", interpreter.Backend);
        Assert.Equal("managed", interpreter.GetOperatorKernel(0));
        using var backend = new DesktopNativeBackend(NativeKernelLibrary.Path!);
        Assert.Equal(1, interpreter.UseBackend(backend));
        Assert.Equal("native", interpreter.Backend);
        Assert.Equal(NativeKernelLibrary.KernelFor(conversion.Model.Operators[0].Type), interpreter.GetOperatorKernel(0));
        interpreter.Invoke();
        Assert.Equal(1, backend.Calls);
        Assert.Equal(0, interpreter.UseBackend(null));
        Assert.Equal("managed", interpreter.Backend);
        Assert.Equal("managed", interpreter.GetOperatorKernel(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => interpreter.GetOperatorKernel(1));
        interpreter.Invoke();
        Assert.Equal(1, backend.Calls);
    }

    [NativeTheory]
    [InlineData("vww_96_int8")]
    [InlineData("pretrainedResnet_quant")]
    public void Streamed_weights_and_a_split_arena_give_the_same_bytes_natively(string name)
    {
        // Weights read from the stream one operator at a time into a shared buffer, and the arena split
        // into arrays of at most 64 KB: the native calls read each tensor's array and start at every call.
        var golden = Golden.Load(name);
        var conversion = Converter.ConvertFile(golden.ModelPath);
        var reference = new ModelRunner(conversion.Bytes).Run(golden.Inputs(0));
        using var stream = new MemoryStream(conversion.Bytes);
        using var interpreter = new Interpreter(stream, ModelLoadMode.StreamWeights, Interpreter.DefaultMaxArenaBytes, 65536);
        Assert.True(interpreter.IsStreamingWeights);
        using var backend = new DesktopNativeBackend(NativeKernelLibrary.Path!);
        Assert.True(interpreter.UseBackend(backend) > 0);
        var actual = new ModelRunner(interpreter).Run(golden.Inputs(0));
        Assert.True(backend.Calls > 0);
        for (int o = 0; o < reference.Length; o++)
        {
            Assert.True(reference[o].Data.AsSpan().SequenceEqual(actual[o].Data), $"{name} output {o}");
            Assert.True(golden.Outputs(0)[o].Data.AsSpan().SequenceEqual(actual[o].Data), $"{name} output {o} vs TFLM");
        }
    }

    [Fact]
    public void Without_NanoQuant_Native_the_managed_kernels_run()
    {
        // The desktop build ships no NanoQuant.Native assembly: UseNativeKernels finds none and changes nothing.
        var conversion = Converter.ConvertFile(SharedResources.ModelPath("op_conv_3x3_same_relu"));
        var interpreter = new Interpreter(conversion.Bytes);
        Assert.False(interpreter.UseNativeKernels());
        Assert.Equal("managed", interpreter.Backend);
        Assert.Equal(0, interpreter.NativeOperatorCount);
    }

    public static TheoryData<int, int> BadConvCalls() => new()
    {
        { 6, -1 },          // output tensor length one short
        { 4, -1 },          // input tensor length one short
        { 5, -1 },          // filter length one short
        { 7 + 3, 1 },       // input depth no longer a multiple of the filter depth
        { 7 + 14, 9000 },   // pad top beyond the kernel extent
        { 7 + 16, 129 },    // input offset outside [-127, 128]
        { 7 + 18, 200 },    // activation min above max
        { 0, 99 },          // unknown operator
    };

    [NativeTheory]
    [MemberData(nameof(BadConvCalls))]
    public void The_native_checks_refuse_a_call_that_would_leave_a_tensor(int parameter, int change)
    {
        var (parameters, input, filter, output, tables) = RecordFirstCall("op_conv_3x3_same_relu");
        using var backend = new DesktopNativeBackend(NativeKernelLibrary.Path!);
        backend.Run((int[])parameters.Clone(), input, filter, output, tables[0], tables[1], tables[2], tables[3]);
        parameters[parameter] = parameter is 4 or 5 or 6 ? parameters[parameter] + change : change;
        Assert.Throws<ArgumentException>(() => backend.Run(parameters, input, filter, output, tables[0], tables[1], tables[2], tables[3]));
    }

    [NativeFact]
    public void The_native_checks_refuse_out_of_range_shifts_and_short_operands()
    {
        var (parameters, input, filter, output, tables) = RecordFirstCall("op_conv_3x3_same_relu");
        using var backend = new DesktopNativeBackend(NativeKernelLibrary.Path!);
        var shifts = (int[])tables[3]!.Clone();
        shifts[0] = 31;
        Assert.Throws<ArgumentException>(() => backend.Run(parameters, input, filter, output, tables[0], tables[1], tables[2], shifts));
        Assert.Throws<ArgumentException>(() => backend.Run(parameters, input, filter, output, tables[0], tables[1], tables[2], shifts[..^1]));
        Assert.Throws<ArgumentException>(() => backend.Run(parameters, input, filter, output, tables[0], tables[1], tables[2], null!));
    }

    /// <summary>The first native call a model makes, captured with its arrays.</summary>
    private static (int[] Parameters, sbyte[] Input, sbyte[] Second, sbyte[] Output, int[]?[] Tables) RecordFirstCall(string model)
    {
        var conversion = Converter.ConvertFile(SharedResources.ModelPath(model));
        var interpreter = new Interpreter(conversion.Bytes);
        var recorder = new RecordingBackend();
        interpreter.UseBackend(recorder);
        interpreter.Invoke();
        return recorder.First!.Value;
    }

    private sealed class RecordingBackend : KernelBackend
    {
        public (int[], sbyte[], sbyte[], sbyte[], int[]?[])? First { get; private set; }

        public override string Name => "recording";

        public override void Run(int[] parameters, sbyte[] input, sbyte[] second, sbyte[] output, int[] table0, int[] table1, int[] table2, int[] table3)
        {
            First ??= ((int[])parameters.Clone(), input, second, output, [table0, table1, table2, table3]);
        }
    }
}
