using System;
using System.IO;

namespace NanoQuant.NanoClr
{
    /// <summary>
    /// A read-only, seekable stream over a byte array. Loading a model over 64 KB through nanoFramework's
    /// MemoryStream (System.IO.Streams 1.1.100 in the kit) threw ArgumentOutOfRangeException on nanoCLR,
    /// so the stream loaders run over this instead.
    /// </summary>
    public sealed class ByteArrayStream : ReadOnlySeekableStream
    {
        private readonly byte[] _bytes;

        /// <summary>A stream over <paramref name="bytes"/>.</summary>
        public ByteArrayStream(byte[] bytes)
            : base(bytes.Length)
        {
            _bytes = bytes;
        }

        /// <inheritdoc/>
        public override int Read(SpanByte buffer)
        {
            int count = Available(buffer.Length);
            new SpanByte(_bytes, (int)Position, count).CopyTo(buffer);
            Advance(count);
            return count;
        }

        /// <inheritdoc/>
        protected override void CopyAt(long position, byte[] buffer, int offset, int count)
        {
            Array.Copy(_bytes, (int)position, buffer, offset, count);
        }
    }
}
