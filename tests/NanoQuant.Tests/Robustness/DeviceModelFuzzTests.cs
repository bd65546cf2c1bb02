using NanoQuant.Host.Conversion;
using NanoQuant.Host.Fuzzing;
using Xunit.Abstractions;

namespace NanoQuant.Tests.Robustness;

/// <summary>
/// Mutated device models (bit flips, overwrites, truncations, extensions, swaps, forged checksums)
/// either load and invoke cleanly or fail with InvalidModelException — never another exception.
/// </summary>
public class DeviceModelFuzzTests(ITestOutputHelper output)
{
    /// <summary>Cases per golden model in CI: with every int8 golden this is well over 20,000 in all.</summary>
    public const int CasesPerModel = 320;

    public static TheoryData<string> Int8Goldens() => new(Golden.Int8Names());

    [Fact]
    public void Ci_fuzz_covers_at_least_twenty_thousand_cases()
    {
        Assert.True(Golden.Int8Names().Count() * CasesPerModel >= 20_000);
    }

    [Theory]
    [MemberData(nameof(Int8Goldens))]
    public void Mutated_models_load_cleanly_or_fail_with_the_loaders_exception(string name)
    {
        var golden = Golden.Load(name);
        byte[] model = Converter.ConvertFile(golden.ModelPath).Bytes;
        var report = DeviceModelFuzzer.Run(model, CasesPerModel, seed: StableSeed(name));
        output.WriteLine($"{name}: {report.Cases} cases, {report.Loaded} loaded, {report.Rejected} rejected, {report.CasesPerSecond:F0}/s");
        Assert.Equal(CasesPerModel, report.Cases);
        Assert.True(report.Unexpected.Count == 0, string.Join("\n", report.Unexpected.Take(20)));
        Assert.True(report.Rejected > 0, "the fuzzer must produce rejected models");
    }

    /// <summary>
    /// Models whose int8 constants are all stored as palettes (index widths 1 … 7, per tensor and per channel) and
    /// whose int32 constants are compacted (narrow, and derived folded biases).
    /// </summary>
    public static TheoryData<string> PaletteModels() => new(["op_conv_3x3_same_relu", "op_dwconv_3x3_mult2_same_relu", "op_fc_perchannel", "kws_ref_model_int8", "ad01_int8"]);

    [Theory]
    [MemberData(nameof(PaletteModels))]
    public void Mutated_palette_models_load_cleanly_or_fail_with_the_loaders_exception(string name)
    {
        var conversion = Converter.ConvertFile(Golden.Load(name).ModelPath, NanoQuant.Host.DeviceModels.PaletteMode.Always, compactConstants: true);
        Assert.Contains(conversion.Model.Tensors, t => t.Palette is not null);
        Assert.Contains(conversion.Model.Tensors, t => t.NarrowBytes > 0);
        var report = DeviceModelFuzzer.Run(conversion.Bytes, 4 * CasesPerModel, seed: StableSeed(name) ^ 0x5A5A);
        output.WriteLine($"{name} (palettes): {report.Cases} cases, {report.Loaded} loaded, {report.Rejected} rejected");
        Assert.True(report.Unexpected.Count == 0, string.Join("\n", report.Unexpected.Take(20)));
        Assert.True(report.Rejected > 0, "the fuzzer must produce rejected models");
        Assert.Contains(report.RejectionReasons.Keys, r => r.Contains("palette", StringComparison.Ordinal));
    }

    /// <summary>A seed from the model's name that is the same in every run (string.GetHashCode is randomized per process).</summary>
    private static int StableSeed(string name)
    {
        uint hash = 2166136261;
        foreach (char c in name)
        {
            hash = (hash ^ c) * 16777619;
        }

        return (int)(hash & 0x7FFFFFFF);
    }

    [Fact]
    public void Every_single_byte_corruption_is_caught_by_the_checksum()
    {
        byte[] model = Converter.ConvertFile(SharedResources.ModelPath("hello_world_int8")).Bytes;
        for (int position = 0; position < model.Length; position++)
        {
            byte[] corrupted = (byte[])model.Clone();
            corrupted[position] ^= 0x5A;
            var e = Assert.Throws<InvalidModelException>(() => new Interpreter(corrupted));
            if (position >= NanoQuant.Format.ModelFormat.ChecksumStart)
            {
                Assert.Contains("checksum", e.Message);
            }
        }
    }
}
