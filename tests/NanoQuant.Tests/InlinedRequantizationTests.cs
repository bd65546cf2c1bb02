using System.Text.RegularExpressions;

namespace NanoQuant.Tests;

/// <summary>
/// The conv, depthwise and fully connected kernels write the requantization out in their hot loops (a call
/// per output costs several MACs on nanoCLR). <see cref="Requantization.Apply"/> and
/// <see cref="Requantization.ApplyFolded"/> are the one routine (QuantizedMathTests checks them against
/// <see cref="QuantizedMath.MultiplyByQuantizedMultiplier"/>); this test reads the kernels' sources and fails
/// when an inlined copy is not that routine's expression with the same channel's multiplier, shifts and
/// rounding — a changed constant, a swapped branch or a neighbour channel's shift — which before only the
/// goldens that reach that copy could catch.
/// </summary>
public class InlinedRequantizationTests
{
    // Each kernel with its variants' partial files (Conv2DKernel.Blocked.cs, …).
    private static readonly string[] Kernels = ["Conv2DKernel*.cs", "DepthwiseConv2DKernel*.cs", "FullyConnectedKernel*.cs"];

    // An operand: a local, or an array element such as leftShifts[channel + 1].
    private const string Operand = @"\w+(?:\[[^\]]+\])?";

    [Fact]
    public void Every_inlined_copy_is_the_routine_expression_for_one_channel()
    {
        var (high, result, folded) = Templates();
        var errors = new List<string>();
        int highCopies = 0, foldedCopies = 0;
        string folder = Path.Combine(SharedResources.ProjectRoot, "device", "Kernels");
        foreach (string file in Kernels.SelectMany(pattern => Directory.GetFiles(folder, pattern)).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal))
        {
            string[] lines = File.ReadAllLines(Path.Combine(folder, file));
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i].Trim();
                string where = $"{file}:{i + 1}";
                if (line.Contains("0x40000000L) >> 31", StringComparison.Ordinal))
                {
                    highCopies++;
                    var h = high.Match(line);
                    if (!h.Success)
                    {
                        errors.Add($"{where}: not Requantization.Apply's high multiply: {line}");
                        continue;
                    }

                    // The rounding (when loaded) and the result line follow within three lines.
                    string? index = Index(h.Groups["left"].Value, Index(h.Groups["multiplier"].Value, null, where, errors), where, errors);
                    int j = i + 1;
                    for (; j < Math.Min(lines.Length, i + 4) && !lines[j].Contains("(rounding - high)", StringComparison.Ordinal); j++)
                    {
                        var r = Regex.Match(lines[j].Trim(), @"^(?:int )?rounding = (" + Operand + ");$");
                        if (r.Success)
                        {
                            index = Index(r.Groups[1].Value, index, where, errors);
                        }
                    }

                    var m = j < lines.Length ? result.Match(lines[j].Trim()) : Match.Empty;
                    if (!m.Success)
                    {
                        errors.Add($"{where}: no Requantization.Apply result line follows the high multiply");
                        continue;
                    }

                    Index(m.Groups["right"].Value, index, where, errors);
                    if (m.Groups["target"].Value != h.Groups["x"].Value)
                    {
                        errors.Add($"{where}: requantizes {h.Groups["x"].Value} but stores into {m.Groups["target"].Value}");
                    }
                }
                else if (line.Contains("(rounding - high)", StringComparison.Ordinal) && !result.IsMatch(line))
                {
                    errors.Add($"{where}: not Requantization.Apply's rounding divide: {line}");
                }

                if (line.Contains("p >= -0x40000000L", StringComparison.Ordinal))
                {
                    foldedCopies++;
                    if (!folded.IsMatch(line))
                    {
                        errors.Add($"{where}: not Requantization.ApplyFolded's expression: {line}");
                    }
                }
            }
        }

        Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.Equal(40, highCopies);
        Assert.Equal(13, foldedCopies);
    }

    [Fact]
    public void The_checker_refuses_a_changed_copy()
    {
        var (high, result, folded) = Templates();
        Assert.Matches(high, "high = (((long)(acc1 << leftShifts[channel + 1]) * multipliers[channel + 1]) + 0x40000000L) >> 31;");
        Assert.DoesNotMatch(high, "high = (((long)(acc1 << leftShifts[channel + 1]) * multipliers[channel + 1]) + 0x40000000L) >> 30;");
        Assert.Matches(result, "acc1 = (int)(high >= 0 ? (high + rounding) >> rightShifts[c] : -((rounding - high) >> rightShifts[c])) + outputOffset;");
        Assert.DoesNotMatch(result, "acc1 = (int)(high >= 0 ? (high + rounding) >> rightShifts[c] : -((rounding - high) >> rightShifts[c + 1])) + outputOffset;");
        Assert.DoesNotMatch(result, "acc1 = (int)(high > 0 ? (high + rounding) >> rightShifts[c] : -((rounding - high) >> rightShifts[c])) + outputOffset;");
        Assert.Matches(folded, "acc0 = (int)(p >= -0x40000000L ? (p + up) >> shift : -((down - p) >> shift));");
        Assert.DoesNotMatch(folded, "acc0 = (int)(p >= -0x40000000L ? (p + up) >> shift : -((up - p) >> shift));");
    }

    /// <summary>The three expressions as regular expressions, built from Requantization.cs's own source lines.</summary>
    private static (Regex High, Regex Result, Regex Folded) Templates()
    {
        string source = File.ReadAllText(Path.Combine(SharedResources.ProjectRoot, "device", "Kernels", "Requantization.cs"));
        string highLine = Line(source, "long high = (((long)(x << left)");
        string resultLine = Line(source, "return (int)(high >= 0");
        string foldedLine = Line(source, "return (int)(p >= -0x40000000L");

        string high = Regex.Escape(highLine["long ".Length..])
            .Replace(Regex.Escape("(x << left)"), $@"\((?<x>\w+) << (?<left>{Operand})\)", StringComparison.Ordinal)
            .Replace(Regex.Escape("* multiplier)"), $@"\* (?<multiplier>{Operand})\)", StringComparison.Ordinal);
        string result = Regex.Escape(resultLine["return ".Length..^1])
            .Replace(Regex.Escape(">> right :"), $@">> (?<right>{Operand}) :", StringComparison.Ordinal)
            .Replace(Regex.Escape(">> right)"), @">> \k<right>\)", StringComparison.Ordinal);
        string folded = Regex.Escape(foldedLine["return ".Length..^1])
            .Replace(Regex.Escape("FoldedUp(right, offset)"), @"(?<up>\w+)", StringComparison.Ordinal)
            .Replace(Regex.Escape("FoldedDown(right, offset)"), @"(?!\k<up>\b)(?<down>\w+)", StringComparison.Ordinal)
            .Replace(Regex.Escape(">> shift :"), @">> (?<shift>\w+) :", StringComparison.Ordinal)
            .Replace(Regex.Escape(">> shift)"), @">> \k<shift>\)", StringComparison.Ordinal);
        Assert.Contains("(?<right>", result, StringComparison.Ordinal);
        Assert.Contains("(?<up>", folded, StringComparison.Ordinal);
        return (new Regex($"^(?:long )?{high}$"),
            new Regex($@"^(?<target>\w+) = {result}(?: \+ outputOffset)?;$"),
            new Regex($@"^(?<target>\w+) = {folded};$"));
    }

    private static string Line(string source, string start) =>
        source.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith(start, StringComparison.Ordinal));

    /// <summary>The index inside an operand's brackets (null for a local), checked against the one seen so far.</summary>
    private static string? Index(string operand, string? seen, string where, List<string> errors)
    {
        int open = operand.IndexOf('[', StringComparison.Ordinal);
        if (open < 0)
        {
            return seen;
        }

        string index = operand[(open + 1)..^1];
        if (seen is not null && seen != index)
        {
            errors.Add($"{where}: channel [{index}] mixed with channel [{seen}]");
        }

        return index;
    }
}
