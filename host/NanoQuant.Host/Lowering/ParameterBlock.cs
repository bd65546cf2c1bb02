namespace NanoQuant.Host.Lowering;

/// <summary>
/// An operator's parameter array written by the indices of its layout (shared/Layouts), so a lowering names
/// each value instead of relying on its position in an array literal.
/// </summary>
internal static class ParameterBlock
{
    /// <summary>
    /// <paramref name="count"/> parameters, each index of <paramref name="values"/> set once; an index left out
    /// or set twice is a mistake in the lowering, not in the model, and throws.
    /// </summary>
    public static int[] Of(int count, params (int Index, int Value)[] values)
    {
        var block = new int[count];
        var set = new bool[count];
        foreach (var (index, value) in values)
        {
            if (set[index])
            {
                throw new InvalidOperationException($"parameter {index} is set twice");
            }

            block[index] = value;
            set[index] = true;
        }

        int missing = Array.IndexOf(set, false);
        return missing < 0 ? block : throw new InvalidOperationException($"parameter {missing} of {count} is not set");
    }
}
