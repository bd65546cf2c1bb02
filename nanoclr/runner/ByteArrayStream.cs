using System;
using System.IO;

namespace NanoQuant.NanoClr
{
    /// <summary>
    /// A read-only, seekable stream over a byte array. Loading a model over 64 KB through nanoFramework's
    /// MemoryStream (System.IO.Streams 1.1.100 in the kit) threw ArgumentOutOfRangeException on nanoCLR,
    /// so the stream loaders run over this instead.
    /// </summary>
    public sealed class ByteArrayStream : Stream
    {
        private readonly byte[] _bytes;
        private readonly long _length;
        private long _position;

        /// <summary>A stream over <paramref name="bytes"/>.</summary>
        public ByteArrayStream(byte[] bytes)
        {
            _bytes = bytes;
            _length = bytes.Length;
        }

        /// <inheritdoc/>
        public override bool CanRead
        {
            get { return true; }
        }

        /// <inheritdoc/>
        public override bool CanSeek
        {
            get { return true; }
        }

        /// <inheritdoc/>
        public override bool CanWrite
        {
            get { return false; }
        }

        /// <inheritdoc/>
        public override long Length
        {
            get { return _length; }
        }

        /// <inheritdoc/>
        public override long Position
        {
            get { return _position; }
            set { Seek(value, SeekOrigin.Begin); }
        }

        /// <inheritdoc/>
        public override void Flush()
        {
        }

        /// <inheritdoc/>
        public override int Read(byte[] buffer, int offset, int count)
        {
            long left = _length - _position;
            if (count > left)
            {
                count = (int)left;
            }

            if (count <= 0)
            {
                return 0;
            }

            Array.Copy(_bytes, (int)_position, buffer, offset, count);
            _position += count;
            return count;
        }

        /// <inheritdoc/>
        public override int Read(SpanByte buffer)
        {
            long left = _length - _position;
            int count = buffer.Length < left ? buffer.Length : (int)left;
            new SpanByte(_bytes, (int)_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        /// <inheritdoc/>
        public override long Seek(long offset, SeekOrigin origin)
        {
            long target = origin == SeekOrigin.Begin ? offset : origin == SeekOrigin.Current ? _position + offset : _length + offset;
            if (target < 0 || target > _length)
            {
                throw new IOException("seek outside the array");
            }

            _position = target;
            return _position;
        }

        /// <inheritdoc/>
        public override void SetLength(long value)
        {
            throw new NotSupportedException();
        }

        /// <inheritdoc/>
        public override void Write(byte[] buffer, int offset, int count)
        {
            throw new NotSupportedException();
        }
    }
}
