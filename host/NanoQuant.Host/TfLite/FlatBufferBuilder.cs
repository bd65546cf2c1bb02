using System.Buffers.Binary;
using System.Text;

namespace NanoQuant.Host.TfLite;

/// <summary>An object to place in a FlatBuffer: a table, a vector, a string or a vector of tables.</summary>
public abstract class FlatBufferObject
{
    private protected FlatBufferObject()
    {
    }
}

/// <summary>
/// A FlatBuffer table under construction: scalar fields and fields that refer to other objects,
/// by field id (the schema's field order; a union takes two ids, its type then its value).
/// </summary>
public sealed class FlatBufferTableBuilder : FlatBufferObject
{
    private readonly SortedDictionary<int, Field> _fields = [];

    internal IEnumerable<KeyValuePair<int, Field>> Fields => _fields;

    public FlatBufferTableBuilder Byte(int id, byte value) => Scalar(id, [value]);

    public FlatBufferTableBuilder SByte(int id, sbyte value) => Scalar(id, [unchecked((byte)value)]);

    public FlatBufferTableBuilder Bool(int id, bool value) => Scalar(id, [value ? (byte)1 : (byte)0]);

    public FlatBufferTableBuilder Int(int id, int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        return Scalar(id, bytes);
    }

    public FlatBufferTableBuilder UInt(int id, uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return Scalar(id, bytes);
    }

    public FlatBufferTableBuilder Float(int id, float value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        return Scalar(id, bytes);
    }

    public FlatBufferTableBuilder ULong(int id, ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        return Scalar(id, bytes);
    }

    /// <summary>A field referring to another object (left out when <paramref name="value"/> is null).</summary>
    public FlatBufferTableBuilder Object(int id, FlatBufferObject? value)
    {
        if (value is not null)
        {
            Add(id, new Field(null, value));
        }

        return this;
    }

    public FlatBufferTableBuilder String(int id, string? value) => Object(id, value is null ? null : new FlatBufferString(value));

    public FlatBufferTableBuilder Ints(int id, IReadOnlyList<int>? values) => Object(id, values is null ? null : FlatBufferScalarVector.Of(values));

    public FlatBufferTableBuilder Floats(int id, IReadOnlyList<float>? values) => Object(id, values is null ? null : FlatBufferScalarVector.Of(values));

    public FlatBufferTableBuilder Longs(int id, IReadOnlyList<long>? values) => Object(id, values is null ? null : FlatBufferScalarVector.Of(values));

    public FlatBufferTableBuilder Tables(int id, IReadOnlyList<FlatBufferObject>? values) => Object(id, values is null ? null : new FlatBufferObjectVector(values));

    /// <summary>Serializes this table alone as the root of a buffer and reads it back (e.g. to make an operator's options).</summary>
    public FlatBufferTable Build() => FlatBufferTable.Root(FlatBufferSerializer.Serialize(this, fileIdentifier: null), "built table");

    private FlatBufferTableBuilder Scalar(int id, byte[] bytes)
    {
        Add(id, new Field(bytes, null));
        return this;
    }

    private void Add(int id, Field field)
    {
        if (id is < 0 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, "field ids run from 0 to 1000");
        }

        _fields[id] = field;
    }

    internal readonly record struct Field(byte[]? Scalar, FlatBufferObject? Child);
}

/// <summary>A vector of scalars: raw little-endian element bytes.</summary>
public sealed class FlatBufferScalarVector : FlatBufferObject
{
    public FlatBufferScalarVector(byte[] bytes, int elementSize, int alignment = 0)
    {
        if (elementSize is not (1 or 2 or 4 or 8) || bytes.Length % elementSize != 0)
        {
            throw new ArgumentException($"a vector of {elementSize}-byte elements cannot hold {bytes.Length} bytes");
        }

        Bytes = bytes;
        ElementSize = elementSize;
        Alignment = Math.Max(alignment, elementSize);
    }

    public byte[] Bytes { get; }
    public int ElementSize { get; }

    /// <summary>Alignment of the first element (TFLite aligns buffer data to 16 bytes).</summary>
    public int Alignment { get; }

    public static FlatBufferScalarVector Of(IReadOnlyList<int> values)
    {
        var bytes = new byte[values.Count * 4];
        for (int i = 0; i < values.Count; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return new FlatBufferScalarVector(bytes, 4);
    }

    public static FlatBufferScalarVector Of(IReadOnlyList<float> values)
    {
        var bytes = new byte[values.Count * 4];
        for (int i = 0; i < values.Count; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return new FlatBufferScalarVector(bytes, 4);
    }

    public static FlatBufferScalarVector Of(IReadOnlyList<long> values)
    {
        var bytes = new byte[values.Count * 8];
        for (int i = 0; i < values.Count; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), values[i]);
        }

        return new FlatBufferScalarVector(bytes, 8);
    }
}

/// <summary>A UTF-8 string.</summary>
public sealed class FlatBufferString(string value) : FlatBufferObject
{
    public string Value { get; } = value;
}

/// <summary>A vector of tables (or other objects).</summary>
public sealed class FlatBufferObjectVector(IReadOnlyList<FlatBufferObject> items) : FlatBufferObject
{
    public IReadOnlyList<FlatBufferObject> Items { get; } = items;
}

/// <summary>
/// An existing table copied byte for byte (its vtable and inline fields), with its reference
/// fields re-made from <see cref="References"/>: how a model's operator options are carried over
/// without knowing every options table of the schema.
/// </summary>
public sealed class FlatBufferCopiedTable(FlatBufferTable source, IReadOnlyDictionary<int, FlatBufferObject> references) : FlatBufferObject
{
    public FlatBufferTable Source { get; } = source;
    public IReadOnlyDictionary<int, FlatBufferObject> References { get; } = references;
}

/// <summary>
/// Lays FlatBuffer objects out front to back: every object is written before the objects it
/// refers to, so all references (unsigned offsets) point forward as the format requires; vtables
/// sit just before their tables. Scalars are aligned to their size, vectors to their elements.
/// </summary>
internal sealed class FlatBufferSerializer
{
    private byte[] _buffer = new byte[1024];
    private int _length;

    public static byte[] Serialize(FlatBufferObject root, string? fileIdentifier)
    {
        var serializer = new FlatBufferSerializer();
        serializer.Reserve(8);
        if (fileIdentifier is not null)
        {
            if (fileIdentifier.Length != 4)
            {
                throw new ArgumentException("a file identifier has 4 characters", nameof(fileIdentifier));
            }

            Encoding.ASCII.GetBytes(fileIdentifier).CopyTo(serializer._buffer, 4);
        }

        int rootPosition = serializer.Write(root);
        BinaryPrimitives.WriteUInt32LittleEndian(serializer._buffer, (uint)rootPosition);
        serializer.AlignTo(4);
        return serializer._buffer.AsSpan(0, serializer._length).ToArray();
    }

    private int Write(FlatBufferObject value) => value switch
    {
        FlatBufferTableBuilder table => WriteTable(table),
        FlatBufferScalarVector vector => WriteVector(vector),
        FlatBufferString text => WriteString(text.Value),
        FlatBufferObjectVector objects => WriteObjectVector(objects.Items),
        FlatBufferCopiedTable copy => WriteCopiedTable(copy),
        _ => throw new ArgumentException($"cannot serialize {value.GetType().Name}"),
    };

    private int WriteVector(FlatBufferScalarVector vector)
    {
        // The length prefix sits just before the first element, which must be aligned.
        int alignment = Math.Max(vector.Alignment, 4);
        Pad(alignment, alignment - 4);
        int position = Reserve(4 + vector.Bytes.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(position), (uint)(vector.Bytes.Length / vector.ElementSize));
        vector.Bytes.CopyTo(_buffer, position + 4);
        return position;
    }

    private int WriteString(string value)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(value);
        AlignTo(4);
        int position = Reserve(4 + utf8.Length + 1);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(position), (uint)utf8.Length);
        utf8.CopyTo(_buffer, position + 4);
        return position;
    }

    private int WriteObjectVector(IReadOnlyList<FlatBufferObject> items)
    {
        AlignTo(4);
        int position = Reserve(4 + (items.Count * 4));
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(position), (uint)items.Count);
        for (int i = 0; i < items.Count; i++)
        {
            int slot = position + 4 + (i * 4);
            int target = Write(items[i]);
            BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(slot), (uint)(target - slot));
        }

        return position;
    }

    private int WriteTable(FlatBufferTableBuilder table)
    {
        // Inline layout: the vtable offset, then fields from the widest down (little padding).
        var fields = table.Fields
            .Select(f => (Id: f.Key, f.Value, Size: f.Value.Scalar?.Length ?? 4))
            .OrderByDescending(f => f.Size)
            .ThenBy(f => f.Id)
            .ToList();
        int tableAlignment = Math.Max(4, fields.Count == 0 ? 4 : fields.Max(f => f.Size));
        var offsets = new Dictionary<int, int>();
        int inline = 4;
        foreach (var (id, _, size) in fields)
        {
            inline = (inline + size - 1) / size * size;
            offsets[id] = inline;
            inline += size;
        }

        int maxId = fields.Count == 0 ? -1 : fields.Max(f => f.Id);
        int vtableLength = 4 + (2 * (maxId + 1));

        AlignTo(2);
        int vtable = Reserve(vtableLength);
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(vtable), (ushort)vtableLength);
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(vtable + 2), (ushort)inline);
        foreach (var (id, offset) in offsets)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(vtable + 4 + (2 * id)), (ushort)offset);
        }

        AlignTo(tableAlignment);
        int position = Reserve(inline);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(position), position - vtable);
        foreach (var (id, value, _) in fields)
        {
            if (value.Scalar is { } scalar)
            {
                scalar.CopyTo(_buffer, position + offsets[id]);
            }
        }

        foreach (var (id, value, _) in fields)
        {
            if (value.Child is { } child)
            {
                int slot = position + offsets[id];
                int target = Write(child);
                BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(slot), (uint)(target - slot));
            }
        }

        return position;
    }

    private int WriteCopiedTable(FlatBufferCopiedTable copy)
    {
        var (source, sourcePosition, sourceVTable, vtableLength) = copy.Source.Layout;
        int tableLength = copy.Source.TableLength;
        AlignTo(2);
        int vtable = Reserve(vtableLength);
        source.AsSpan(sourceVTable, vtableLength).CopyTo(_buffer.AsSpan(vtable));

        // Keep the table's position modulo 8 so every inline field keeps its alignment.
        Pad(8, sourcePosition % 8);
        int position = Reserve(Math.Max(tableLength, 4));
        source.AsSpan(sourcePosition, tableLength).CopyTo(_buffer.AsSpan(position));
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(position), position - vtable);
        foreach (var (id, child) in copy.References.OrderBy(r => r.Key))
        {
            int entry = 4 + (2 * id);
            int fieldOffset = entry + 2 <= vtableLength ? BinaryPrimitives.ReadUInt16LittleEndian(_buffer.AsSpan(vtable + entry)) : 0;
            if (fieldOffset == 0)
            {
                continue;
            }

            int slot = position + fieldOffset;
            int target = Write(child);
            BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(slot), (uint)(target - slot));
        }

        return position;
    }

    private void AlignTo(int alignment) => Pad(alignment, 0);

    /// <summary>Pads with zeros until the length is <paramref name="remainder"/> modulo <paramref name="alignment"/>.</summary>
    private void Pad(int alignment, int remainder)
    {
        int target = _length + ((((remainder - _length) % alignment) + alignment) % alignment);
        Reserve(target - _length);
    }

    private int Reserve(int count)
    {
        int position = _length;
        if (_length + count > _buffer.Length)
        {
            long capacity = Math.Max((long)_buffer.Length * 2, (long)_length + count);
            if (capacity > Array.MaxLength)
            {
                throw new InvalidOperationException("the FlatBuffer would exceed 2 GB");
            }

            Array.Resize(ref _buffer, (int)capacity);
        }

        _length += count;
        return position;
    }
}
