using NanoQuant.Host.Conversion;
using NanoQuant.Host.Runtime;

namespace NanoQuant.Tests.NanoFramework;

/// <summary>
/// nanoFramework allocates at most 65,535 heap blocks per object (about 786 KB on 32-bit boards, 1.57 MB on
/// the 64-bit nanoCLR), so an arena larger than that is split into several arrays at offsets no tensor
/// crosses. Here the split is forced on desktop with small limits and the outputs must stay TFLM's.
/// </summary>
public sealed class ArenaSegmentTests
{
    public static TheoryData<string> Models() => new("kws_ref_model_int8", "pretrainedResnet_quant");

    [Theory]
    [MemberData(nameof(Models))]
    public void A_split_arena_gives_TFLMs_bytes(string name)
    {
        var golden = Golden.Load(name);
        byte[] model = Converter.ConvertFile(golden.ModelPath).Bytes;
        var whole = new Interpreter(model);

        // The smallest limit (in steps of 1/16 of the arena) at which the plan can be split and the largest
        // operator's streamed weights fit.
        Interpreter? split = null;
        int limit = 0;
        for (int k = 8; k < 16 && split is null; k++)
        {
            limit = whole.ArenaBytes * k / 16;
            try
            {
                split = new Interpreter(new MemoryStream(model, writable: false), ModelLoadMode.StreamWeights, Interpreter.DefaultMaxArenaBytes, limit);
            }
            catch (InvalidModelException)
            {
            }
        }

        Assert.NotNull(split);
        AssertSplit(split, limit, whole.ArenaBytes);
        var runner = new ModelRunner(split);
        for (int c = 0; c < golden.CaseCount; c++)
        {
            var actual = runner.Run(golden.Inputs(c));
            var expected = golden.Outputs(c);
            for (int o = 0; o < expected.Length; o++)
            {
                Assert.True(expected[o].Data.AsSpan().SequenceEqual(actual[o].Data), $"{name} case {c} output {o} differs with the arena split at {limit} bytes");
            }
        }
    }

    [Fact]
    public void MobileNetV2_splits_its_arena_for_nanoCLR_and_gives_the_same_bytes()
    {
        // Its 2.45 MB arena exceeds the 1.57 MB array limit of the 64-bit nanoCLR: the case the split exists for.
        byte[] model = Converter.ConvertFile(SharedResources.ModelPath("mobilenet_v2_quantized_1x3x224x224")).Bytes;
        var whole = new Interpreter(model);
        var split = new Interpreter(new MemoryStream(model, writable: false), ModelLoadMode.StreamWeights, Interpreter.DefaultMaxArenaBytes, 1_572_000);
        AssertSplit(split, 1_572_000, whole.ArenaBytes);

        var input = whole.GetInput(0);
        var random = new Random(7);
        var data = new sbyte[input.Length];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (sbyte)random.Next(-128, 128);
        }

        whole.GetInput(0).CopyFrom(data, 0);
        split.GetInput(0).CopyFrom(data, 0);
        whole.Invoke();
        split.Invoke();
        var a = new sbyte[whole.GetOutput(0).Length];
        var b = new sbyte[a.Length];
        whole.GetOutput(0).CopyTo(a, 0);
        split.GetOutput(0).CopyTo(b, 0);
        Assert.Equal(a, b);
    }

    private static void AssertSplit(Interpreter split, int limit, int arenaBytes)
    {
        var arrays = Enumerable.Range(0, split.TensorCount).Select(split.GetTensor).Where(t => !t.IsConstant).Select(t => t.Data).Distinct().ToList();
        Assert.True(arrays.Count > 1, "the arena was not split");
        Assert.All(arrays, a => Assert.True(a.Length <= limit, $"an arena array of {a.Length} bytes exceeds the limit {limit}"));
        Assert.Equal(arenaBytes, arrays.Sum(a => a.Length));
        Assert.Equal(arenaBytes, split.ArenaBytes);
    }

    [Fact]
    public void An_arena_that_cannot_be_split_is_refused_with_a_clear_message()
    {
        byte[] model = Converter.ConvertFile(Golden.Load("vww_96_int8").ModelPath).Bytes;
        var whole = new Interpreter(model);
        int largestTensor = Enumerable.Range(0, whole.TensorCount).Select(whole.GetTensor).Where(t => !t.IsConstant).Max(t => t.Length);
        var e = Assert.Throws<InvalidModelException>(() => new Interpreter(model, Interpreter.DefaultMaxArenaBytes, largestTensor - 1));
        Assert.Contains("cannot be split into arrays of at most " + (largestTensor - 1), e.Message);
    }

    [Fact]
    public void Weights_over_the_array_limit_are_refused_with_a_clear_message()
    {
        // vww_96_int8: arena 55,296 bytes, 208,112 bytes of int8 constants, largest operator 65,536 bytes of them.
        byte[] model = Converter.ConvertFile(Golden.Load("vww_96_int8").ModelPath).Bytes;
        var whole = new Interpreter(model);
        var inRam = Assert.Throws<InvalidModelException>(() => new Interpreter(model, Interpreter.DefaultMaxArenaBytes, 70_000));
        Assert.Contains("int8 constants of " + whole.ConstantPoolBytes + " bytes exceed the largest array of 70000 bytes", inRam.Message);

        var streamed = new Interpreter(new MemoryStream(model, writable: false), ModelLoadMode.StreamWeights, Interpreter.DefaultMaxArenaBytes, 70_000);
        Assert.True(streamed.WeightBufferBytes - 1024 <= 70_000);
        var tooSmall = Assert.Throws<InvalidModelException>(() => new Interpreter(new MemoryStream(model, writable: false), ModelLoadMode.StreamWeights, Interpreter.DefaultMaxArenaBytes, streamed.WeightBufferBytes - 1025));
        Assert.Contains("more than the largest array of " + (streamed.WeightBufferBytes - 1025) + " bytes", tooSmall.Message);
    }
}
