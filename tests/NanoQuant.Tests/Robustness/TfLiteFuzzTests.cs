using NanoQuant.Host.Fuzzing;
using Xunit.Abstractions;

namespace NanoQuant.Tests.Robustness;

/// <summary>Mutated .tflite files convert, or fail with the reader's or converter's own exception.</summary>
public class TfLiteFuzzTests(ITestOutputHelper output)
{
    public static TheoryData<string> Models() => new(
        Directory.GetFiles(SharedResources.Models, "*.tflite", SearchOption.AllDirectories)
            .Where(p => new FileInfo(p).Length < 2_000_000)
            .Select(p => Path.GetRelativePath(SharedResources.Models, p))
            .Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Models))]
    public void Mutated_tflite_files_give_only_documented_errors(string relativePath)
    {
        byte[] model = File.ReadAllBytes(Path.Combine(SharedResources.Models, relativePath));
        var report = TfLiteFuzzer.Run(model, cases: 150, seed: relativePath.Length * 7919);
        output.WriteLine($"{relativePath}: {report.Cases} cases, {report.Loaded} converted, {report.Rejected} rejected, {report.CasesPerSecond:F0}/s");
        Assert.True(report.Unexpected.Count == 0, string.Join("\n", report.Unexpected.Take(20)));
    }

    /// <summary>
    /// The two unexpected cases of the 1,000,000-file run (seed 10000): a forged output scale (1.1E-11) under RELU6 that
    /// put the activation bound beyond int32, and a LEAKY_RELU whose alpha ratio overflowed single precision; both
    /// are now refused. Each batch is rerun exactly as the run made it (the same model, cases and seed).
    /// </summary>
    [Theory]
    [InlineData("ops/op_dwconv_3x3_valid_s2_relu6.tflite", 10039)]
    [InlineData("ops/op_leaky_relu.tflite", 10047)]
    public void The_cases_the_million_file_run_found_are_refused(string relativePath, int seed)
    {
        byte[] model = File.ReadAllBytes(Path.Combine(SharedResources.Models, relativePath));
        var report = TfLiteFuzzer.Run(model, cases: 8_772, seed: seed);
        output.WriteLine($"{relativePath}: {report.Cases} cases, {report.Loaded} converted, {report.Rejected} rejected");
        Assert.True(report.Unexpected.Count == 0, string.Join("\n", report.Unexpected.Take(20)));
    }
}
