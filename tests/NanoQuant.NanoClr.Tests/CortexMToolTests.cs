using System.Text.RegularExpressions;

namespace NanoQuant.Tests.NanoClr;

/// <summary>
/// The packed `nanoquant` tool on the emulated Cortex-M7 and on nanoCLR with the native kernels, from a folder outside
/// any checkout, on a model no other test sees (a sine MLP trained here by `nanoquant sample sine` with its own epoch
/// count): the tool builds nanoCLR and the firmware from the sources it carries, and its bytes are those of
/// --runtime dotnet. Its cache (NANOQUANT_CACHE) is pointed at this checkout's artifacts/, which has the same layout,
/// so the images .ci/run built before are reused (the build scripts and sources are the same bytes, hence the same keys).
/// </summary>
[Collection(InstalledTool.Collection)]
public sealed class CortexMToolTests(InstalledTool tool) : IClassFixture<InstalledTool>
{
    private readonly Dictionary<string, string> _checkoutCache = new() { ["NANOQUANT_CACHE"] = Path.Combine(SharedResources.ProjectRoot, "artifacts") };

    [Fact]
    public void The_installed_tool_runs_and_benches_an_unseen_model_on_the_emulated_Cortex_M7_and_on_nanoclr_native()
    {
        string model = SineModel();
        tool.Run(tool.Tool, "run", model, "--input", "sine/input.npy", "-o", "dotnet.npy");
        byte[] expected = File.ReadAllBytes(Path.Combine(tool.Work, "dotnet.npy"));

        string managed = tool.Run(tool.Tool, _checkoutCache, "run", model, "--input", "sine/input.npy", "-o", "m7.npy", "--runtime", "cortex-m7", "--nanoclr-kit", tool.Kit);
        Assert.Matches(@"cortex-m7 \(nanoCLR firmware in QEMU mps2-an500\): [0-9,]+ instructions per Invoke", managed);
        Assert.Equal(expected, File.ReadAllBytes(Path.Combine(tool.Work, "m7.npy")));

        string native = tool.Run(tool.Tool, _checkoutCache, "run", model, "--input", "sine/input.npy", "-o", "m7-native.npy", "--runtime", "cortex-m7", "--kernels", "native", "--nanoclr-kit", tool.Kit);
        Assert.Matches(@"cortex-m7 \(nanoCLR firmware in QEMU mps2-an500\): [0-9,]+ instructions per Invoke .*; native kernels for [1-9][0-9]* operators", native);
        Assert.Equal(expected, File.ReadAllBytes(Path.Combine(tool.Work, "m7-native.npy")));

        string bench = tool.Run(tool.Tool, _checkoutCache, "bench", "--runtime", "cortex-m7", "-m", model, "--nanoclr-kit", tool.Kit);
        Assert.Matches(@"sine[^\n]*[0-9,]+", bench);
        Assert.Contains("instructions", bench);

        string linux = tool.Run(tool.Tool, _checkoutCache, "run", model, "--input", "sine/input.npy", "-o", "native.npy", "--runtime", "nanoclr-native", "--nanoclr-kit", tool.Kit);
        Assert.Contains("nanoCLR:", linux);
        Assert.Equal(expected, File.ReadAllBytes(Path.Combine(tool.Work, "native.npy")));
    }

    [Fact]
    public void A_firmware_build_that_fails_says_it_was_building_gives_one_error_line_and_caches_nothing()
    {
        string model = SineModel();

        // The kit with a damaged source tarball: the firmware build starts (nothing is cached yet) and fails in it.
        string kit = Path.Combine(tool.Work, "damaged-kit");
        Directory.CreateDirectory(Path.Combine(kit, "src"));
        foreach (string part in new[] { "bin", "lib", "mdp" })
        {
            Directory.CreateSymbolicLink(Path.Combine(kit, part), Path.Combine(tool.Kit, part));
        }

        File.WriteAllText(Path.Combine(kit, "src", "nf-interpreter-posix-min-src.tar.gz"), "not a tarball");
        string cache = Path.Combine(tool.Work, "fresh-cache");
        string output = Path.Combine(tool.Work, "damaged.npy");
        var run = tool.RunRaw(tool.Tool, new Dictionary<string, string> { ["NANOQUANT_CACHE"] = cache },
            "run", model, "--input", "sine/input.npy", "-o", output, "--runtime", "cortex-m7", "--nanoclr-kit", kit);

        Assert.Equal(1, run.Code);
        var lines = run.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("building the nanoCLR firmware for cortex-m7 with managed kernels", StringComparison.Ordinal) && l.Contains(Path.Combine(cache, "cortex-m"), StringComparison.Ordinal));
        var errors = lines.Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).ToArray();
        Assert.True(errors.Length == 1, run.Err);
        Assert.Matches(@"^error: the nanoCLR firmware build for mps2-an500 \(managed kernels\) failed: the kit's source tarball '.*' could not be unpacked \(log: .*\)$", errors[0]);
        Assert.False(File.Exists(output), "an output file was written");
        Assert.Empty(Directory.GetDirectories(Path.Combine(cache, "cortex-m")));
    }

    /// <summary>A sine MLP trained and converted in the work folder (once per class): int8 inside, float input and output.</summary>
    private string SineModel()
    {
        const string model = "sine.nq";
        lock (tool)
        {
            if (!File.Exists(Path.Combine(tool.Work, model)))
            {
                tool.Run(tool.Tool, "sample", "sine", "-o", "sine", "--epochs", "300");
                tool.Run(tool.Tool, "convert", "sine/sine_float.tflite", "--calibration", "sine/calibration.npy", "--io", "float", "-o", model);
            }
        }

        return model;
    }
}
