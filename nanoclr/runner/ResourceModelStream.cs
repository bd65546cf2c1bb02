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
    public sealed class ResourceModelStream : ReadOnlySeekableStream
    {
        private readonly ResourceManager _resources;
        private readonly ResourceId _id;

        /// <summary>A stream over resource <paramref name="id"/>, which holds <paramref name="length"/> bytes.</summary>
        public ResourceModelStream(ResourceManager resources, ResourceId id, long length)
            : base(length)
        {
            _resources = resources;
            _id = id;
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
        protected override void CopyAt(long position, byte[] buffer, int offset, int count)
        {
            byte[] piece = (byte[])ResourceUtility.GetObject(_resources, _id, (int)position, count);
            if (piece == null || piece.Length != count)
            {
                throw new IOException("resource read failed at " + position.ToString());
            }

            Array.Copy(piece, 0, buffer, offset, count);
        }
    }
}
