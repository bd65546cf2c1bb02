namespace NanoQuant.Tests.Native;

/// <summary>
/// The file format of a recording of native calls (read by native/tests/cortex-m/replay.c), little-endian:
/// "NQRC", int32 version 1, then per call: int32 1, int32 parameter count, the parameters (tensor starts 0),
/// three int8 arrays (input, second, the output the x64 kernels wrote) and four int32 arrays (t0..t3), each
/// as int32 length (−1 for none) then its elements, padded with zeros to a multiple of 4 bytes; int32 0 ends it.
/// </summary>
public static class NativeCallRecording
{
    public const int Version = 1;

    public static void Begin(BinaryWriter writer)
    {
        writer.Write("NQRC"u8);
        writer.Write(Version);
    }

    public static void End(BinaryWriter writer)
    {
        writer.Write(0);
        writer.Flush();
    }

    public static void Write(BinaryWriter writer, int[] parameters, ReadOnlySpan<sbyte> input, ReadOnlySpan<sbyte> second,
        ReadOnlySpan<sbyte> output, int[]?[] tables)
    {
        writer.Write(1);
        writer.Write(parameters.Length);
        foreach (int v in parameters)
        {
            writer.Write(v);
        }

        Bytes(writer, input);
        Bytes(writer, second);
        Bytes(writer, output);
        foreach (var table in tables)
        {
            writer.Write(table?.Length ?? -1);
            foreach (int v in table ?? [])
            {
                writer.Write(v);
            }
        }
    }

    private static void Bytes(BinaryWriter writer, ReadOnlySpan<sbyte> data)
    {
        // A null array arrives as an empty span: recorded as -1 when the call had none (length 0 otherwise is rare
        // and replays the same way).
        if (data.IsEmpty)
        {
            writer.Write(-1);
            return;
        }

        writer.Write(data.Length);
        foreach (sbyte v in data)
        {
            writer.Write(v);
        }

        for (int pad = data.Length; pad % 4 != 0; pad++)
        {
            writer.Write((byte)0);
        }
    }
}
