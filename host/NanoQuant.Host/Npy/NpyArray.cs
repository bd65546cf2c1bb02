using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace NanoQuant.Host.Npy;

/// <summary>NumPy element types nanoQuant reads and writes.</summary>
public enum NpyType
{
    Int8, UInt8, Int16, Int32, Int64, Float32, Float64, Bool,
}

/// <summary>A .npy file read or made without NumPy (not available on .NET): type, C-order shape and raw little-endian data.</summary>
public sealed class NpyArray
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public NpyArray(NpyType type, int[] shape, byte[] data)
    {
        if (shape.Any(d => d < 0))
        {
            throw new NpyFormatException("negative dimension");
        }

        long count = shape.Aggregate(1L, (a, b) => a * b);
        if (count * ElementSize(type) != data.Length)
        {
            throw new NpyFormatException($"data has {data.Length} bytes, shape ({string.Join(", ", shape)}) of {type} needs {count * ElementSize(type)}");
        }

        Type = type;
        Shape = shape;
        Data = data;
    }

    public NpyType Type { get; }
    public int[] Shape { get; }
    public byte[] Data { get; }
    public int Length => Data.Length / ElementSize(Type);

    public static NpyArray FromSBytes(sbyte[] values, int[] shape) => new(NpyType.Int8, shape, values.Select(v => unchecked((byte)v)).ToArray());

    public static NpyArray FromFloats(float[] values, int[] shape)
    {
        var data = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), values[i]);
        }

        return new NpyArray(NpyType.Float32, shape, data);
    }

    /// <summary>An int16 array from little-endian values.</summary>
    public static NpyArray FromInt16s(short[] values, int[] shape)
    {
        var data = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(i * 2), values[i]);
        }

        return new NpyArray(NpyType.Int16, shape, data);
    }

    public short[] ToInt16s()
    {
        if (Type != NpyType.Int16)
        {
            throw new NpyFormatException($"expected int16 data, found {Type}");
        }

        var values = new short[Length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadInt16LittleEndian(Data.AsSpan(i * 2));
        }

        return values;
    }

    public sbyte[] ToSBytes() => Type == NpyType.Int8 ? Data.Select(b => unchecked((sbyte)b)).ToArray() : throw new NpyFormatException($"expected int8 data, found {Type}");

    /// <summary>Every element as a double (for any numeric type).</summary>
    public double[] ToDoubles()
    {
        var values = new double[Length];
        var span = Data.AsSpan();
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Type switch
            {
                NpyType.Int8 => unchecked((sbyte)span[i]),
                NpyType.UInt8 or NpyType.Bool => span[i],
                NpyType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(span[(i * 2)..]),
                NpyType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(span[(i * 4)..]),
                NpyType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(span[(i * 8)..]),
                NpyType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(span[(i * 4)..]),
                NpyType.Float64 => BinaryPrimitives.ReadDoubleLittleEndian(span[(i * 8)..]),
                _ => throw new NpyFormatException($"unsupported type {Type}"),
            };
        }

        return values;
    }

    public float[] ToFloats()
    {
        if (Type == NpyType.Float32)
        {
            var values = new float[Length];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(Data.AsSpan(i * 4));
            }

            return values;
        }

        return ToDoubles().Select(d => (float)d).ToArray();
    }

    public long[] ToInt64s() => ToDoubles().Select(d => (long)d).ToArray();

    public static int ElementSize(NpyType type) => type switch
    {
        NpyType.Int8 or NpyType.UInt8 or NpyType.Bool => 1,
        NpyType.Int16 => 2,
        NpyType.Int32 or NpyType.Float32 => 4,
        NpyType.Int64 or NpyType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static string Descr(NpyType type) => type switch
    {
        NpyType.Int8 => "|i1", NpyType.UInt8 => "|u1", NpyType.Bool => "|b1", NpyType.Int16 => "<i2",
        NpyType.Int32 => "<i4", NpyType.Int64 => "<i8", NpyType.Float32 => "<f4", NpyType.Float64 => "<f8",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static NpyType ParseDescr(string descr) => descr switch
    {
        "|i1" or "i1" or "<i1" => NpyType.Int8,
        "|u1" or "u1" or "<u1" => NpyType.UInt8,
        "|b1" or "b1" => NpyType.Bool,
        "<i2" => NpyType.Int16,
        "<i4" => NpyType.Int32,
        "<i8" => NpyType.Int64,
        "<f4" => NpyType.Float32,
        "<f8" => NpyType.Float64,
        _ => throw new NpyFormatException($"unsupported dtype '{descr}' (supported: int8, uint8, bool, int16, int32, int64, float32, float64, little-endian)"),
    };

    public static NpyArray Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NpyFormatException($"cannot read '{path}': {e.Message}");
        }

        try
        {
            return Parse(bytes);
        }
        catch (NpyFormatException e)
        {
            throw new NpyFormatException($"'{path}': {e.Message}");
        }
    }

    public static NpyArray Parse(byte[] bytes)
    {
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic))
        {
            throw new NpyFormatException("not a .npy file (bad magic)");
        }

        int major = bytes[6];
        int headerLength, headerStart;
        switch (major)
        {
            case 1:
                headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
                headerStart = 10;
                break;
            case 2 or 3:
                if (bytes.Length < 12)
                {
                    throw new NpyFormatException("header is truncated");
                }

                uint length = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
                if (length > int.MaxValue)
                {
                    throw new NpyFormatException("header length is out of range");
                }

                headerLength = (int)length;
                headerStart = 12;
                break;
            default:
                throw new NpyFormatException($"unsupported .npy version {major}");
        }

        if (headerLength > bytes.Length - headerStart)
        {
            throw new NpyFormatException("header is truncated");
        }

        string header = Encoding.Latin1.GetString(bytes, headerStart, headerLength);
        var descr = Regex.Match(header, @"'descr'\s*:\s*'([^']*)'");
        var fortran = Regex.Match(header, @"'fortran_order'\s*:\s*(True|False)");
        var shapeMatch = Regex.Match(header, @"'shape'\s*:\s*\(([^)]*)\)");
        if (!descr.Success || !fortran.Success || !shapeMatch.Success)
        {
            throw new NpyFormatException("header lacks descr, fortran_order or shape");
        }

        if (fortran.Groups[1].Value == "True")
        {
            throw new NpyFormatException("Fortran-order arrays are not supported; save with C order");
        }

        var type = ParseDescr(descr.Groups[1].Value);
        var dims = shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var shape = new int[dims.Length];
        long count = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (!int.TryParse(dims[i].TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]))
            {
                throw new NpyFormatException($"bad dimension '{dims[i]}' in shape");
            }

            count *= shape[i];
            if (count > int.MaxValue)
            {
                throw new NpyFormatException("array is too large");
            }
        }

        int dataStart = headerStart + headerLength;
        long expected = count * ElementSize(type);
        if (bytes.Length - dataStart != expected)
        {
            throw new NpyFormatException($"data has {bytes.Length - dataStart} bytes, shape ({string.Join(", ", shape)}) of {type} needs {expected}");
        }

        return new NpyArray(type, shape, bytes.AsSpan(dataStart).ToArray());
    }

    public byte[] ToBytes()
    {
        string shape = Shape.Length == 1 ? $"({Shape[0]},)" : $"({string.Join(", ", Shape)})";
        string dict = $"{{'descr': '{Descr(Type)}', 'fortran_order': False, 'shape': {shape}, }}";
        int total = 10 + dict.Length + 1;
        int padding = (64 - (total % 64)) % 64;
        string header = dict + new string(' ', padding) + "\n";
        var output = new byte[10 + header.Length + Data.Length];
        Magic.CopyTo(output, 0);
        output[6] = 1;
        output[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(output.AsSpan(8), (ushort)header.Length);
        Encoding.Latin1.GetBytes(header).CopyTo(output, 10);
        Data.CopyTo(output, 10 + header.Length);
        return output;
    }
}

/// <summary>A .npy file nanoQuant cannot read.</summary>
public sealed class NpyFormatException(string message) : Exception(message);
