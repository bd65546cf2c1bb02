using System;
using System.IO;

namespace NanoQuant.NanoClr
{
    /// <summary>
    /// What the runner's read-only streams share: a length, a position, seeking within them, and refusing writes.
    /// A subclass says only how to copy bytes at a position (<see cref="CopyAt"/>) and reads into a span its own way.
    /// </summary>
    public abstract class ReadOnlySeekableStream : Stream
    {
        private readonly long _length;
        private long _position;

        /// <summary>A stream of <paramref name="length"/> bytes, at position 0.</summary>
        protected ReadOnlySeekableStream(long length)
        {
            _length = length;
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
            int read = Available(count);
            if (read <= 0)
            {
                return 0;
            }

            CopyAt(_position, buffer, offset, read);
            _position += read;
            return read;
        }

        /// <inheritdoc/>
        public override long Seek(long offset, SeekOrigin origin)
        {
            long target = origin == SeekOrigin.Begin ? offset : origin == SeekOrigin.Current ? _position + offset : _length + offset;
            if (target < 0 || target > _length)
            {
                throw new IOException("seek outside the stream's " + _length.ToString() + " bytes");
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

        /// <summary>Copies <paramref name="count"/> bytes from stream position <paramref name="position"/> into <paramref name="buffer"/> at <paramref name="offset"/>.</summary>
        protected abstract void CopyAt(long position, byte[] buffer, int offset, int count);

        /// <summary>How many of <paramref name="count"/> bytes are left from the position (never negative).</summary>
        protected int Available(int count)
        {
            long left = _length - _position;
            return count < left ? count : (int)(left > 0 ? left : 0);
        }

        /// <summary>Moves the position on by <paramref name="count"/> bytes read by a subclass.</summary>
        protected void Advance(int count)
        {
            _position += count;
        }
    }
}
