using System.Reflection;
using System.Runtime.CompilerServices;

namespace NanoQuant.Host.Analysis;

/// <summary>
/// The managed heap a loaded interpreter takes on nanoCLR, counted from the objects the loader really
/// creates: the host runs the device runtime's own code, so the object graph reachable from a loaded
/// <see cref="Interpreter"/> (tensors, kernels, operator tables, constant pool, arena, per-kernel tables)
/// is the one a board holds. Each object is priced as nanoCLR allocates it (nf-interpreter
/// <c>ExtractHeapBlocksForClassOrValueTypes</c> / <c>ExtractHeapBlocksForArray</c>), in a <see cref="NanoClrHeapLayout"/>:
/// <list type="bullet">
/// <item>a class instance: one heap block of header plus one block per instance field (of any type);</item>
/// <item>an array: its header plus its elements (numeric elements at their size, references at one block each),
/// rounded up to whole blocks;</item>
/// <item>a string: a header block plus its UTF-8 bytes and terminator, rounded up to whole blocks.</item>
/// </list>
/// </summary>
public static class NanoClrHeap
{
    /// <summary>The heap a model takes once loaded from a byte[] (the array itself not counted) and invoked once.</summary>
    public static long InRam(byte[] deviceModel, NanoClrHeapLayout layout)
    {
        using var interpreter = new Interpreter(deviceModel);
        interpreter.Invoke();
        return Reachable(interpreter, [deviceModel], layout);
    }

    /// <summary>The heap a model takes loaded with <see cref="ModelLoadMode.StreamWeights"/> from a stream (the stream not counted) and invoked once.</summary>
    public static long Streamed(byte[] deviceModel, NanoClrHeapLayout layout)
    {
        using var stream = new MemoryStream(deviceModel, writable: false);
        using var interpreter = new Interpreter(stream, ModelLoadMode.StreamWeights, Interpreter.DefaultMaxArenaBytes);
        interpreter.Invoke();
        return Reachable(interpreter, [stream, deviceModel], layout);
    }

    /// <summary>nanoCLR's heap bytes for every object reachable from <paramref name="root"/> through instance fields, <paramref name="excluded"/> and what only they reach left out.</summary>
    public static long Reachable(object root, IEnumerable<object> excluded, NanoClrHeapLayout layout)
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (var e in excluded)
        {
            seen.Add(e);
        }

        long bytes = 0;
        var pending = new Stack<object>();
        pending.Push(root);
        seen.Add(root);
        while (pending.Count > 0)
        {
            object o = pending.Pop();
            bytes += Cost(o, layout);
            foreach (object child in References(o))
            {
                if (seen.Add(child))
                {
                    pending.Push(child);
                }
            }
        }

        return bytes;
    }

    private static long Blocks(long bytes, int block) => (bytes + block - 1) / block * block;

    private static long Cost(object o, NanoClrHeapLayout layout)
    {
        int block = layout.BlockBytes;
        switch (o)
        {
            case string s:
                return Blocks(block + System.Text.Encoding.UTF8.GetByteCount(s) + 1, block);
            case Array a:
                var element = a.GetType().GetElementType()!;
                long elementBytes = element.IsValueType ? ElementSize(element) : block;
                return Blocks(layout.ArrayHeaderBytes + a.LongLength * elementBytes, block);
            default:
                return (1 + InstanceFields(o.GetType()).Count) * (long)block;
        }
    }

    private static int ElementSize(Type t)
    {
        if (t.IsEnum)
        {
            t = Enum.GetUnderlyingType(t);
        }

        return Type.GetTypeCode(t) switch
        {
            TypeCode.Boolean or TypeCode.SByte or TypeCode.Byte => 1,
            TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Char => 2,
            TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Single => 4,
            TypeCode.Int64 or TypeCode.UInt64 or TypeCode.Double => 8,
            _ => throw new NotSupportedException($"the device runtime holds an array of {t.Name}, which this estimate does not price"),
        };
    }

    private static IEnumerable<object> References(object o)
    {
        if (o is Array a)
        {
            if (!a.GetType().GetElementType()!.IsValueType)
            {
                foreach (object? item in a)
                {
                    if (item is not null)
                    {
                        yield return item;
                    }
                }
            }

            yield break;
        }

        if (o is string)
        {
            yield break;
        }

        foreach (var field in InstanceFields(o.GetType()))
        {
            if (!field.FieldType.IsValueType && field.GetValue(o) is { } value)
            {
                yield return value;
            }
        }
    }

    private static readonly ConditionalWeakTable<Type, List<FieldInfo>> Fields = new();

    private static List<FieldInfo> InstanceFields(Type type) => Fields.GetValue(type, t =>
    {
        var fields = new List<FieldInfo>();
        for (var level = t; level is not null && level != typeof(object); level = level.BaseType)
        {
            fields.AddRange(level.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly));
        }

        return fields;
    });
}
