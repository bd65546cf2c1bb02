namespace NanoQuant.Host.IO;

/// <summary>Writes files so that a failure never leaves a partial file: write a temporary file beside the target, then rename.</summary>
public static class AtomicFile
{
    public static void WriteAllBytes(string path, byte[] bytes)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(directory))
        {
            throw new IOException($"output folder '{directory}' does not exist");
        }

        if (Directory.Exists(full))
        {
            throw new IOException($"'{full}' is a folder; give a file name");
        }

        string temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The temporary file's name and .NET's wording mean nothing to the user: name the target.
            string reason = e is UnauthorizedAccessException ? "permission denied" : "the write failed";
            throw new IOException($"cannot write '{full}' ({reason}): check that the folder '{directory}' is writable and has space", e);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
