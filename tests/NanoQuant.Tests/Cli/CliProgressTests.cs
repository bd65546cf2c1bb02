using NanoQuant.Cli;

namespace NanoQuant.Tests.Cli;

/// <summary>Progress on stderr (Spectre.Console's progress display): drawn only on a terminal, never on stdout, with the step's note; short jobs stay quiet.</summary>
public sealed class CliProgressTests
{
    [Fact]
    public void Draws_on_stderr_when_it_is_a_terminal_and_never_on_stdout()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = new CliConsole(output, error) { Interactive = true };
        using (var bar = new CliProgress(console, "benchmarking", 2, minimumTotal: 1))
        {
            bar.Note = "kws_ref_model_int8";
            bar.Report(0);
            bar.Report(2);
            bar.Dispose();   // the commands end a bar before printing their table; the using's second Dispose does nothing
        }

        Assert.Equal("", output.ToString());
        string drawn = error.ToString();
        Assert.Contains("benchmarking 2/2 kws_ref_model_int8", drawn);
        Assert.Contains("100%", drawn);
    }

    [Fact]
    public void Stays_quiet_when_stderr_is_redirected_or_the_job_is_short()
    {
        var error = new StringWriter();
        using (var bar = new CliProgress(new CliConsole(new StringWriter(), error) { Interactive = false }, "running", 1000))
        {
            bar.Report(500);
        }

        using (var bar = new CliProgress(new CliConsole(new StringWriter(), error) { Interactive = true }, "running", 5))
        {
            bar.Report(5);
        }

        Assert.Equal("", error.ToString());
    }

    [Fact]
    public void A_next_phase_starts_the_same_display_over_with_its_own_label_and_total()
    {
        var drawn = new StringWriter();
        var error = TextWriter.Synchronized(drawn);   // the display writes from its own thread
        string Drawn()
        {
            lock (error)
            {
                return drawn.ToString();
            }
        }

        using (var bar = new CliProgress(new CliConsole(new StringWriter(), error) { Interactive = true }, "calibrating", 200))
        {
            bar.Report(200);
            var wait = System.Diagnostics.Stopwatch.StartNew();
            while (!Drawn().Contains("calibrating 200/200", StringComparison.Ordinal) && wait.Elapsed < TimeSpan.FromSeconds(30))
            {
                Thread.Sleep(20);
            }

            bar.StartPhase("comparing minmax and mse", 400);
            bar.Report(100);
        }

        Assert.Contains("calibrating 200/200", Drawn());
        Assert.Contains("comparing minmax and mse 100/400", Drawn());
        Assert.Contains("25%", Drawn());
    }
}
