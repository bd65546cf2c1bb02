using NanoQuant.Host.FloatReference;
using NanoQuant.Host.Quantization;
using NanoQuant.Host.Samples;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Tests.Quantization;

/// <summary>The auto method's comparison of its candidates is a phase of its own in the progress: announced, counted to its end, and without effect on the model.</summary>
public sealed class AutoComparisonProgressTests
{
    private static string Sample(string file) => Path.Combine(SharedResources.ProjectRoot, "samples", "sine", file);

    [Fact]
    public void Auto_announces_the_comparison_and_counts_its_device_runs_to_the_end()
    {
        var model = PostTrainingQuantizer.Prepare(TfLiteReader.ReadFile(Sample("sine_float.tflite")));
        var calibration = SampleSet.Load(InputSpec.Of(model.Model), [Sample("calibration.npy")]);
        var phases = new List<(string Label, int Total, int ReportsBefore)>();
        var reports = new List<int>();
        var progress = new Recorder(reports);

        var result = PostTrainingQuantizer.Run(model, calibration, new CalibrationOptions(CalibrationMethod.Auto), new QuantizerOptions(), progress,
            (label, total) => { lock (reports) { phases.Add((label, total, reports.Count)); } });

        var (phase, phaseTotal, start) = Assert.Single(phases);
        Assert.Equal("comparing minmax and mse", phase);
        Assert.Equal(PostTrainingQuantizer.AutoCandidates.Length * calibration.SampleCount, phaseTotal);
        Assert.Equal(calibration.SampleCount, reports.Take(start).Max());   // calibration ran every sample before it
        var comparison = reports.Skip(start).ToList();
        Assert.All(comparison, r => Assert.InRange(r, 0, phaseTotal));
        Assert.Equal(phaseTotal, comparison.Max());

        // The same choice and model without progress; a method that compares nothing announces nothing.
        var quiet = PostTrainingQuantizer.Run(model, calibration, new CalibrationOptions(CalibrationMethod.Auto), new QuantizerOptions());
        Assert.Equal(quiet.Conversion.Bytes, result.Conversion.Bytes);
        phases.Clear();
        PostTrainingQuantizer.Run(model, calibration, new CalibrationOptions(CalibrationMethod.MinMax), new QuantizerOptions(), progress, (l, t) => phases.Add((l, t, 0)));
        Assert.Empty(phases);
    }

    private sealed class Recorder(List<int> reports) : IProgress<int>
    {
        public void Report(int value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
