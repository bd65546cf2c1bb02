using Google.FlatBuffers;

namespace NanoQuant.Host.TfLite;

/// <summary>
/// A table of a .tflite FlatBuffer, read through Google.FlatBuffers' <see cref="Table"/> and
/// <see cref="ByteBuffer"/>: typed accessors by field id (the schema's field order; a union takes two
/// ids, its type then its value) in place of the classes flatc would generate — no flatc that parses
/// TensorFlow's schema.fbs can be had here (see docs/robustness.md).
/// The file is untrusted and the library's Verifier is not used (it rejects valid TensorFlow files and
/// mis-checks offsets past 32,767): the library bounds-checks every read against the buffer, and every
/// exception it throws on a malformed file — <see cref="ArgumentOutOfRangeException"/>,
/// <see cref="ArgumentException"/>, <see cref="OverflowException"/>, <see cref="InvalidOperationException"/>
/// — becomes one <see cref="TfLiteFormatException"/> naming what was being read. Vector lengths are
/// checked against the file before anything is allocated.
/// </summary>
public readonly struct TfLiteTable
{
    private readonly Table _table;
    private readonly string _name;
    private readonly int _element;
    private readonly string? _field;

    private TfLiteTable(Table table, string name, int element = -1, string? field = null)
    {
        _table = table;
        _name = name;
        _element = element;
        _field = field;
    }

    /// <summary>
    /// What this table is, for messages: "tensors[3]", "operators[5] options" (made only when a message is;
    /// the labels the accessors take are appended the same way).
    /// </summary>
    private string What => (_element < 0 ? _name : $"{_name}[{_element}]") + (_field is null ? "" : " " + _field);

    private string Label(string label) => $"{What} {label}";

    /// <summary>The root table of a FlatBuffer.</summary>
    public static TfLiteTable Root(byte[] buffer, string what)
    {
        if (buffer.Length < 8)
        {
            throw new TfLiteFormatException($"{what}: the file is too short for a FlatBuffer ({buffer.Length} bytes)");
        }

        var bb = new ByteBuffer(buffer);
        try
        {
            return new TfLiteTable(new Table(bb.GetInt(bb.Position) + bb.Position, bb), what);
        }
        catch (Exception e) when (IsLibraryFault(e))
        {
            throw Malformed(what, e);
        }
    }

    /// <summary>
    /// Builds a table alone in a buffer with Google.FlatBuffers' builder and reads it back (e.g. an
    /// operator's options): <paramref name="build"/> creates any vectors and strings, then the table
    /// (StartTable … EndTable), and returns its offset. Fields equal to their default are still written.
    /// </summary>
    public static TfLiteTable Build(Func<FlatBufferBuilder, int> build)
    {
        var builder = new FlatBufferBuilder(64) { ForceDefaults = true };
        builder.Finish(build(builder));
        return Root(builder.SizedByteArray(), "built table");
    }

    /// <summary>True when field <paramref name="id"/> is stored (not defaulted).</summary>
    public bool Has(int id) => Field(id) != 0;

    public byte GetByte(int id, byte defaultValue = 0)
    {
        int p = Field(id);
        return p == 0 ? defaultValue : Read(p, static (bb, p) => bb.Get(p));
    }

    public sbyte GetSByte(int id, sbyte defaultValue = 0) => unchecked((sbyte)GetByte(id, unchecked((byte)defaultValue)));

    public bool GetBool(int id, bool defaultValue = false) => GetByte(id, defaultValue ? (byte)1 : (byte)0) != 0;

    public int GetInt(int id, int defaultValue = 0)
    {
        int p = Field(id);
        return p == 0 ? defaultValue : Read(p, static (bb, p) => bb.GetInt(p));
    }

    public uint GetUInt(int id, uint defaultValue = 0)
    {
        int p = Field(id);
        return p == 0 ? defaultValue : Read(p, static (bb, p) => bb.GetUint(p));
    }

    public ulong GetULong(int id, ulong defaultValue = 0)
    {
        int p = Field(id);
        return p == 0 ? defaultValue : Read(p, static (bb, p) => bb.GetUlong(p));
    }

    public float GetFloat(int id, float defaultValue = 0)
    {
        int p = Field(id);
        return p == 0 ? defaultValue : Read(p, static (bb, p) => bb.GetFloat(p));
    }

    /// <summary>The sub-table in field <paramref name="id"/> (named <paramref name="label"/> in messages), or null when absent.</summary>
    public TfLiteTable? GetTable(int id, string label)
    {
        int p = Field(id);
        if (p == 0)
        {
            return null;
        }

        int position = Read(p, label, static (bb, p) => p + bb.GetInt(p));
        return _field is null ? new TfLiteTable(new Table(position, _table.bb), _name, _element, label) : new TfLiteTable(new Table(position, _table.bb), Label(label));
    }

    /// <summary>The string in field <paramref name="id"/>, or null when absent.</summary>
    public string? GetString(int id, string label)
    {
        int p = Field(id);
        if (p == 0)
        {
            return null;
        }

        var table = _table;
        try
        {
            return table.__string(p);
        }
        catch (Exception e) when (IsLibraryFault(e))
        {
            throw Malformed(Label(label), e);
        }
    }

    /// <summary>The bytes of the ubyte vector in field <paramref name="id"/>, or null when absent.</summary>
    public byte[]? GetBytes(int id, string label) => Array<byte>(id, 1, label);

    public int[]? GetIntArray(int id, string label) => Array<int>(id, 4, label);

    public float[]? GetFloatArray(int id, string label) => Array<float>(id, 4, label);

    public long[]? GetLongArray(int id, string label) => Array<long>(id, 8, label);

    /// <summary>Where the first element of the vector in field <paramref name="id"/> lies in the file, or null when absent.</summary>
    internal int? VectorStart(int id, string label) => Vector(id, 1, label).Start is var start and > 0 ? start : null;

    /// <summary>The tables of a vector of tables (empty when the field is absent).</summary>
    public TfLiteTable[] GetTableArray(int id, string label)
    {
        var (start, length) = Vector(id, 4, label);
        if (length == 0)
        {
            return [];
        }

        var tables = new TfLiteTable[length];
        var bb = _table.bb;
        for (int i = 0; i < length; i++)
        {
            int slot = start + (i * 4);
            int position;
            try
            {
                position = slot + bb.GetInt(slot);
            }
            catch (Exception e) when (IsLibraryFault(e))
            {
                throw Malformed($"{label}[{i}]", e);
            }

            tables[i] = new TfLiteTable(new Table(position, bb), label, i);
        }

        return tables;
    }

    /// <summary>
    /// The table's fields other than <paramref name="references"/> as raw little-endian bits, each with
    /// a width of 1, 2, 4 or 8 bytes at least as wide as the field (the room up to the next field or the
    /// table's end, rounded down to a power of two), by id: how <see cref="TfLiteWriter"/> copies an options table
    /// of any type without knowing its fields' types. Reading any field of a copy gives the original's value.
    /// </summary>
    internal (int Id, int Width, ulong Bits)[] ScalarFields(IReadOnlyCollection<int> references)
    {
        var bb = _table.bb;
        int position = _table.bb_pos;
        int vtableLength, tableLength;
        try
        {
            int vtable = position - bb.GetInt(position);
            vtableLength = bb.GetUshort(vtable);
            tableLength = bb.GetUshort(vtable + 2);
        }
        catch (Exception e) when (IsLibraryFault(e))
        {
            throw Malformed(What, e);
        }

        var fields = new List<(int Id, int Offset)>();
        for (int id = 0; 4 + (2 * id) + 2 <= vtableLength; id++)
        {
            int offset = Field(id) - position;
            if (offset > 0)
            {
                fields.Add((id, offset));
            }
        }

        fields.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        var scalars = new List<(int, int, ulong)>();
        for (int i = 0; i < fields.Count; i++)
        {
            var (id, offset) = fields[i];
            int room = (i + 1 < fields.Count ? fields[i + 1].Offset : tableLength) - offset;
            if (room <= 0 || offset < 4)
            {
                throw new TfLiteFormatException($"{What}: field {id} overlaps another field or lies outside its table");
            }

            if (references.Contains(id))
            {
                continue;
            }

            int width = room >= 8 ? 8 : room >= 4 ? 4 : room >= 2 ? 2 : 1;
            ulong bits = Read(position + offset, width, static (bb, p, w) => w switch
            {
                1 => bb.Get(p),
                2 => bb.GetUshort(p),
                4 => bb.GetUint(p),
                _ => bb.GetUlong(p),
            });
            scalars.Add((id, width, bits));
        }

        scalars.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return [.. scalars];
    }

    /// <summary>Absolute position of field <paramref name="id"/>, 0 when absent.</summary>
    private int Field(int id)
    {
        var table = _table;
        try
        {
            int offset = table.__offset(4 + (2 * id));
            return offset == 0 ? 0 : table.bb_pos + offset;
        }
        catch (Exception e) when (IsLibraryFault(e))
        {
            throw Malformed($"{What} field {id}", e);
        }
    }

    /// <summary>Start and length of the vector in field <paramref name="id"/>; start 0 when absent.</summary>
    private (int Start, int Length) Vector(int id, int elementSize, string label)
    {
        int p = Field(id);
        if (p == 0)
        {
            return (0, 0);
        }

        var table = _table;
        int start, length;
        try
        {
            int offset = p - table.bb_pos;
            start = table.__vector(offset);
            length = table.__vector_len(offset);
        }
        catch (Exception e) when (IsLibraryFault(e))
        {
            throw Malformed(Label(label), e);
        }

        if (start < 4 || start > table.bb.Length || length < 0 || (long)length * elementSize > table.bb.Length - start)
        {
            throw new TfLiteFormatException($"{Label(label)}: vector of {length} elements runs past the end of the file");
        }

        return (start, length);
    }

    private T[]? Array<T>(int id, int elementSize, string label)
        where T : struct
    {
        var (start, length) = Vector(id, elementSize, label);
        if (start == 0)
        {
            return null;
        }

        if (length == 0)
        {
            return [];
        }

        var bb = _table.bb;
        try
        {
            return bb.ToArray<T>(start, length);   // 25.2.10 counts elements here (later versions bytes)
        }
        catch (Exception e) when (IsLibraryFault(e))
        {
            throw Malformed(Label(label), e);
        }
    }

    private T Read<T>(int position, Func<ByteBuffer, int, T> read) => Read(position, null, read);

    private T Read<T>(int position, string? label, Func<ByteBuffer, int, T> read)
    {
        try
        {
            return read(_table.bb, position);
        }
        catch (Exception e) when (IsLibraryFault(e))
        {
            throw Malformed(label is null ? What : Label(label), e);
        }
    }

    private T Read<T>(int position, int width, Func<ByteBuffer, int, int, T> read)
    {
        try
        {
            return read(_table.bb, position, width);
        }
        catch (Exception e) when (IsLibraryFault(e))
        {
            throw Malformed(What, e);
        }
    }

    /// <summary>The exceptions Google.FlatBuffers throws when an offset or length of a malformed file is wrong.</summary>
    private static bool IsLibraryFault(Exception e) =>
        e is ArgumentException or OverflowException or InvalidOperationException or IndexOutOfRangeException;

    private static TfLiteFormatException Malformed(string what, Exception e) =>
        new($"{what}: malformed FlatBuffer: an offset or length points outside the file");
}
