using System.Diagnostics;

namespace NanoQuant.Cli;

/// <summary>
/// A one-line text progress bar on stderr ("calibrating [######----]  120/200  1.2 s"), redrawn in
/// place; safe to report from several threads. Draws nothing when stderr is not a terminal.
/// </summary>
public sealed class ProgressBar : IProgress<int>, IDisposable
{
    private const int Width = 30;
    private readonly TextWriter _writer;
    private readonly string _label;
    private readonly int _total;
    private readonly bool _enabled;
    private readonly Stopwatch _stopwatch = Stopwatch.StartNew();
    private readonly object _gate = new();
    private int _done;
    private long _lastDraw = -1000;

    /// <param name="console">Where to draw: its stderr, and only when that is a terminal.</param>
    /// <param name="label">What is being done.</param>
    /// <param name="total">Steps of the job.</param>
    /// <param name="minimumTotal">Fewer steps are not drawn: a few samples finish at once, but each of a few benchmarked models takes seconds.</param>
    public ProgressBar(CliConsole console, string label, int total, int minimumTotal = 100)
    {
        _writer = console.Error;
        _label = label;
        _total = Math.Max(total, 1);
        _enabled = console.Interactive && total >= minimumTotal;
    }

    /// <summary>The step in progress, shown after the count (a model's name, say).</summary>
    public string Note { get; set; } = "";

    public void Report(int value)
    {
        if (!_enabled)
        {
            return;
        }

        lock (_gate)
        {
            _done = Math.Max(_done, value);
            long now = _stopwatch.ElapsedMilliseconds;
            if (_done < _total && now - _lastDraw < 100)
            {
                return;
            }

            _lastDraw = now;
            Draw();
        }
    }

    public void Dispose()
    {
        if (!_enabled)
        {
            return;
        }

        lock (_gate)
        {
            Draw();
            _writer.WriteLine();
        }
    }

    private void Draw()
    {
        int filled = (int)((long)_done * Width / _total);
        _writer.Write($"\r{_label} [{new string('#', filled)}{new string('-', Width - filled)}] {_done,6}/{_total}  {_stopwatch.Elapsed.TotalSeconds:F1} s {Note,-24}");
        _writer.Flush();
    }
}
