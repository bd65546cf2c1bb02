namespace NanoQuant
{
    /// <summary>
    /// How a palette-stored int8 constant is laid out (docs/device-model-format.md, "Palette block"):
    /// a 4-byte header, <see cref="Channels"/> value tables of 2^<see cref="Bits"/> int8 entries, then
    /// the element indices packed <see cref="Bits"/> bits each, least significant bit first, in the
    /// tensor's row-major order. Every k-bit index is inside its 2^k-entry table by construction, so a
    /// checked block header and length are all decoding needs to stay in bounds. With <see cref="ZeroFlags"/>
    /// (format version 4) each element is a flag bit, 0 for a zero, 1 followed by its index: what pruning saves.
    /// </summary>
    internal sealed class Palette
    {
        /// <summary>Bits per index, 1 … 7.</summary>
        internal int Bits;

        /// <summary>The indices are a zero-flagged stream (<see cref="Format.ModelFormat.PaletteZeroFlags"/>): a zero costs one bit.</summary>
        internal bool ZeroFlags;

        /// <summary>Number of value tables: 1, or the size of the channel axis.</summary>
        internal int Channels;

        /// <summary>Elements in a row-major run that share one channel (the product of the dimensions after the axis).</summary>
        internal int Inner;

        /// <summary>Bytes of the whole block (header, tables, indices).</summary>
        internal int BlockBytes;

        /// <summary>Bytes of the value tables (<see cref="Channels"/> × 2^<see cref="Bits"/>).</summary>
        internal int TableBytes;

        /// <summary>Bytes of the packed indices (never more than the decoded tensor's).</summary>
        internal int IndexBytes;

        /// <summary>The array holding the block when it was loaded into RAM; null when it stays on storage.</summary>
        internal sbyte[] Block;

        /// <summary>Where the block starts in <see cref="Block"/>.</summary>
        internal int BlockOffset;

        /// <summary>Bytes a block of <paramref name="channels"/> tables of <paramref name="bits"/>-bit indices for <paramref name="elements"/> elements needs.</summary>
        internal static long BlockLength(int bits, int channels, int elements)
        {
            return StreamBlockLength(bits, channels, (long)elements * bits);
        }

        /// <summary>Bytes a block of <paramref name="channels"/> tables of <paramref name="bits"/>-bit indices and a <paramref name="streamBits"/>-bit index stream needs.</summary>
        internal static long StreamBlockLength(int bits, int channels, long streamBits)
        {
            return Format.ModelFormat.PaletteHeaderSize + ((long)channels << bits) + ((streamBits + 7) >> 3);
        }

        /// <summary>
        /// Reads the block of the tensor at <paramref name="fileOffset"/> from <paramref name="source"/> and decodes its
        /// <paramref name="count"/> elements into <paramref name="destination"/> from <paramref name="destinationOffset"/>:
        /// the tables into <paramref name="tableScratch"/> (at least <see cref="TableBytes"/> long), the packed
        /// indices into the end of the destination range, then decoded in place — no block-sized buffer needed.
        /// </summary>
        internal void ReadAndDecode(ModelSource source, int fileOffset, sbyte[] tableScratch, int count, sbyte[] destination, int destinationOffset)
        {
            int tables = fileOffset + Format.ModelFormat.PaletteHeaderSize;
            int packedAt = destinationOffset + count - IndexBytes;
            source.ReadInt8(tables, tableScratch, 0, TableBytes);
            source.ReadInt8(tables + TableBytes, destination, packedAt, IndexBytes);
            Decode(tableScratch, 0, destination, packedAt, count, destination, destinationOffset);
        }

        /// <summary>
        /// Decodes <paramref name="count"/> elements into <paramref name="destination"/> from
        /// <paramref name="destinationOffset"/>, looking indices read from <paramref name="packed"/>[<paramref name="packedOffset"/>]
        /// up in the tables at <paramref name="tables"/>[<paramref name="tablesOffset"/>]. The lengths were checked at
        /// load, so every read is inside the block. The packed indices may lie at the very end of the
        /// destination range itself (streaming reads them there): each index byte is read before the element
        /// written at its position, because indices take fewer bits than the int8 values they decode to.
        /// </summary>
        internal void Decode(sbyte[] tables, int tablesOffset, sbyte[] packed, int packedOffset, int count, sbyte[] destination, int destinationOffset)
        {
            if (ZeroFlags)
            {
                DecodeZeroFlagged(tables, tablesOffset, packed, packedOffset, count, destination, destinationOffset);
                return;
            }

            int bits = Bits;
            int mask = (1 << bits) - 1;
            int channels = Channels;
            int inner = Inner;
            int position = packedOffset;
            int outer = count / (channels * inner);
            int e = destinationOffset;
            int pending = 0;
            int pendingBits = 0;
            for (int o = 0; o < outer; o++)
            {
                int table = tablesOffset;
                for (int c = 0; c < channels; c++)
                {
                    int end = e + inner;
                    while (e < end)
                    {
                        if (pendingBits < bits)
                        {
                            pending |= (packed[position++] & 0xFF) << pendingBits;
                            pendingBits += 8;
                        }

                        destination[e++] = tables[table + (pending & mask)];
                        pending >>= bits;
                        pendingBits -= bits;
                    }

                    table += 1 << bits;
                }
            }
        }

        /// <summary>
        /// <see cref="Decode"/> for a zero-flagged stream: per element a flag bit (0: the element is 0) and, after a 1,
        /// its index. The bit buffer is refilled to at least 8 bits while stream bytes remain, and never past the
        /// stream's end (a stream whose flags claim more indices than it holds decodes to zeros there, in bounds).
        /// In place, each element takes at most 8 bits (1 + at most 7), so the stream still to read never lies
        /// before the element being written: refilled ahead, the byte under it has already been read.
        /// </summary>
        private void DecodeZeroFlagged(sbyte[] tables, int tablesOffset, sbyte[] packed, int packedOffset, int count, sbyte[] destination, int destinationOffset)
        {
            int bits = Bits;
            int step = bits + 1;
            int mask = (1 << bits) - 1;
            int tableSize = 1 << bits;
            int inner = Inner;
            int tablesEnd = tablesOffset + (Channels << bits);
            int position = packedOffset;
            int streamEnd = packedOffset + IndexBytes;
            int table = tablesOffset;
            int e = destinationOffset;
            int end = destinationOffset + count;
            int channelEnd = e + inner;
            int pending = 0;
            int pendingBits = 0;
            while (e < end)
            {
                if (pendingBits < 8 && position < streamEnd)
                {
                    pending |= (packed[position++] & 0xFF) << pendingBits;
                    pendingBits += 8;
                }

                if ((pending & 1) == 0)
                {
                    destination[e++] = 0;
                    pending >>= 1;
                    pendingBits--;
                }
                else
                {
                    destination[e++] = tables[table + ((pending >> 1) & mask)];
                    pending >>= step;
                    pendingBits -= step;
                }

                if (e == channelEnd)
                {
                    // The next channel's table; after the last channel, the first again (the next outer row).
                    channelEnd += inner;
                    table += tableSize;
                    if (table == tablesEnd)
                    {
                        table = tablesOffset;
                    }
                }
            }
        }
    }
}
