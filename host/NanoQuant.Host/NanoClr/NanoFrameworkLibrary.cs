namespace NanoQuant.Host.NanoClr;

/// <summary>
/// One nanoFramework class library nanoQuant compiles against and loads on nanoCLR, and where it comes from: a row
/// of nanoclr/libraries.txt (the one list, embedded in this assembly; nanoclr/build.sh and .ci/run read the file).
/// </summary>
/// <param name="Assembly">The assembly name (<c>mscorlib</c>, <c>System.Math</c>, …).</param>
/// <param name="Package">Its NuGet package id (<c>nanoFramework.CoreLibrary</c>, …).</param>
/// <param name="Version">The package version the projects name and the device package pins.</param>
/// <param name="FromNuGet">True: restored from NuGet (nanoclr/build.sh copies it into the build's <c>nuget/</c>); false: the kit's <c>lib/</c>.</param>
/// <param name="LoadedAtRuntime">True: nanoCLR loads it for every run (in list order); false: TestFramework projects only.</param>
public sealed record NanoFrameworkLibrary(string Assembly, string Package, string Version, bool FromNuGet, bool LoadedAtRuntime)
{
    /// <summary>Every row of nanoclr/libraries.txt, in its order (mscorlib first).</summary>
    public static IReadOnlyList<NanoFrameworkLibrary> All { get; } = Load();

    /// <summary>The row of an assembly, or null.</summary>
    public static NanoFrameworkLibrary? OfAssembly(string assembly) => All.FirstOrDefault(l => l.Assembly == assembly);

    /// <summary>The row of a package id, or null.</summary>
    public static NanoFrameworkLibrary? OfPackage(string package) => All.FirstOrDefault(l => l.Package == package);

    /// <summary>Reads the list (the embedded nanoclr/libraries.txt, or <paramref name="text"/>).</summary>
    internal static IReadOnlyList<NanoFrameworkLibrary> Parse(string text)
    {
        var rows = new List<NanoFrameworkLibrary>();
        foreach (string line in text.Split('\n'))
        {
            string trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }

            string[] f = trimmed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length != 5 || f[3] is not ("nuget" or "kit") || f[4] is not ("runtime" or "tests"))
            {
                throw new InvalidDataException($"nanoclr/libraries.txt: malformed row '{trimmed}'");
            }

            rows.Add(new NanoFrameworkLibrary(f[0], f[1], f[2], f[3] == "nuget", f[4] == "runtime"));
        }

        return rows;
    }

    private static IReadOnlyList<NanoFrameworkLibrary> Load()
    {
        using var stream = typeof(NanoFrameworkLibrary).Assembly.GetManifestResourceStream("NanoQuant.Host.NanoClr.libraries.txt")
            ?? throw new InvalidOperationException("nanoclr/libraries.txt is not embedded in NanoQuant.Host");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }
}
