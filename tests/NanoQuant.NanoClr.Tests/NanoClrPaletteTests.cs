using NanoQuant.Host.Conversion;
using NanoQuant.Host.DeviceModels;
using NanoQuant.Host.NanoClr;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Runtime;

namespace NanoQuant.Tests.NanoClr;

/// <summary>
/// Palette weights (format 2) and compact int32 constants (format 3) on the real nanoCLR: goldens converted
/// with every fitting int8 constant stored as a palette, int32 constants narrow and folded biases derived,
/// run in one nanoCLR process decoded at load (in-RAM loader) and decoded per operator (streaming loader),
/// every case byte-exact against TFLite Micro.
/// </summary>
public sealed class NanoClrPaletteTests
{
    private static readonly string[] Models = ["op_conv_3x3_same_relu", "op_dwconv_3x3_mult2_same_relu", "op_fc_perchannel", "op_fc_pertensor", "kws_ref_model_int8"];

    [Fact]
    public void Palette_models_give_TFLMs_bytes_on_nanoCLR_decoded_at_load_and_per_operator()
    {
        var jobs = new List<NanoClrJob>();
        var locals = new List<(string Name, Golden Golden, ModelRunner Local)>();
        foreach (string name in Models)
        {
            var golden = Golden.Load(name);
            var conversion = Converter.ConvertFile(golden.ModelPath, PaletteMode.Always, compactConstants: true);
            Assert.Contains(conversion.Model.Tensors, t => t.Palette is not null);
            Assert.Contains(conversion.Model.Tensors, t => t.NarrowBytes > 0);
            var cases = Enumerable.Range(0, golden.CaseCount).Select(c => (IReadOnlyList<NpyArray>)golden.Inputs(c)).ToList();
            foreach (var mode in new[] { NanoClrLoadMode.Ram, NanoClrLoadMode.StreamWeights })
            {
                var (job, local) = NanoClrModelRunner.PrepareJob(conversion.Bytes, cases);
                jobs.Add(job with { Mode = mode });
                locals.Add((name + " " + mode, golden, local));
            }
        }

        var batch = new NanoClrHost().Run(jobs);
        for (int j = 0; j < jobs.Count; j++)
        {
            var (what, golden, local) = locals[j];
            for (int c = 0; c < golden.CaseCount; c++)
            {
                var actual = NanoClrModelRunner.OutputsOf(local, batch.Jobs[j], c, 1);
                var expected = golden.Outputs(c);
                for (int o = 0; o < expected.Length; o++)
                {
                    Assert.True(expected[o].ToBytes().AsSpan().SequenceEqual(actual[o].ToBytes()), $"{what} case {c} output {o} differs from TFLM on nanoCLR");
                }
            }
        }
    }
}
