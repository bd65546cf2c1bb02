using NanoQuant.Format;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Cli;

/// <summary>What a file holds, judged from its first bytes.</summary>
public enum FileKind
{
    Other,
    TfLite,
    DeviceModel,
    Npy,
}

/// <summary>
/// Reading the files a command is given, with errors that name the file and say what to do: a
/// missing file, a folder, a `.nq` where a `.tflite` is expected (and the reverse), a damaged or
/// truncated model. No .NET exception text reaches the user from here.
/// </summary>
public static class CliFiles
{
    /// <summary>The kind of model or data file <paramref name="bytes"/> hold.</summary>
    public static FileKind KindOf(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length >= 8 && bytes[4] == 'T' && bytes[5] == 'F' && bytes[6] == 'L' && bytes[7] == '3')
        {
            return FileKind.TfLite;
        }

        if (bytes.Length >= 4 && BitConverter.ToUInt32(bytes[..4]) == ModelFormat.Magic)
        {
            return FileKind.DeviceModel;
        }

        return bytes.Length >= 6 && bytes[0] == 0x93 && bytes[1..6].SequenceEqual("NUMPY"u8) ? FileKind.Npy : FileKind.Other;
    }

    /// <summary>The bytes of an existing file (not a folder); <paramref name="role"/> names it in errors ("model", "--input").</summary>
    public static byte[] ReadAllBytes(string path, string role)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new CliUsageException($"{role} '{full}' is a folder; give a file");
        }

        if (!File.Exists(full))
        {
            throw new CliUsageException($"{role} '{full}' does not exist");
        }

        try
        {
            return File.ReadAllBytes(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliUsageException($"cannot read {role} '{full}': check that the file is readable");
        }
    }

    /// <summary>A model file that is either a .tflite or a .nq; anything else is refused.</summary>
    public static (FileKind Kind, byte[] Bytes) ReadAnyModel(string path, string role = "model")
    {
        byte[] bytes = ReadAllBytes(path, role);
        var kind = KindOf(bytes);
        if (kind is FileKind.TfLite or FileKind.DeviceModel)
        {
            return (kind, bytes);
        }

        throw new CliUsageException($"{role} '{Path.GetFullPath(path)}' is {Describe(kind, bytes)}, neither a TensorFlow Lite model (.tflite) nor a nanoQuant device model (.nq)");
    }

    /// <summary>A TensorFlow Lite model; a device model or a damaged file gets an error naming the file.</summary>
    public static TfLiteModel ReadTfLite(string path, string role = "model")
    {
        string full = Path.GetFullPath(path);
        byte[] bytes = ReadAllBytes(full, role);
        return ParseTfLite(full, bytes, role);
    }

    /// <summary>Parses <paramref name="bytes"/> read from <paramref name="path"/> as a TensorFlow Lite model.</summary>
    public static TfLiteModel ParseTfLite(string path, byte[] bytes, string role = "model")
    {
        var kind = KindOf(bytes);
        if (kind == FileKind.DeviceModel)
        {
            throw new CliUsageException($"{role} '{path}' is a nanoQuant device model (.nq), not a TensorFlow Lite model: give the .tflite it was converted from");
        }

        if (kind != FileKind.TfLite)
        {
            throw new CliUsageException($"{role} '{path}' is {Describe(kind, bytes)}, not a TensorFlow Lite model (.tflite)");
        }

        try
        {
            return TfLiteReader.Read(bytes);
        }
        catch (TfLiteFormatException e)
        {
            throw new CliUsageException($"{role} '{path}' is a damaged TensorFlow Lite model ({e.Message}); the file may be truncated: export or copy it again");
        }
    }

    /// <summary>A device model, checked by loading it as the device would; a .tflite or a damaged file gets an error naming the file.</summary>
    public static byte[] ReadDeviceModel(string path, string role = "model")
    {
        string full = Path.GetFullPath(path);
        byte[] bytes = ReadAllBytes(full, role);
        var kind = KindOf(bytes);
        if (kind == FileKind.TfLite)
        {
            throw new CliUsageException($"{role} '{full}' is a TensorFlow Lite model, not a nanoQuant device model: convert it first (nanoquant convert {Path.GetFileName(full)} -o {Path.GetFileNameWithoutExtension(full)}.nq)");
        }

        if (kind != FileKind.DeviceModel)
        {
            throw new CliUsageException($"{role} '{full}' is {Describe(kind, bytes)}, not a nanoQuant device model (.nq)");
        }

        try
        {
            using var interpreter = new Interpreter(bytes);
        }
        catch (InvalidModelException e)
        {
            throw new CliUsageException($"{role} '{full}' is not a valid device model: {e.Message}; convert the .tflite again");
        }

        return bytes;
    }

    /// <summary>Checks a .npy data file before it is read: it exists, is a file, and is not a model.</summary>
    public static void CheckDataFile(string path, string role, bool folderAllowed = false)
    {
        string full = Path.GetFullPath(path);
        if (folderAllowed && Directory.Exists(full))
        {
            return;
        }

        byte[] bytes = ReadAllBytes(full, role);
        var kind = KindOf(bytes);
        if (kind != FileKind.Npy)
        {
            throw new CliUsageException($"{role} '{full}' is {Describe(kind, bytes)}, not a NumPy .npy file" +
                (kind is FileKind.TfLite or FileKind.DeviceModel ? ": give the model as the first argument and the data with " + role : ""));
        }
    }

    /// <summary>
    /// Checks an output path: its folder exists, it is not a folder, and it ends in the extension of
    /// what will be written (a device model named .tflite, or the reverse, would mislead every later tool).
    /// </summary>
    public static void CheckOutputFile(string path, string role, string extension, string what)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new CliUsageException($"{role} '{full}' is a folder; give a file name such as '{Path.Combine(full, "model" + extension)}'");
        }

        string? folder = Path.GetDirectoryName(full);
        if (folder is not null && !Directory.Exists(folder))
        {
            for (string? up = folder; up is not null; up = Path.GetDirectoryName(up))
            {
                if (File.Exists(up))
                {
                    throw new CliUsageException($"{role} '{full}': '{up}' is a file, not a folder; give a path inside an existing folder");
                }
            }

            throw new CliUsageException($"output folder '{folder}' does not exist");
        }

        string given = Path.GetExtension(full);
        string[] modelExtensions = [".nq", ".tflite", ".npy"];
        if (!string.Equals(given, extension, StringComparison.OrdinalIgnoreCase) && modelExtensions.Contains(given, StringComparer.OrdinalIgnoreCase))
        {
            throw new CliUsageException($"{role} '{full}' would hold {what}, which is a {extension} file, not {given}: name it {Path.GetFileNameWithoutExtension(full)}{extension}");
        }
    }

    private static string Describe(FileKind kind, byte[] bytes) => kind switch
    {
        FileKind.TfLite => "a TensorFlow Lite model",
        FileKind.DeviceModel => "a nanoQuant device model",
        FileKind.Npy => "a NumPy .npy file",
        _ when bytes.Length == 0 => "empty",
        _ => "not a file nanoQuant knows (neither .tflite, .nq nor .npy)",
    };
}
