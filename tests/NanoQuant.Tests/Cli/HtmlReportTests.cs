using System.Diagnostics;
using System.Text.RegularExpressions;
using NanoQuant.Host.Analysis;
using NanoQuant.Host.DeviceModels;
using Xunit.Abstractions;

namespace NanoQuant.Tests.Cli;

/// <summary>
/// The HTML reports of `validate --report` and `convert --report X.html`: a bar per layer, a box per
/// arena tensor, and (when Chromium is installed: `apt-get install chromium`) rendered by headless
/// Chromium, whose DOM and screenshot are checked. Outside CI the rendering check is left out when
/// Chromium is absent; in CI (CI set) its absence fails the test.
/// </summary>
public sealed class HtmlReportTests(ITestOutputHelper log) : CliHarness
{
    [Fact]
    public void Validate_and_convert_reports_hold_the_chart_and_the_memory_plan_and_render_in_chromium()
    {
        Ok("convert", Sample("sine_float.tflite"), "--calibration", Sample("calibration.npy"), "-o", Temp("sine.nq"), "--report", Temp("convert.html"));
        Assert.Contains($"wrote {Temp("validate.html")}", Ok("validate", Temp("sine.nq"), "--float", Sample("sine_float.tflite"), "--input", Sample("input.npy"), "--report", Temp("validate.html")));

        var model = DeviceModelReader.Read(File.ReadAllBytes(Temp("sine.nq")));
        int tensors = ModelAnalysis.ArenaIntervals(model).Count;
        Assert.True(tensors >= 4);
        foreach (string report in new[] { Temp("validate.html"), Temp("convert.html") })
        {
            string html = File.ReadAllText(report);
            Assert.Equal(model.Operators.Count, Regex.Matches(html, "<rect class=\"bar\"").Count);
            Assert.Equal(tensors, Regex.Matches(html, "<rect class=\"tensor\"").Count);
            Assert.DoesNotContain("<script", html);
            Check(report, model.Operators.Count, tensors);
        }

        Assert.Contains("Quantization report: sine_float.tflite", File.ReadAllText(Temp("convert.html")));
        AssertOneError("--report", "validate", Temp("sine.nq"), "--float", Sample("sine_float.tflite"), "--input", Sample("input.npy"), "--report", Temp("r.nq"));
    }

    private void Check(string report, int bars, int tensors)
    {
        string? chromium = new[] { "chromium", "chromium-browser", "google-chrome" }
            .Select(name => Environment.GetEnvironmentVariable("PATH")!.Split(':').Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists))
            .FirstOrDefault(path => path is not null);
        if (chromium is null)
        {
            Assert.True(Environment.GetEnvironmentVariable("CI") is null, "CI needs Chromium for the HTML report check: apt-get install chromium");
            log.WriteLine("Chromium not installed: rendering check left out (apt-get install chromium)");
            return;
        }

        string dom = Run(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", new Uri(report).AbsoluteUri);
        Assert.Equal(bars, Regex.Matches(dom, "<rect class=\"bar\"").Count);
        Assert.Equal(tensors, Regex.Matches(dom, "<rect class=\"tensor\"").Count);
        Assert.Contains("id=\"sqnr-chart\"", dom);
        Assert.Contains("id=\"memory-plan\"", dom);

        string png = Path.ChangeExtension(report, ".png");
        Run(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1000,1300", $"--screenshot={png}", new Uri(report).AbsoluteUri);
        byte[] image = File.ReadAllBytes(png);
        Assert.True(image.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }));
        Assert.True(image.Length > 20_000, $"screenshot of {image.Length} bytes: nothing drawn?");
        File.Delete(png);
    }

    private static string Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), $"{file} did not finish");
        Assert.True(process.ExitCode == 0, $"{file}: exit {process.ExitCode}\n{stderr.Result}");
        return stdout;
    }
}
