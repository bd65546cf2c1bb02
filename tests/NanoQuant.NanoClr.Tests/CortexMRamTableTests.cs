using System.Diagnostics;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.NanoClr;
using NanoQuant.Tests.NanoFramework;
using Xunit.Abstractions;

namespace NanoQuant.Tests.NanoClr;

/// <summary>
/// The heap each model takes on the 32-bit nanoCLR of the emulated Cortex-M7 (the managed firmware image), measured as
/// <see cref="NanoClrRamTableTests"/> measures the 64-bit one: free memory (GC.Run(false)) before the load minus after
/// the load and one Invoke (case 0), the model's byte array not counted, loaded into RAM and with its weights streamed.
/// The managed image runs some 100× slower than native code: loading and invoking every model (ResNet-8 alone is
/// 6.4 G instructions per Invoke) takes longer than CI allows, so CI measures <see cref="CiModels"/> and
/// <see cref="RamTable.Regenerate32"/> measures every row and writes the 32-bit columns.
/// </summary>
public sealed class CortexMRamTableRun
{
    /// <summary>
    /// The rows CI measures: small models whose objects cover the loader's kinds (conv, depthwise, FC per channel,
    /// softmax and LSTM tables, broadcast add, mean, a whole small network, the bundled sine).
    /// </summary>
    public static readonly string[] CiModels =
    [
        "hello_world_int8", NanoClrGoldenRun.BundledModel, "op_conv_3x3_same_relu", "op_dwconv_3x3_same", "op_fc_perchannel",
        "op_softmax_4d_beta1", "op_add_bcast_channel_relu", "op_mean_keepdims", "trained_lstm_int8", "micro_speech_quantized",
    ];

    public CortexMRamTableRun()
    {
        var names = RamTable.Writing ? Golden.Int8Names().Append(NanoClrGoldenRun.BundledModel).ToList() : CiModels.ToList();
        var jobs = new List<NanoClrJob>();
        foreach (string name in names)
        {
            jobs.Add(Job(name));
        }

        var host = new NanoClrHost(new NanoClrOptions { Board = "cortex-m7", Timeout = TimeSpan.FromMinutes(30) });
        var watch = Stopwatch.StartNew();
        // The first model of a boot also pays nanoCLR's one-time costs (1,200 bytes more for hello_world_int8 measured
        // first): every boot starts with hello_world_int8 loaded and invoked in the same mode, unmeasured.
        var warmUp = Job("hello_world_int8");
        var inRam = CortexMGoldenRun.RunInBoots(host, jobs.Select(j => j with { Mode = NanoClrLoadMode.Ram }).ToList(), out int bootsInRam, warmUp with { Mode = NanoClrLoadMode.Ram });
        var streamed = CortexMGoldenRun.RunInBoots(host, jobs.Select(j => j with { Mode = NanoClrLoadMode.StreamWeights }).ToList(), out int bootsStreamed, warmUp with { Mode = NanoClrLoadMode.StreamWeights });
        Wall = watch.Elapsed;
        Boots = bootsInRam + bootsStreamed;
        for (int j = 0; j < names.Count; j++)
        {
            Rows.Add(new RamTable.Row(names[j], jobs[j].Model.Length, inRam[j].ArenaBytes, 0, 0, inRam[j].LoadAndInvokeBytes, streamed[j].LoadAndInvokeBytes));
        }
    }

    /// <summary>The model loaded and invoked once on case 0 (the bundled sine: its first input), memory measured, no outputs sent back.</summary>
    private static NanoClrJob Job(string name)
    {
        NanoClrJob job;
        if (name == NanoClrGoldenRun.BundledModel)
        {
            string resources = Path.Combine(SharedResources.ProjectRoot, "hardware", "common", "Resources");
            byte[] sine = File.ReadAllBytes(Path.Combine(resources, "sine.nq"));
            byte[] input = File.ReadAllBytes(Path.Combine(resources, "sine.input.bin"));
            job = new NanoClrJob(sine, [input[..1]], 1);
        }
        else
        {
            var golden = Golden.Load(name);
            job = NanoClrModelRunner.PrepareJob(Converter.ConvertFile(golden.ModelPath).Bytes, [golden.Inputs(0)]).Job;
        }

        return job with { MeasureMemory = true, ReturnOutputs = false };
    }

    /// <summary>Per model: file bytes, arena and the 32-bit heap in both load modes (the 64-bit columns 0).</summary>
    public List<RamTable.Row> Rows { get; } = [];

    public TimeSpan Wall { get; }

    public int Boots { get; }
}

/// <summary>hardware/ram-table.md's 32-bit columns, measured on the emulated Cortex-M7 (see <see cref="CortexMRamTableRun"/>).</summary>
public sealed class CortexMRamTableTests(CortexMRamTableRun run, ITestOutputHelper output) : IClassFixture<CortexMRamTableRun>
{
    [Fact]
    public void The_32_bit_columns_are_measured_on_the_emulated_Cortex_M7_and_current()
    {
        output.WriteLine($"{run.Rows.Count} models, load + one Invoke each in both load modes: {run.Boots} QEMU boots, {run.Wall.TotalSeconds:F0} s wall");
        if (RamTable.Writing)
        {
            RamTable.Write(run.Rows, (row, saved) => saved is null ? row : row with { InRam64 = saved.InRam64, Streamed64 = saved.Streamed64 });
        }

        var file = RamTable.Parse(File.ReadAllText(RamTable.FilePath)).ToDictionary(r => r.Model);
        foreach (var row in run.Rows)
        {
            output.WriteLine($"{row.Model,-30} 32-bit heap in RAM {row.InRam32,9:N0}, streamed {row.Streamed32,9:N0}");
        }

        foreach (var row in run.Rows)
        {
            Assert.True(file.ContainsKey(row.Model), $"hardware/ram-table.md has no row for {row.Model}; regenerate with {RamTable.Regenerate}");
            var saved = file[row.Model];
            Assert.True(saved.FileBytes == row.FileBytes && saved.Arena == row.Arena && RamTable.Close(saved.InRam32, row.InRam32) && RamTable.Close(saved.Streamed32, row.Streamed32),
                $"hardware/ram-table.md is out of date for {row.Model}: measured {RamTable.Line(row with { InRam64 = saved.InRam64, Streamed64 = saved.Streamed64 })}; regenerate with {RamTable.Regenerate32}");

            // The arena is a real array in both modes; a 32-bit heap block is half a 64-bit one, so the same objects take less.
            Assert.True(row.InRam32 > row.Arena && row.Streamed32 > row.Arena, $"{row.Model}: measured 32-bit heap below the arena");
            Assert.True(row.InRam32 < saved.InRam64 && row.Streamed32 < saved.Streamed64, $"{row.Model}: the 32-bit heap is not below the 64-bit one");
        }
    }
}
