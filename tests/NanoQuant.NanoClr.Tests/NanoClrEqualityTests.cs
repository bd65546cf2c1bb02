using Xunit.Abstractions;

namespace NanoQuant.Tests.NanoClr;

/// <summary>
/// <c>nanoquant run --runtime nanoclr</c> gives the bytes of <c>--runtime dotnet</c> (<see cref="RunEqualitySweep"/>)
/// on every model of ../shared/models that converts and on models no test has seen. In .ci/run: every model up to
/// <see cref="CiMacLimit"/> MACs per Invoke, one random sample each, and 40 mutants; the full sweep
/// (<c>NANOQUANT_NANOCLR_SWEEP=full</c>, run by nanoclr/check-run-equality.sh: MobileNetV2 224×224 too, two
/// samples each, 200 mutants) takes about an hour and its table is in docs/nanoframework.md.
/// </summary>
public sealed class NanoClrEqualityTests(ITestOutputHelper output)
{
    /// <summary>In .ci/run, models above this many MACs per Invoke are left to the full sweep (MobileNetV2 224×224 is about 300 M: over 3 minutes per Invoke here).</summary>
    public const long CiMacLimit = 100_000_000;

    private static bool Full => Environment.GetEnvironmentVariable("NANOQUANT_NANOCLR_SWEEP") == "full";

    [Fact]
    public void Run_on_nanoCLR_gives_the_dotnet_bytes_on_every_model_that_converts()
    {
        var files = RunEqualitySweep.ModelFiles();
        var variants = files.SelectMany(RunEqualitySweep.Variants).ToList();
        var converted = variants.Where(v => v.Bytes is not null).ToList();
        var chosen = Full ? converted : converted.Where(v => new Interpreter(v.Bytes!).MacCount <= CiMacLimit).ToList();
        var rows = RunEqualitySweep.Compare(chosen, Full ? 2 : 1, log: output.WriteLine);
        string table = RunEqualitySweep.Table(variants, rows);
        output.WriteLine(table);
        Report("models", table);

        // Every model file was tried; every integer model of ops/, ops16/ and models16/ converts; float models give both quantizations.
        Assert.True(files.Count >= 115, $"only {files.Count} models under ../shared/models");
        Assert.Equal(files.Count, variants.Select(v => v.Model).Distinct().Count());
        Assert.All(variants.Where(v => v.Model.StartsWith("ops", StringComparison.Ordinal) || v.Model.StartsWith("models16/", StringComparison.Ordinal)),
            v => Assert.True(v.Bytes is not null, $"{v.Model} does not convert: {v.Refusal}"));
        Assert.Contains(rows, r => r.How == "PTQ int8");
        Assert.Contains(rows, r => r.How == "PTQ 16x8");
        Assert.Contains(rows, r => r.Model.StartsWith("extra/", StringComparison.Ordinal));
        Assert.Equal(chosen.Count, rows.Count);
        Assert.All(rows, r => Assert.True(r.Equal, $"{r.Model} ({r.How}): nanoCLR's outputs differ from the desktop runtime's"));
    }

    [Fact]
    public void Run_on_nanoCLR_gives_the_dotnet_bytes_on_models_no_test_has_seen()
    {
        int count = Full ? 200 : 40;
        var mutants = RunEqualitySweep.Mutants(count, seed: 2026);
        Assert.Equal(count, mutants.Count);
        var rows = RunEqualitySweep.Compare(mutants, 2, log: output.WriteLine);
        string table = RunEqualitySweep.Table(mutants, rows);
        output.WriteLine(table);
        Report("mutants", table);
        Assert.Equal(count, rows.Count);
        Assert.All(rows, r => Assert.True(r.Equal, $"{r.Model} ({r.How}): nanoCLR's outputs differ from the desktop runtime's"));
    }

    /// <summary>NANOQUANT_NANOCLR_SWEEP_REPORT=DIR writes the tables there (nanoclr/check-run-equality.sh).</summary>
    private static void Report(string part, string table)
    {
        if (Environment.GetEnvironmentVariable("NANOQUANT_NANOCLR_SWEEP_REPORT") is { Length: > 0 } dir)
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, $"run-equality-{part}.md"), table);
        }
    }
}
