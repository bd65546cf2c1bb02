using NanoQuant.Format;
using NanoQuant.Host.DeviceModels;

namespace NanoQuant.Host.Planning;

/// <summary>What the memory planner decided and how it compares with the lower bound.</summary>
/// <param name="ArenaBytes">Bytes of arena the plan needs.</param>
/// <param name="LowerBound">The largest total size of tensors alive at the same time: no plan can use less.</param>
/// <param name="Strategy">The placement order that gave the smallest arena.</param>
public sealed record MemoryPlan(int ArenaBytes, int LowerBound, string Strategy)
{
    public double OverLowerBound => LowerBound == 0 ? 1 : (double)ArenaBytes / LowerBound;
}

/// <summary>
/// Places every arena tensor so that tensors alive at the same time never share a byte. A tensor is
/// alive from the operator that writes it (model inputs: from the start) to the last operator that
/// reads it (model outputs: to the end; variable tensors: the whole lifetime). Offsets are found first-fit in several orders (largest
/// first, as TFLite Micro's greedy planner does; longest-lived first; earliest first) and the
/// smallest arena wins.
/// </summary>
public static class MemoryPlanner
{
    public static MemoryPlan Plan(DeviceModel model)
    {
        var lifetimes = Lifetimes(model);
        var arena = lifetimes.Where(l => l.Size > 0).ToArray();
        int lowerBound = LowerBound(arena, model.Operators.Count);

        (string Name, Func<Lifetime, (long, long, long)> Key)[] orders =
        [
            ("largest first", l => (-l.Size, l.First, l.Index)),
            ("longest-lived first", l => (-(long)(l.Last - l.First), -l.Size, l.Index)),
            ("earliest first", l => (l.First, -l.Size, l.Index)),
            ("largest area first", l => (-(long)l.Size * (l.Last - l.First + 1), l.First, l.Index)),
        ];

        int[]? best = null;
        int bestBytes = int.MaxValue;
        string bestName = "";
        foreach (var (name, key) in orders)
        {
            var offsets = Place(arena.OrderBy(key).ToArray(), model.Tensors.Count, out int bytes);
            if (bytes < bestBytes)
            {
                best = offsets;
                bestBytes = bytes;
                bestName = name;
            }
        }

        foreach (var l in arena)
        {
            model.Tensors[l.Index].ArenaOffset = best![l.Index];
        }

        model.ArenaBytes = arena.Length == 0 ? 0 : bestBytes;
        return new MemoryPlan(model.ArenaBytes, lowerBound, bestName);
    }

    /// <summary>An arena tensor's lifetime in operator steps (−1: before the first operator; operator count: after the last).</summary>
    public readonly record struct Lifetime(int Index, int Size, int First, int Last);

    /// <summary>
    /// Every arena tensor's lifetime: from the operator that writes it (model inputs: from the start)
    /// to the last that reads it (model outputs: to the end); variable (state) tensors for the whole run.
    /// </summary>
    public static List<Lifetime> Lifetimes(DeviceModel model)
    {
        int count = model.Tensors.Count;
        var first = Enumerable.Repeat(int.MaxValue, count).ToArray();
        var last = Enumerable.Repeat(int.MinValue, count).ToArray();
        void Touch(int t, int step)
        {
            first[t] = Math.Min(first[t], step);
            last[t] = Math.Max(last[t], step);
        }

        foreach (int t in model.Inputs)
        {
            Touch(t, -1);
        }

        for (int i = 0; i < model.Operators.Count; i++)
        {
            foreach (int t in model.Operators[i].Inputs.Concat(model.Operators[i].Outputs))
            {
                if (t >= 0 && model.Tensors[t].IsArena)
                {
                    Touch(t, i);
                }
            }
        }

        foreach (int t in model.Outputs)
        {
            Touch(t, model.Operators.Count);
        }

        // Variable (state) tensors are pinned: alive for the model's whole lifetime, across Invoke calls.
        for (int t = 0; t < count; t++)
        {
            if (model.Tensors[t].IsArena && (model.Tensors[t].Flags & ModelFormat.FlagVariable) != 0)
            {
                Touch(t, -1);
                Touch(t, model.Operators.Count);
            }
        }

        var lifetimes = new List<Lifetime>();
        for (int t = 0; t < count; t++)
        {
            if (model.Tensors[t].IsArena && first[t] != int.MaxValue)
            {
                lifetimes.Add(new Lifetime(t, model.Tensors[t].ByteLength, first[t], last[t]));
            }
        }

        return lifetimes;
    }

    private static int LowerBound(Lifetime[] lifetimes, int operatorCount)
    {
        int bound = 0;
        for (int step = -1; step <= operatorCount; step++)
        {
            int alive = lifetimes.Where(l => l.First <= step && step <= l.Last).Sum(l => l.Size);
            bound = Math.Max(bound, alive);
        }

        return bound;
    }

    private static int[] Place(Lifetime[] order, int tensorCount, out int arenaBytes)
    {
        var offsets = new int[tensorCount];
        var placed = new List<Lifetime>();
        arenaBytes = 0;
        foreach (var l in order)
        {
            var conflicts = placed
                .Where(p => p.First <= l.Last && l.First <= p.Last)
                .Select(p => (Start: offsets[p.Index], End: offsets[p.Index] + p.Size))
                .OrderBy(r => r.Start)
                .ToList();
            int candidate = 0;
            foreach (var (start, end) in conflicts)
            {
                if (candidate + l.Size <= start)
                {
                    break;
                }

                candidate = Math.Max(candidate, end);
            }

            offsets[l.Index] = candidate;
            arenaBytes = Math.Max(arenaBytes, candidate + l.Size);
            placed.Add(l);
        }

        return offsets;
    }
}
