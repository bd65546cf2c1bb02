namespace NanoQuant.Tests;

/// <summary>Paths into ../shared (the read-only models, goldens and data beside the project root).</summary>
public static class SharedResources
{
    public static string Root { get; } = FindRoot();

    public static string Models => Path.Combine(Root, "models");
    public static string Golden => Path.Combine(Root, "golden");
    public static string Data => Path.Combine(Root, "data");

    public static string ProjectRoot { get; } = FindProjectRoot();

    public static string ModelPath(string name)
    {
        string direct = Path.Combine(Models, name + ".tflite");
        if (File.Exists(direct))
        {
            return direct;
        }

        foreach (string folder in new[] { "ops", "ops16", "models16" })
        {
            string candidate = Path.Combine(Models, folder, name + ".tflite");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return Path.Combine(Models, "extra", name + ".tflite");
    }

    private static string FindProjectRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "nanoQuant.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("cannot find the project root (nanoQuant.sln) above " + AppContext.BaseDirectory);
    }

    private static string FindRoot()
    {
        string root = Path.GetFullPath(Path.Combine(FindProjectRoot(), "..", "shared"));
        if (!Directory.Exists(Path.Combine(root, "golden")))
        {
            throw new DirectoryNotFoundException($"the shared resources are expected at {root} (../shared from the project root)");
        }

        return root;
    }
}
