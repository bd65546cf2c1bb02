using System.Buffers.Binary;
using System.Text;

namespace NanoQuant.Host.TfLite;

/// <summary>
/// A table in a FlatBuffer, read without Google.FlatBuffers (not available here): vtable lookup,
/// scalars, strings, vectors, sub-tables and unions. Every offset is checked against the buffer,
/// so a malformed file gives a <see cref="TfLiteFormatException"/>, never an out-of-range read.
/// </summary>
public readonly struct FlatBufferTable
{
    private readonly byte[] _buffer;
    private readonly int _position;
    private readonly int _vtable;
    private readonly int _vtableLength;

    private FlatBufferTable(byte[] buffer, int position, string what)
    {
        _buffer = buffer;
        _position = position;
        Require(buffer, position, 4, what);
        long vtable = position - (long)BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(position));
        if (vtable < 0 || vtable > buffer.Length - 4)
        {
            throw new TfLiteFormatException($"{what}: vtable offset points outside the file");
        }

        _vtable = (int)vtable;
        _vtableLength = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(_vtable));
        if (_vtableLength < 4 || (_vtableLength & 1) != 0 || _vtable + _vtableLength > buffer.Length)
        {
            throw new TfLiteFormatException($"{what}: vtable is malformed");
        }

        int tableLength = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(_vtable + 2));
        Require(buffer, position, tableLength, what);
        TableLength = tableLength;
    }

    /// <summary>Size of the table's inline data in bytes.</summary>
    public int TableLength { get; }

    /// <summary>Where the table lies in its buffer (for copying it verbatim, see <see cref="TfLiteWriter"/>).</summary>
    internal (byte[] Buffer, int Position, int VTable, int VTableLength) Layout => (_buffer, _position, _vtable, _vtableLength);

    /// <summary>The root table of a FlatBuffer.</summary>
    public static FlatBufferTable Root(byte[] buffer, string what)
    {
        Require(buffer, 0, 8, what);
        uint root = BinaryPrimitives.ReadUInt32LittleEndian(buffer);
        if (root > buffer.Length - 4)
        {
            throw new TfLiteFormatException($"{what}: root table offset points outside the file");
        }

        return new FlatBufferTable(buffer, (int)root, what);
    }

    /// <summary>True when field <paramref name="id"/> is stored (not defaulted).</summary>
    public bool Has(int id) => FieldPosition(id, 1) != 0;

    public byte GetByte(int id, byte defaultValue = 0)
    {
        int p = FieldPosition(id, 1);
        return p == 0 ? defaultValue : _buffer[p];
    }

    public sbyte GetSByte(int id, sbyte defaultValue = 0) => unchecked((sbyte)GetByte(id, unchecked((byte)defaultValue)));

    public bool GetBool(int id, bool defaultValue = false) => GetByte(id, defaultValue ? (byte)1 : (byte)0) != 0;

    public int GetInt(int id, int defaultValue = 0)
    {
        int p = FieldPosition(id, 4);
        return p == 0 ? defaultValue : BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(p));
    }

    public uint GetUInt(int id, uint defaultValue = 0)
    {
        int p = FieldPosition(id, 4);
        return p == 0 ? defaultValue : BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(p));
    }

    public ulong GetULong(int id, ulong defaultValue = 0)
    {
        int p = FieldPosition(id, 8);
        return p == 0 ? defaultValue : BinaryPrimitives.ReadUInt64LittleEndian(_buffer.AsSpan(p));
    }

    public float GetFloat(int id, float defaultValue = 0)
    {
        int p = FieldPosition(id, 4);
        return p == 0 ? defaultValue : BinaryPrimitives.ReadSingleLittleEndian(_buffer.AsSpan(p));
    }

    /// <summary>The sub-table in field <paramref name="id"/>, or null when absent.</summary>
    public FlatBufferTable? GetTable(int id, string what)
    {
        int target = Indirect(id, what);
        return target == 0 ? null : new FlatBufferTable(_buffer, target, what);
    }

    /// <summary>The string in field <paramref name="id"/>, or null when absent.</summary>
    public string? GetString(int id, string what)
    {
        var vector = GetVector(id, 1, what);
        return vector is { } v ? Encoding.UTF8.GetString(_buffer, v.Start, v.Length) : null;
    }

    /// <summary>The vector in field <paramref name="id"/> of elements <paramref name="elementSize"/> bytes wide, or null.</summary>
    public FlatBufferVector? GetVector(int id, int elementSize, string what)
    {
        int target = Indirect(id, what);
        if (target == 0)
        {
            return null;
        }

        Require(_buffer, target, 4, what);
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(target));
        if ((ulong)length * (ulong)elementSize > (ulong)(_buffer.Length - target - 4))
        {
            throw new TfLiteFormatException($"{what}: vector of {length} elements runs past the end of the file");
        }

        return new FlatBufferVector(_buffer, target + 4, (int)length, elementSize);
    }

    public int[]? GetIntArray(int id, string what) => GetVector(id, 4, what)?.ToInt32Array();

    public float[]? GetFloatArray(int id, string what) => GetVector(id, 4, what)?.ToFloatArray();

    public long[]? GetLongArray(int id, string what) => GetVector(id, 8, what)?.ToInt64Array();

    /// <summary>The tables of a vector of tables.</summary>
    public FlatBufferTable[] GetTableArray(int id, string what)
    {
        if (GetVector(id, 4, what) is not { } v)
        {
            return [];
        }

        var tables = new FlatBufferTable[v.Length];
        for (int i = 0; i < v.Length; i++)
        {
            int slot = v.Start + (i * 4);
            long target = slot + (long)BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(slot));
            if (target > _buffer.Length - 4)
            {
                throw new TfLiteFormatException($"{what}[{i}]: offset points outside the file");
            }

            tables[i] = new FlatBufferTable(_buffer, (int)target, $"{what}[{i}]");
        }

        return tables;
    }

    private int FieldPosition(int id, int size)
    {
        int entry = 4 + (id * 2);
        if (entry + 2 > _vtableLength)
        {
            return 0;
        }

        int fieldOffset = BinaryPrimitives.ReadUInt16LittleEndian(_buffer.AsSpan(_vtable + entry));
        if (fieldOffset == 0)
        {
            return 0;
        }

        if (fieldOffset + size > TableLength)
        {
            throw new TfLiteFormatException($"field {id} lies outside its table");
        }

        return _position + fieldOffset;
    }

    private int Indirect(int id, string what)
    {
        int p = FieldPosition(id, 4);
        if (p == 0)
        {
            return 0;
        }

        long target = p + (long)BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(p));
        if (target > _buffer.Length - 4)
        {
            throw new TfLiteFormatException($"{what}: offset points outside the file");
        }

        return (int)target;
    }

    private static void Require(byte[] buffer, int position, int length, string what)
    {
        if (position < 0 || length < 0 || position > buffer.Length - length)
        {
            throw new TfLiteFormatException($"{what}: runs past the end of the file");
        }
    }
}

/// <summary>A vector's elements in the FlatBuffer: start, count and element size, bounds already checked.</summary>
public readonly record struct FlatBufferVector(byte[] Buffer, int Start, int Length, int ElementSize)
{
    public ReadOnlySpan<byte> Bytes => Buffer.AsSpan(Start, Length * ElementSize);

    public int[] ToInt32Array()
    {
        var values = new int[Length];
        for (int i = 0; i < Length; i++)
        {
            values[i] = BinaryPrimitives.ReadInt32LittleEndian(Buffer.AsSpan(Start + (i * 4)));
        }

        return values;
    }

    public float[] ToFloatArray()
    {
        var values = new float[Length];
        for (int i = 0; i < Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(Buffer.AsSpan(Start + (i * 4)));
        }

        return values;
    }

    public long[] ToInt64Array()
    {
        var values = new long[Length];
        for (int i = 0; i < Length; i++)
        {
            values[i] = BinaryPrimitives.ReadInt64LittleEndian(Buffer.AsSpan(Start + (i * 8)));
        }

        return values;
    }
}
