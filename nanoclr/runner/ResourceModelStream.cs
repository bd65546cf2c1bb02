using System;
using System.IO;
using System.Resources;
using nanoFramework.Runtime.Native;

namespace NanoQuant.NanoClr
{
    /// <summary>
    /// A read-only, seekable stream over one binary resource, read piece by piece with
    /// <see cref="ResourceUtility.GetObject(ResourceManager, Enum, int, int)"/>, so a model can be
    /// loaded (and its weights streamed) without ever holding the whole resource in RAM.
    /// Each read allocates the piece it fetches (the resource API returns a new array).
    /// </summary>
    public sealed class ResourceModelStream : Stream
    {
        private readonly ResourceManager _resources;
        private readonly ResourceId _id;
        private readonly long _length;
        private long _position;

        /// <summary>A stream over resource <paramref name="id"/>, which holds <paramref name="length"/> bytes.</summary>
        public ResourceModelStream(ResourceManager resources, ResourceId id, long length)
        {
            _resources = resources;
            _id = id;
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
            long left = _length - _position;
            if (count > left)
            {
                count = (int)left;
            }

            if (count <= 0)
            {
                return 0;
            }

            byte[] piece = (byte[])ResourceUtility.GetObject(_resources, _id, (int)_position, count);
            if (piece == null || piece.Length != count)
            {
                throw new IOException("resource read failed at " + _position.ToString());
            }

            Array.Copy(piece, 0, buffer, offset, count);
            _position += count;
            return count;
        }

        /// <inheritdoc/>
        public override int Read(SpanByte buffer)
        {
            byte[] array = new byte[buffer.Length];
            int read = Read(array, 0, array.Length);
            new SpanByte(array, 0, read).CopyTo(buffer);
            return read;
        }

        /// <inheritdoc/>
        public override long Seek(long offset, SeekOrigin origin)
        {
            long target = origin == SeekOrigin.Begin ? offset : origin == SeekOrigin.Current ? _position + offset : _length + offset;
            if (target < 0 || target > _length)
            {
                throw new IOException("seek outside the resource");
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
