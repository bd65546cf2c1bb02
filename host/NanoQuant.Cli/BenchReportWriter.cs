using System.Globalization;
using NanoQuant.Host.Benchmarks;
using NanoQuant.Host.NanoClr;

namespace NanoQuant.Cli;

/// <summary>
/// `bench`'s one table and one JSON document (docs/cli-json.md, bench) for every runtime: the same columns and fields,
/// '-' (null in JSON) where a runtime does not measure a figure; the unit (ms or instructions) names the cost columns.
/// </summary>
internal static class BenchReportWriter
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Where the report's runtime ran, for its preamble and the JSON document's root.</summary>
    /// <param name="NanoClr">The nanoCLR executable (null in this process).</param>
    /// <param name="Board">The emulated board (null elsewhere), its QEMU machine and its firmware's kernels.</param>
    /// <param name="Estimate">With --board: the real board whose time is estimated from the instruction count.</param>
    public sealed record Where(string? NanoClr, string? Board, string? Machine, string? Kernels, BoardClock? Estimate);

    public static void WriteJson(TextWriter w, BenchmarkReport report, Where where, IEnumerable<(string Model, string Error)> failures)
    {
        bool instructions = report.Unit == BenchmarkUnit.Instructions;
        CliJson.Write(w, new
        {
            report.Runtime,
            Unit = instructions ? "instructions" : "ms",
            NanoClr = where.NanoClr,
            where.Board,
            where.Machine,
            where.Kernels,
            DotLoopMacsPerSecond = !instructions && report.DotLoopMacsPerUnit is { } perMs ? perMs * 1000 : (double?)null,
            DotLoopMacsPerInstruction = instructions ? report.DotLoopMacsPerUnit : null,
            Estimate = where.Estimate is not { } board ? null : new
            {
                board.Name, board.Hertz, BoardClock.CyclesPerInstruction, BoardClock.CyclesPerInstructionLow, BoardClock.CyclesPerInstructionHigh,
                Source = BoardClock.CalibrationSource,
            },
            Models = report.Rows.Select(r => new
            {
                r.Model, r.Macs, r.MillisecondsPerInvoke, r.InstructionsPerInvoke,
                MacsPerSecond = instructions ? (double?)null : r.MacsPerUnit,
                MacsPerInstruction = instructions ? r.MacsPerUnit : (double?)null,
                EstimatedMilliseconds = where.Estimate?.EstimatedMilliseconds(r.Timing.PerInvoke),
                r.Timing.Ratio, r.Timing.RatioMin, r.Timing.RatioMax, r.Timing.TimedRuns, r.Timing.Rounds, r.Timing.Loaded,
                r.ArenaBytes, r.TfliteMicroArenaBytes, r.LowerBoundBytes, r.DeviceModelBytes, r.TfliteBytes, r.Timing.BytesAllocatedPerInvoke,
                Versus = r.Timing.Versus is not { } v ? null : new { v.Model, v.MillisecondsPerInvoke, v.Ratio, v.RatioMin, v.RatioMax, v.Rounds },
                Operators = r.Operators.Select(o => new
                {
                    o.Index, o.Operator, o.Kernel, o.Macs,
                    MillisecondsPerInvoke = instructions ? (double?)null : o.PerInvoke,
                    InstructionsPerInvoke = instructions ? (long)Math.Round(o.PerInvoke) : (long?)null,
                    o.Share,
                    MacsPerSecond = !instructions && o.Macs > 0 && o.PerInvoke > 0 ? o.Macs / o.PerInvoke * 1000 : (double?)null,
                    o.Ratio,
                }),
            }),
            Failures = failures.Select(f => new { f.Model, f.Error }),
        });
    }

    public static void WriteTable(TextWriter w, BenchmarkReport report, Where where, IEnumerable<string> failedModels, TableFormat format)
    {
        bool instructions = report.Unit == BenchmarkUnit.Instructions;
        if (where.Board is not null)
        {
            w.WriteLine($"{where.Board}: nanoCLR firmware with {where.Kernels} kernels in QEMU {where.Machine} ({where.NanoClr}), one virtual ns per guest instruction:");
            w.WriteLine($"instruction counts are exact to 100 (nanoCLR's 100 ns tick) and identical run to run; plain unrolled int8 dot loop: {report.DotLoopMacsPerUnit:F6} MACs per instruction.");
            if (where.Estimate is { } board)
            {
                w.WriteLine($"estimated ms on {board.Description}: an ESTIMATE, instructions × {BoardClock.CyclesPerInstruction} cycles per instruction "
                    + $"(range {BoardClock.CyclesPerInstructionLow}–{BoardClock.CyclesPerInstructionHigh}; from {BoardClock.CalibrationSource}) ÷ {board.Hertz / 1e6:F0} MHz; measure on the board for a real time.");
            }

            w.WriteLine();
        }
        else if (where.NanoClr is not null)
        {
            w.WriteLine($"nanoCLR ({where.NanoClr}); plain unrolled int8 dot loop in the same process: {report.DotLoopMacsPerUnit * 1000 / 1e6:F2}M MAC/s (median of its rounds)");
            w.WriteLine($"{NanoClrBenchmark.DefaultRounds} rounds per model, each its Invoke calls then the dot loop over as many MACs; ms/invoke, MAC/s and ratio are the median round's, 'ratio range' the lowest and highest round's.");
            w.WriteLine();
        }

        string cost = instructions ? "instructions/invoke" : "ms/invoke";
        string rate = instructions ? "MACs/instruction" : "MAC/s";
        bool versus = report.Rows.Any(r => r.Timing.Versus is not null);
        string[] columns = ["model", ">MACs", ">" + cost, ">" + rate, ">ratio", ">ratio range", ">runs/round", "loaded", ">arena B", ">TFLM arena B", ">lower bound B", ">arena/bound", ">.nq B", ">.tflite B", ">alloc/invoke B"];
        if (versus)
        {
            columns = [.. columns, "versus", ">versus ms/invoke", ">time ÷ versus", ">range"];
        }

        if (where.Estimate is { } estimate)
        {
            columns = [.. columns, $">est. ms @ {estimate.Hertz / 1e6:F0} MHz"];
        }

        var table = new CliTable(columns);
        foreach (var r in report.Rows)
        {
            var t = r.Timing;
            string[] cells = [r.Model, $"{r.Macs:N0}", Cost(t.PerInvoke, instructions, "F3"), r.Macs > 0 ? instructions ? $"{r.MacsPerUnit:F6}" : $"{r.MacsPerUnit / 1e6:F2}M" : "-",
                Ratio(t.Ratio), t.RatioMin is { } low && t.RatioMax is { } high ? $"{Ratio(low)}–{Ratio(high)}" : "-", $"{t.TimedRuns}", t.Loaded ?? "-",
                $"{r.ArenaBytes:N0}", r.TfliteMicroArenaBytes is { } tflm ? $"{tflm:N0}" : "-", $"{r.LowerBoundBytes:N0}", $"{(double)r.ArenaBytes / Math.Max(1, r.LowerBoundBytes):F3}",
                $"{r.DeviceModelBytes:N0}", r.TfliteBytes is { } tflite ? $"{tflite:N0}" : "-", t.BytesAllocatedPerInvoke is { } allocated ? $"{allocated}" : "-"];
            if (versus)
            {
                cells = t.Versus is { } v ? [.. cells, v.Model, $"{v.MillisecondsPerInvoke:F3}", Ratio(v.Ratio), $"{Ratio(v.RatioMin)}–{Ratio(v.RatioMax)}"] : [.. cells, "-", "-", "-", "-"];
            }

            if (where.Estimate is { } board)
            {
                cells = [.. cells, $"~{board.EstimatedMilliseconds(t.PerInvoke):F1}"];
            }

            table.Add(cells);
        }

        foreach (string failed in failedModels)
        {
            table.Add([failed, "not converted", .. Enumerable.Repeat("", columns.Length - 2)]);
        }

        table.Write(w, format);
        if (versus)
        {
            w.WriteLine($"time ÷ versus: each model and its versus timed in alternation ({ModelBenchmark.ComparisonRounds} rounds, each model then versus then versus then model); the median round's ratio and the range of the rounds'.");
        }

        foreach (var r in report.Rows.Where(r => r.Operators.Count > 0))
        {
            w.WriteLine();
            w.WriteLine($"{r.Model}, each operator timed alone ({r.Timing.TimedRuns} runs{(report.DotLoopMacsPerUnit is null ? "" : "; ratio against the dot loop run right after")}):");
            w.WriteLine();
            var operators = new CliTable(">#", "operator", "kernel", ">MACs", ">" + cost, ">share of time", ">" + rate, ">ratio");
            foreach (var o in r.Operators)
            {
                string perUnit = o.Macs > 0 && o.PerInvoke > 0 ? instructions ? $"{o.Macs / o.PerInvoke:F6}" : $"{o.Macs / o.PerInvoke * 1000 / 1e6:F2}M" : "-";
                operators.Add($"{o.Index}", o.Operator, o.Kernel, $"{o.Macs:N0}", Cost(o.PerInvoke, instructions, "F4"), $"{o.Share * 100:F1} %", perUnit, Ratio(o.Ratio));
            }

            operators.Write(w, format);
        }
    }

    private static string Cost(double perInvoke, bool instructions, string milliseconds) =>
        instructions ? $"{Math.Round(perInvoke):N0}" : perInvoke.ToString(milliseconds, Inv);

    private static string Ratio(double? ratio) => ratio is { } r && !double.IsNaN(r) ? r.ToString("F2", Inv) : "-";
}
