using System.IO;

namespace NanoQuant
{
    /// <summary>
    /// Where the loader reads a device model from: a byte array in RAM or a seekable stream (a file
    /// on internal flash or an SD card). Callers check every range against <see cref="Length"/>
    /// before reading.
    /// </summary>
    internal abstract class ModelSource
    {
        /// <summary>Size of the model in bytes.</summary>
        internal abstract int Length { get; }

        /// <summary>Copies <paramref name="count"/> bytes from <paramref name="position"/> into a byte array.</summary>
        internal abstract void ReadBytes(int position, byte[] destination, int destinationOffset, int count);

        /// <summary>Copies <paramref name="count"/> int8 values from <paramref name="position"/> into an sbyte array.</summary>
        internal abstract void ReadInt8(int position, sbyte[] destination, int destinationOffset, int count);

        /// <summary>Reads <paramref name="destination"/>.Length little-endian int32 values from <paramref name="position"/>.</summary>
        internal abstract void ReadInt32(int position, int[] destination);

        /// <summary>CRC-32 of the bytes from <paramref name="start"/> to the end.</summary>
        internal abstract uint Crc(int start);
    }

    /// <summary>A model held in a byte array (read directly, nothing copied twice).</summary>
    internal sealed class ArrayModelSource : ModelSource
    {
        private readonly byte[] _model;

        internal ArrayModelSource(byte[] model)
        {
            _model = model;
        }

        internal override int Length
        {
            get { return _model.Length; }
        }

        internal override void ReadBytes(int position, byte[] destination, int destinationOffset, int count)
        {
            System.Array.Copy(_model, position, destination, destinationOffset, count);
        }

        internal override void ReadInt8(int position, sbyte[] destination, int destinationOffset, int count)
        {
            byte[] m = _model;
            int end = destinationOffset + count;
            for (int i = destinationOffset; i < end; i++)
            {
                destination[i] = (sbyte)m[position++];
            }
        }

        internal override void ReadInt32(int position, int[] destination)
        {
            byte[] m = _model;
            for (int i = 0; i < destination.Length; i++)
            {
                destination[i] = m[position] | (m[position + 1] << 8) | (m[position + 2] << 16) | (m[position + 3] << 24);
                position += 4;
            }
        }

        internal override uint Crc(int start)
        {
            return NanoQuant.Format.Crc32.Compute(_model, start, _model.Length - start);
        }
    }

    /// <summary>
    /// A model read from a seekable stream through one small reusable chunk buffer: nothing is
    /// allocated per read, so reading weights during Invoke allocates nothing.
    /// </summary>
    internal sealed class StreamModelSource : ModelSource
    {
        /// <summary>Bytes read from the stream at a time.</summary>
        internal const int ChunkBytes = 1024;

        private readonly Stream _stream;
        private readonly int _length;
        private readonly byte[] _chunk;

        internal StreamModelSource(Stream stream)
        {
            if (stream == null)
            {
                throw new System.ArgumentNullException("stream");
            }

            if (!stream.CanRead || !stream.CanSeek)
            {
                throw new System.ArgumentException("the model stream must be readable and seekable");
            }

            long length = stream.Length;
            if (length > int.MaxValue)
            {
                throw new InvalidModelException("model file is larger than 2 GiB");
            }

            _stream = stream;
            _length = (int)length;
            _chunk = new byte[ChunkBytes];
        }

        internal override int Length
        {
            get { return _length; }
        }

        /// <summary>Bytes this source holds in RAM (its chunk buffer).</summary>
        internal int BufferBytes
        {
            get { return _chunk.Length; }
        }

        internal Stream Stream
        {
            get { return _stream; }
        }

        internal override void ReadBytes(int position, byte[] destination, int destinationOffset, int count)
        {
            Seek(position);
            Fill(destination, destinationOffset, count);
        }

        internal override void ReadInt8(int position, sbyte[] destination, int destinationOffset, int count)
        {
            Seek(position);
            byte[] chunk = _chunk;
            int d = destinationOffset;
            while (count > 0)
            {
                int n = count < chunk.Length ? count : chunk.Length;
                Fill(chunk, 0, n);
                for (int i = 0; i < n; i++)
                {
                    destination[d + i] = (sbyte)chunk[i];
                }

                d += n;
                count -= n;
            }
        }

        internal override void ReadInt32(int position, int[] destination)
        {
            Seek(position);
            byte[] chunk = _chunk;
            int perChunk = chunk.Length / 4;
            int done = 0;
            while (done < destination.Length)
            {
                int values = destination.Length - done;
                if (values > perChunk)
                {
                    values = perChunk;
                }

                Fill(chunk, 0, values * 4);
                int p = 0;
                for (int i = 0; i < values; i++)
                {
                    destination[done + i] = chunk[p] | (chunk[p + 1] << 8) | (chunk[p + 2] << 16) | (chunk[p + 3] << 24);
                    p += 4;
                }

                done += values;
            }
        }

        internal override uint Crc(int start)
        {
            Seek(start);
            byte[] chunk = _chunk;
            uint crc = NanoQuant.Format.Crc32.Initial;
            int remaining = _length - start;
            while (remaining > 0)
            {
                int n = remaining < chunk.Length ? remaining : chunk.Length;
                Fill(chunk, 0, n);
                crc = NanoQuant.Format.Crc32.Update(crc, chunk, 0, n);
                remaining -= n;
            }

            return NanoQuant.Format.Crc32.Finish(crc);
        }

        private void Seek(int position)
        {
            if (_stream.Position != position)
            {
                _stream.Seek(position, SeekOrigin.Begin);
            }
        }

        private void Fill(byte[] buffer, int offset, int count)
        {
            while (count > 0)
            {
                int n = _stream.Read(buffer, offset, count);
                if (n <= 0)
                {
                    throw new InvalidModelException("model file ended early (was it changed or truncated after loading?)");
                }

                offset += n;
                count -= n;
            }
        }
    }
}
