namespace NanoQuant.Host.Lowering;

/// <summary>
/// Precomputation that moves work out of the device's multiply-accumulate loops.
/// Σ (x + offset) × w = Σ x × w + offset × Σ w, so the input offset's share can be added to the
/// bias once per output channel. In int32 wrap-around arithmetic the two are the same bits.
/// </summary>
public static class Folding
{
    /// <summary>bias[c] + inputOffset × Σ weights of channel c (channels are contiguous rows of <paramref name="rowLength"/>).</summary>
    public static int[] FoldInputOffset(int[] bias, sbyte[] weights, int channels, int rowLength, int inputOffset)
    {
        var folded = new int[channels];
        for (int c = 0; c < channels; c++)
        {
            int sum = 0;
            for (int j = 0; j < rowLength; j++)
            {
                sum += weights[(c * rowLength) + j];
            }

            folded[c] = unchecked(bias[c] + (inputOffset * sum));
        }

        return folded;
    }
}
