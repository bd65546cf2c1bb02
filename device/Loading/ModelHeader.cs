using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// The first checks of a device model (docs/device-model-format.md, "What the loader checks", steps 1–2):
    /// magic, version, header size, file length and the CRC-32 over the whole file, read from the source,
    /// before any other field is trusted; and the section offsets of the header.
    /// </summary>
    internal static class ModelHeader
    {
        /// <summary>Checks the header in <paramref name="m"/> and the checksum of <paramref name="source"/>; returns the file's format version.</summary>
        internal static int Check(byte[] m, ModelSource source)
        {
            int modelLength = source.Length;

            if ((uint)LittleEndian.ReadInt32(m, 0) != ModelFormat.Magic)
            {
                throw new InvalidModelException("not a nanoQuant device model (bad magic)");
            }

            int version = LittleEndian.ReadUInt16(m, 4);
            if (version < ModelFormat.MinVersion || version > ModelFormat.Version)
            {
                throw new InvalidModelException("format version " + version.ToString() + " is not supported (this runtime reads versions " + ModelFormat.MinVersion.ToString() + " to " + ModelFormat.Version.ToString() + ")");
            }

            if (LittleEndian.ReadUInt16(m, 6) != ModelFormat.HeaderSize)
            {
                throw new InvalidModelException("header size field is wrong");
            }

            uint fileLength = (uint)LittleEndian.ReadInt32(m, ModelFormat.FileLengthOffset);
            if (fileLength != (uint)modelLength)
            {
                throw new InvalidModelException("model declares " + fileLength.ToString() + " bytes but has " + modelLength.ToString() + " (truncated or extended)");
            }

            uint storedCrc = (uint)LittleEndian.ReadInt32(m, ModelFormat.ChecksumOffset);
            uint crc = source.Crc(ModelFormat.ChecksumStart);
            if (crc != storedCrc)
            {
                throw new InvalidModelException("checksum mismatch: the model is corrupted");
            }

            return version;
        }

        /// <summary>The section offset in header field <paramref name="field"/>, checked to lie inside the file.</summary>
        internal static int SectionOffset(byte[] m, int field, int fileLength, string name)
        {
            uint value = (uint)LittleEndian.ReadInt32(m, field);
            if (value < ModelFormat.HeaderSize || value > (uint)fileLength)
            {
                throw new InvalidModelException(name + " offset " + value.ToString() + " is outside the model");
            }

            return (int)value;
        }
    }
}
