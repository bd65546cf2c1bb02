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
}
