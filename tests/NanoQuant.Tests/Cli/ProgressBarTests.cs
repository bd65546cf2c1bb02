using NanoQuant.Cli;

namespace NanoQuant.Tests.Cli;

/// <summary>Progress on stderr: drawn only on a terminal, never on stdout, with the step's note; short jobs stay quiet.</summary>
public sealed class ProgressBarTests
{
    [Fact]
    public void Draws_on_stderr_when_it_is_a_terminal_and_never_on_stdout()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = new CliConsole(output, error) { Interactive = true };
        using (var bar = new ProgressBar(console, "benchmarking", 2, minimumTotal: 1))
        {
            bar.Note = "kws_ref_model_int8";
            bar.Report(0);
            bar.Report(2);
        }

        Assert.Equal("", output.ToString());
        Assert.Contains("\rbenchmarking [", error.ToString());
        Assert.Contains("     2/2", error.ToString());
        Assert.Contains("kws_ref_model_int8", error.ToString());
        Assert.EndsWith(Environment.NewLine, error.ToString());
    }

    [Fact]
    public void Stays_quiet_when_stderr_is_redirected_or_the_job_is_short()
    {
        var error = new StringWriter();
        using (var bar = new ProgressBar(new CliConsole(new StringWriter(), error) { Interactive = false }, "running", 1000))
        {
            bar.Report(500);
        }

        using (var bar = new ProgressBar(new CliConsole(new StringWriter(), error) { Interactive = true }, "running", 5))
        {
            bar.Report(5);
        }

        Assert.Equal("", error.ToString());
    }
}
