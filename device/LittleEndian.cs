namespace NanoQuant
{
    /// <summary>Little-endian reads from a byte array. Callers check bounds first.</summary>
    internal static class LittleEndian
    {
        internal static int ReadUInt16(byte[] buffer, int position)
        {
            return buffer[position] | (buffer[position + 1] << 8);
        }

        internal static int ReadInt32(byte[] buffer, int position)
        {
            return buffer[position] | (buffer[position + 1] << 8) | (buffer[position + 2] << 16) | (buffer[position + 3] << 24);
        }
    }
}
