using Spectre.Console;

namespace NanoQuant.Cli;

/// <summary>
/// A long step's progress, drawn by Spectre.Console's progress display on stderr ("calibrating ━━━━━╺━━━ 60%
/// 120/200 00:00:01"), and only when stderr is a terminal: redirected or captured output gets nothing, so
/// stdout, JSON and the one <c>error:</c> line stay as they are. Safe to report from several threads; the
/// display refreshes on its own thread until <see cref="Dispose"/>.
/// </summary>
public sealed class CliProgress : NanoQuant.Host.Conversion.IPhasedProgress, IDisposable
{
    private volatile Phase _phase;
    private readonly Task? _display;
    private readonly CancellationTokenSource _finished = new();
    private int _done;
    private int _disposed;
    private readonly bool _indeterminate;
    private volatile string _note = "";

    /// <param name="console">Where to draw: its stderr, and only when that is a terminal.</param>
    /// <param name="label">What is being done.</param>
    /// <param name="total">Steps of the job.</param>
    /// <param name="minimumTotal">Fewer steps are not drawn: a few samples finish at once, but each of a few benchmarked models takes seconds.</param>
    /// <param name="clearWhenDone">Remove the display when done (one bar after another, each replaced by the step's result line) instead of leaving its final state.</param>
    public CliProgress(CliConsole console, string label, int total, int minimumTotal = 100, bool clearWhenDone = false)
        : this(console, label, total, minimumTotal, clearWhenDone, indeterminate: false)
    {
    }

    private CliProgress(CliConsole console, string label, int total, int minimumTotal, bool clearWhenDone, bool indeterminate)
    {
        _phase = new Phase(label.Trim(), Math.Max(total, 1));
        _indeterminate = indeterminate;
        if (!console.Interactive || total < minimumTotal)
        {
            return;
        }

        var terminal = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(console.Error),
        });
        var progress = terminal.Progress()
            .AutoClear(clearWhenDone)
            .Columns(indeterminate
                ? [new TaskDescriptionColumn(), new ProgressBarColumn(), new ElapsedTimeColumn()]
                : [new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn()]);
        _display = progress.StartAsync(async context =>
        {
            var task = context.AddTask(Markup.Escape(_phase.Label), maxValue: _phase.Total);
            task.IsIndeterminate = _indeterminate;
            while (!_finished.IsCancellationRequested)
            {
                Update(task);
                try
                {
                    await Task.Delay(100, _finished.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }

            Update(task);
        });
    }

    /// <summary>
    /// A step that reports no progress of its own (one nanoCLR process, say): a moving bar and the elapsed
    /// time until disposed, on a terminal only.
    /// </summary>
    public static CliProgress Busy(CliConsole console, string label) => new(console, label, 1, 1, clearWhenDone: true, indeterminate: true);

    /// <summary>The step in progress, shown after the label (a model's name, say).</summary>
    public string Note
    {
        get => _note;
        set => _note = value;
    }

    /// <summary>
    /// A next phase of the job with its own label and total (the <c>auto</c> method's comparison after calibration): the
    /// same display starts over from 0, so a finished phase does not sit at 100 % while the next one runs.
    /// </summary>
    public void StartPhase(string label, int total)
    {
        _phase = new Phase(label.Trim(), Math.Max(total, 1));
        Interlocked.Exchange(ref _done, 0);
    }

    public void Report(int value)
    {
        int current;
        do
        {
            current = Volatile.Read(ref _done);
            if (value <= current)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _done, value, current) != current);
    }

    /// <summary>Draws the final state and ends the display; a second call does nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _finished.Cancel();
        _display?.GetAwaiter().GetResult();
        _finished.Dispose();
    }

    private void Update(ProgressTask task)
    {
        string note = _note;
        var phase = _phase;
        if (_indeterminate)
        {
            task.Description = Markup.Escape(note.Length == 0 ? phase.Label : $"{phase.Label} {note}");
            return;
        }

        int done = Math.Min(Volatile.Read(ref _done), phase.Total);
        task.MaxValue = phase.Total;
        task.Value = done;
        task.Description = Markup.Escape(note.Length == 0 ? $"{phase.Label} {done}/{phase.Total}" : $"{phase.Label} {done}/{phase.Total} {note}");
    }

    private sealed record Phase(string Label, int Total);
}
