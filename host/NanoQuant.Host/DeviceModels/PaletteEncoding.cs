using System.Diagnostics;
using NanoQuant.Format;

namespace NanoQuant.Host.DeviceModels;

/// <summary>
/// A lossless palette encoding of an int8 constant (docs/device-model-format.md, "Palette block"):
/// one value table per tensor or per channel of <see cref="Axis"/>, 2^<see cref="Bits"/> entries
/// each, and the element indices packed <see cref="Bits"/> bits each, least significant bit first.
/// With <see cref="ZeroFlags"/> (format version 4) the indices are a stream of one flag bit per element, 0 for a
/// zero and 1 followed by the index of a non-zero value, the tables holding the non-zero values only: a pruned
/// weight costs one bit. Decoding gives back exactly the original int8 values.
/// </summary>
/// <param name="Bits">Index width, 1 … 7.</param>
/// <param name="Axis">Channel axis, or null for one table for the whole tensor.</param>
/// <param name="Block">The palette block as stored: header, tables, packed indices.</param>
public sealed record PaletteEncoding(int Bits, int? Axis, byte[] Block)
{
    /// <summary>Distinct values of the channel (or tensor) with the most, over the chosen axis.</summary>
    public int MaxDistinct { get; init; }

    /// <summary>The zeros are flagged (<see cref="ModelFormat.PaletteZeroFlags"/>): one bit each, the tables hold the other values.</summary>
    public bool ZeroFlags => (Block[ModelFormat.PaletteFlagsOffset] & ModelFormat.PaletteZeroFlags) != 0;

    /// <summary>
    /// The smallest palette encoding of <paramref name="data"/> (shape <paramref name="shape"/>) over
    /// "one table" and every axis as the channel axis, or null when none is at most three quarters of the
    /// plain int8 bytes once both are padded to the constant section's 4-byte alignment (with
    /// <see cref="PaletteMode.Always"/>: null only when no channel layout has ≤ 128 values per channel).
    /// </summary>
    public static PaletteEncoding? Choose(ReadOnlySpan<sbyte> data, int[] shape, PaletteMode mode = PaletteMode.WhenSmaller)
    {
        int n = data.Length;
        if (n == 0 || mode == PaletteMode.Off)
        {
            return null;
        }

        // Decoding costs time on every Invoke and, with weights in RAM, a decode buffer: a palette has to save a
        // quarter of the tensor's bytes to be worth it (16 values per channel save about half; 7-bit ones never do).
        long best = mode == PaletteMode.Always ? long.MaxValue : Align(n) * 3 / 4 + 1;
        Debug.Assert(mode == PaletteMode.Always || (Pays(best - 1, n) && !Pays(best, n)));
        (int Bits, int? Axis, int Distinct, bool ZeroFlags)? choice = null;
        int zeros = mode == PaletteMode.WhenSmallerFlaggingZeros ? data.Count((sbyte)0) : 0;
        for (int axis = -1; axis < shape.Length; axis++)
        {
            int channels = axis < 0 ? 1 : shape[axis];
            int distinct = MaxDistinctPerChannel(data, shape, axis < 0 ? null : axis);
            int bits = BitsFor(distinct);
            if (bits <= ModelFormat.PaletteMaxBits)
            {
                long size = Align(BlockLength(bits, channels, n));
                if (size < best)
                {
                    best = size;
                    choice = (bits, axis < 0 ? null : axis, distinct, false);
                }
            }

            if (zeros > 0)
            {
                // Flagged zeros: the tables hold the non-zero values, each zero costs one bit and every other element 1 + bits.
                int nonZero = MaxDistinctPerChannel(data, shape, axis < 0 ? null : axis, skipZero: true);
                int flaggedBits = BitsFor(nonZero);
                if (flaggedBits <= ModelFormat.PaletteMaxBits)
                {
                    long size = Align(ZeroFlaggedBlockLength(flaggedBits, channels, n, zeros));
                    if (size < best)
                    {
                        best = size;
                        choice = (flaggedBits, axis < 0 ? null : axis, distinct, true);
                    }
                }
            }
        }

        return choice is { } c ? Encode(data, shape, c.Bits, c.Axis, c.ZeroFlags) with { MaxDistinct = c.Distinct } : null;
    }

    /// <summary>Whether <see cref="PaletteMode.WhenSmaller"/> takes a block of <paramref name="blockBytes"/> for <paramref name="elements"/> int8 values.</summary>
    public static bool Pays(long blockBytes, int elements) => Align(blockBytes) <= Align(elements) * 3 / 4;

    /// <summary>Encodes <paramref name="data"/> with <paramref name="bits"/>-bit indices and tables per <paramref name="axis"/>.</summary>
    /// <exception cref="ArgumentException">Some channel has more than 2^bits distinct values.</exception>
    /// <remarks>With <paramref name="zeroFlags"/> the zeros are flagged and the tables hold the other values (2^bits per channel at most).</remarks>
    public static PaletteEncoding Encode(ReadOnlySpan<sbyte> data, int[] shape, int bits, int? axis, bool zeroFlags = false)
    {
        if (bits < ModelFormat.PaletteMinBits || bits > ModelFormat.PaletteMaxBits)
        {
            throw new ArgumentOutOfRangeException(nameof(bits));
        }

        var (channels, inner) = Layout(shape, axis);
        int n = data.Length;
        int tableSize = 1 << bits;
        int zeros = zeroFlags ? data.Count((sbyte)0) : 0;
        var block = new byte[zeroFlags ? ZeroFlaggedBlockLength(bits, channels, n, zeros) : BlockLength(bits, channels, n)];
        block[0] = (byte)bits;
        block[1] = (byte)(axis ?? ModelFormat.PalettePerTensor);
        block[ModelFormat.PaletteFlagsOffset] = (byte)(zeroFlags ? ModelFormat.PaletteZeroFlags : 0);

        // Each channel's table: its distinct values in ascending order, the unused tail zero.
        var index = new int[channels * 256];
        var count = new int[channels];
        var seen = new bool[channels * 256];
        for (int e = 0; e < n; e++)
        {
            if (!zeroFlags || data[e] != 0)
            {
                seen[((e / inner) % channels * 256) + data[e] + 128] = true;
            }
        }

        int tables = ModelFormat.PaletteHeaderSize;
        for (int c = 0; c < channels; c++)
        {
            for (int v = 0; v < 256; v++)
            {
                if (seen[c * 256 + v])
                {
                    if (count[c] == tableSize)
                    {
                        throw new ArgumentException($"channel {c} has more than {tableSize} distinct values");
                    }

                    index[c * 256 + v] = count[c];
                    block[tables + c * tableSize + count[c]] = unchecked((byte)(sbyte)(v - 128));
                    count[c]++;
                }
            }
        }

        long bit = (long)(tables + channels * tableSize) * 8;
        void Put(int value, int width)
        {
            for (int b = 0; b < width; b++, bit++)
            {
                if (((value >> b) & 1) != 0)
                {
                    block[bit >> 3] |= (byte)(1 << (int)(bit & 7));
                }
            }
        }

        for (int e = 0; e < n; e++)
        {
            int i = index[((e / inner) % channels * 256) + data[e] + 128];
            if (!zeroFlags)
            {
                Put(i, bits);
            }
            else if (data[e] == 0)
            {
                Put(0, 1);
            }
            else
            {
                Put(1 | (i << 1), bits + 1);
            }
        }

        return new PaletteEncoding(bits, axis, block);
    }

    /// <summary>Decodes a palette block (already checked by the device loader) back into int8 values.</summary>
    public static sbyte[] Decode(ReadOnlySpan<byte> block, int[] shape)
    {
        int bits = block[0];
        int? axis = block[1] == ModelFormat.PalettePerTensor ? null : block[1];
        var (channels, inner) = Layout(shape, axis);
        int n = shape.Aggregate(1, (a, b) => a * b);
        int tableSize = 1 << bits;
        int tables = ModelFormat.PaletteHeaderSize;
        long bit = (long)(tables + channels * tableSize) * 8;
        bool zeroFlags = (block[ModelFormat.PaletteFlagsOffset] & ModelFormat.PaletteZeroFlags) != 0;
        static int Take(ReadOnlySpan<byte> block, ref long bit, int width)
        {
            // Past the block's end the stream reads as zeros, as the device's decoder does.
            int value = 0;
            for (int b = 0; b < width && bit < (long)block.Length * 8; b++, bit++)
            {
                value |= ((block[(int)(bit >> 3)] >> (int)(bit & 7)) & 1) << b;
            }

            return value;
        }

        var values = new sbyte[n];
        for (int e = 0; e < n; e++)
        {
            if (zeroFlags && Take(block, ref bit, 1) == 0)
            {
                continue;
            }

            int c = (e / inner) % channels;
            values[e] = unchecked((sbyte)block[tables + c * tableSize + Take(block, ref bit, bits)]);
        }

        return values;
    }

    /// <summary>Bytes of a block: header, <paramref name="channels"/> tables of 2^bits entries, packed indices.</summary>
    public static int BlockLength(int bits, int channels, int elements) =>
        checked(ModelFormat.PaletteHeaderSize + (channels << bits) + (int)(((long)elements * bits + 7) / 8));

    /// <summary>Bytes of a block with flagged zeros: header, tables, one bit per zero and 1 + bits per other element.</summary>
    public static int ZeroFlaggedBlockLength(int bits, int channels, int elements, int zeros) =>
        checked(ModelFormat.PaletteHeaderSize + (channels << bits) + (int)(((long)zeros + ((long)(elements - zeros) * (bits + 1)) + 7) / 8));

    /// <summary>The index width that holds <paramref name="distinct"/> values (at least 1).</summary>
    public static int BitsFor(int distinct)
    {
        int bits = 1;
        while ((1 << bits) < distinct)
        {
            bits++;
        }

        return bits;
    }

    /// <summary>Most distinct values in one channel of <paramref name="axis"/> (the whole tensor when null).</summary>
    /// <remarks>With <paramref name="skipZero"/>, zeros are not counted (the tables of flagged zeros do not hold them); at least 1.</remarks>
    public static int MaxDistinctPerChannel(ReadOnlySpan<sbyte> data, int[] shape, int? axis, bool skipZero = false)
    {
        var (channels, inner) = Layout(shape, axis);
        var seen = new bool[channels * 256];
        var distinct = new int[channels];
        for (int e = 0; e < data.Length; e++)
        {
            if (skipZero && data[e] == 0)
            {
                continue;
            }

            int c = (e / inner) % channels;
            int slot = c * 256 + data[e] + 128;
            if (!seen[slot])
            {
                seen[slot] = true;
                distinct[c]++;
            }
        }

        return Math.Max(1, distinct.Max());
    }

    private static (int Channels, int Inner) Layout(int[] shape, int? axis)
    {
        if (axis is not { } a)
        {
            return (1, Math.Max(1, shape.Aggregate(1, (x, y) => x * y)));
        }

        int inner = 1;
        for (int d = a + 1; d < shape.Length; d++)
        {
            inner *= shape[d];
        }

        return (shape[a], inner);
    }

    private static long Align(long bytes) => (bytes + ModelFormat.ConstantAlignment - 1) / ModelFormat.ConstantAlignment * ModelFormat.ConstantAlignment;
}
