namespace NanoQuant.Format
{
    /// <summary>
    /// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum of a device model.
    /// Table-driven; the table is built once on first use.
    /// </summary>
    public static class Crc32
    {
        private static uint[] s_table;

        /// <summary>The value to start an incremental computation with.</summary>
        public const uint Initial = 0xFFFFFFFF;

        /// <summary>Feeds <paramref name="count"/> bytes into a running CRC started with <see cref="Initial"/>.</summary>
        public static uint Update(uint crc, byte[] data, int offset, int count)
        {
            uint[] table = s_table;
            if (table == null)
            {
                table = BuildTable();
                s_table = table;
            }

            int end = offset + count;
            for (int i = offset; i < end; i++)
            {
                crc = table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
            }

            return crc;
        }

        /// <summary>Completes a running CRC.</summary>
        public static uint Finish(uint crc)
        {
            return crc ^ 0xFFFFFFFF;
        }

        /// <summary>CRC-32 of a byte range.</summary>
        public static uint Compute(byte[] data, int offset, int count)
        {
            return Finish(Update(Initial, data, offset, count));
        }

        private static uint[] BuildTable()
        {
            uint[] table = new uint[256];
            for (uint n = 0; n < 256; n++)
            {
                uint c = n;
                for (int k = 0; k < 8; k++)
                {
                    c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
                }

                table[n] = c;
            }

            return table;
        }
    }
}
