using System.Buffers.Binary;
using NanoQuant.Format;

namespace NanoQuant.Host.Fuzzing;

/// <summary>
/// Deterministic mutations of a file: bit flips, byte and word overwrites with boundary values,
/// truncation, extension, swapped ranges. For device models it can also re-forge the file length
/// and CRC so that the checks behind the checksum are exercised too.
/// </summary>
public sealed class Mutator(int seed)
{
    private static readonly int[] SpecialInts =
        [0, 1, -1, 2, 3, 4, 6, 7, 8, 16, 127, 128, 255, 256, -128, -129, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 1 << 24, (1 << 24) + 1, 1 << 28, int.MaxValue, int.MinValue, int.MaxValue - 3, -2, -31, -32, 30, 31, 32, 63, 64];

    private readonly Random _random = new(seed);

    public Random Random => _random;

    /// <summary>One mutation of <paramref name="original"/>; <paramref name="description"/> says which.</summary>
    public byte[] Mutate(byte[] original, out string description)
    {
        byte[] data = (byte[])original.Clone();
        int kind = _random.Next(9);
        switch (kind)
        {
            case 0:
            {
                int flips = 1 + _random.Next(8);
                for (int i = 0; i < flips; i++)
                {
                    int position = _random.Next(data.Length);
                    data[position] ^= (byte)(1 << _random.Next(8));
                }

                description = $"{flips} bit flips";
                return data;
            }

            case 1:
            {
                int position = _random.Next(data.Length);
                byte[] values = [0, 0xFF, 0x7F, 0x80, 0x01, (byte)_random.Next(256)];
                data[position] = values[_random.Next(values.Length)];
                description = $"byte at {position} overwritten";
                return data;
            }

            case 2 or 3:
            {
                // Words in the header and tables (where counts, offsets, dimensions and parameters live) more often than in weights.
                int limit = Math.Max(4, TablesEnd(data) - 4);
                int position = _random.Next(Math.Min(limit, data.Length - 3));
                int value = SpecialInts[_random.Next(SpecialInts.Length)];
                if (_random.Next(2) == 0)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(position), value);
                    description = $"int32 at {position} = {value}";
                }
                else
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(position), (ushort)value);
                    description = $"uint16 at {position} = {(ushort)value}";
                }

                return data;
            }

            case 4:
            {
                int length = TruncationLength(data.Length);
                description = $"truncated to {length}";
                return data.AsSpan(0, length).ToArray();
            }

            case 5:
            {
                int extra = 1 + _random.Next(_random.Next(2) == 0 ? 8 : 4096);
                var extended = new byte[data.Length + extra];
                data.CopyTo(extended, 0);
                _random.NextBytes(extended.AsSpan(data.Length));
                description = $"extended by {extra}";
                return extended;
            }

            case 6:
            {
                int length = 1 + _random.Next(Math.Max(1, Math.Min(64, data.Length / 4)));
                int a = _random.Next(data.Length - length + 1);
                int b = _random.Next(data.Length - length + 1);
                var temp = data.AsSpan(a, length).ToArray();
                data.AsSpan(b, length).CopyTo(data.AsSpan(a, length));
                temp.CopyTo(data.AsSpan(b, length));
                description = $"swapped {length} bytes at {a} and {b}";
                return data;
            }

            case 7:
            {
                int position = _random.Next(data.Length);
                int length = Math.Min(data.Length - position, 1 + _random.Next(32));
                _random.NextBytes(data.AsSpan(position, length));
                description = $"{length} random bytes at {position}";
                return data;
            }

            default:
            {
                int count = 2 + _random.Next(6);
                for (int i = 0; i < count; i++)
                {
                    int position = _random.Next(Math.Max(1, Math.Min(data.Length, TablesEnd(data))));
                    data[position] = (byte)_random.Next(256);
                }

                description = $"{count} table bytes randomized";
                return data;
            }
        }
    }

    /// <summary>A truncation length from every class: inside the header, the tables, the constants, or one byte short.</summary>
    public int TruncationLength(int length) => _random.Next(4) switch
    {
        0 => _random.Next(Math.Min(length, ModelFormat.HeaderSize)),
        1 => length - 1,
        2 => _random.Next(length),
        _ => Math.Max(0, length - 1 - _random.Next(Math.Max(1, length / 8))),
    };

    /// <summary>Makes the file length and CRC of a (mutated) device model consistent again.</summary>
    public static void ForgeChecksum(byte[] data)
    {
        if (data.Length < ModelFormat.HeaderSize)
        {
            return;
        }

        BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(ModelFormat.FileLengthOffset), data.Length);
        uint crc = Crc32.Compute(data, ModelFormat.ChecksumStart, data.Length - ModelFormat.ChecksumStart);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(ModelFormat.ChecksumOffset), crc);
    }

    private static int TablesEnd(byte[] data)
    {
        if (data.Length < ModelFormat.HeaderSize || BinaryPrimitives.ReadUInt32LittleEndian(data) != ModelFormat.Magic)
        {
            return data.Length;
        }

        int constants = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(ModelFormat.ConstantsOffset));
        return constants > 0 && constants <= data.Length ? constants : data.Length;
    }
}
