using System.IO.Compression;
using System.Reflection;
using System.Xml.Linq;

namespace NanoQuant.Host.NanoClr;

/// <summary>
/// Makes the NuGet package of the device library from the nanoFramework build (nanoclr/build.sh): nanoFramework's
/// package layout — <c>lib/NanoQuant.Device.dll</c>, <c>.pe</c> (what nanoCLR loads), <c>.pdbx</c>, <c>.xml</c> —
/// with the metadata of device/NanoQuant.Device.nuspec and every nanoFramework dependency pinned exactly
/// (<c>[x.y.z]</c>) to the version nanoclr/libraries.txt names, which is the version of the assembly it was compiled
/// against (NuGet's mscorlib, the kit's others; checked here).
/// </summary>
public static class NanoFrameworkPackage
{
    private static readonly string[] LibFiles = ["NanoQuant.Device.dll", "NanoQuant.Device.pe", "NanoQuant.Device.pdbx", "NanoQuant.Device.xml"];

    /// <summary>Builds the library if needed and writes <c>NanoQuant.Device.{version}.nupkg</c> into <paramref name="outputDirectory"/>; returns its path.</summary>
    public static string Create(NanoClrHost host, string version, string outputDirectory)
    {
        host.Build();
        XNamespace ns = "http://schemas.microsoft.com/packaging/2012/06/nuspec.xsd";
        var template = XDocument.Load(Path.Combine(host.RepositoryRoot, "device", "NanoQuant.Device.nuspec"));
        var metadata = template.Root!.Element(ns + "metadata") ?? throw new NanoClrException("device/NanoQuant.Device.nuspec has no <metadata>");
        metadata.Element(ns + "version")!.Value = version;
        var dependencies = metadata.Element(ns + "dependencies")!;
        dependencies.RemoveNodes();

        // The references the library really has, pinned to the versions of nanoclr/libraries.txt it was compiled against.
        var references = ReferencesOf(Path.Combine(host.BuildDirectory, "NanoQuant.Device.dll"));
        foreach (var reference in references.OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            var library = NanoFrameworkLibrary.OfAssembly(reference.Name!)
                ?? throw new NanoClrException($"NanoQuant.Device references {reference.Name}, which nanoclr/libraries.txt does not list");
            var v = reference.Version!;
            if ($"{v.Major}.{v.Minor}.{v.Build}" != library.Version)
            {
                throw new NanoClrException($"NanoQuant.Device was compiled against {reference.Name} {v}, but nanoclr/libraries.txt names {library.Package} {library.Version}");
            }

            dependencies.Add(new XElement(ns + "dependency", new XAttribute("id", library.Package), new XAttribute("version", $"[{library.Version}]")));
        }

        template.Root.Element(ns + "files")?.Remove();
        Directory.CreateDirectory(outputDirectory);
        string path = Path.Combine(outputDirectory, $"NanoQuant.Device.{version}.nupkg");
        string temporary = path + ".tmp";
        using (var zip = ZipFile.Open(temporary, ZipArchiveMode.Create))
        {
            Add(zip, "NanoQuant.Device.nuspec", template.ToString());
            foreach (string file in LibFiles)
            {
                string source = Path.Combine(host.BuildDirectory, file);
                if (!File.Exists(source))
                {
                    throw new NanoClrException($"the nanoFramework build has no {file}");
                }

                zip.CreateEntryFromFile(source, "lib/" + file);
            }

            Add(zip, "[Content_Types].xml",
                "<?xml version=\"1.0\" encoding=\"utf-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\" />"
                + "<Default Extension=\"nuspec\" ContentType=\"application/octet\" /><Default Extension=\"dll\" ContentType=\"application/octet\" />"
                + "<Default Extension=\"pe\" ContentType=\"application/octet\" /><Default Extension=\"pdbx\" ContentType=\"application/octet\" />"
                + "<Default Extension=\"xml\" ContentType=\"application/octet\" /></Types>");
            Add(zip, "_rels/.rels",
                "<?xml version=\"1.0\" encoding=\"utf-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                + "<Relationship Type=\"http://schemas.microsoft.com/packaging/2010/07/manifest\" Target=\"/NanoQuant.Device.nuspec\" Id=\"R0\" /></Relationships>");
        }

        File.Move(temporary, path, overwrite: true);
        return path;
    }

    /// <summary>The assemblies a compiled library references (name and version), read from its metadata.</summary>
    public static IReadOnlyList<AssemblyName> ReferencesOf(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var reader = new System.Reflection.PortableExecutable.PEReader(stream);
        var metadata = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(reader);
        return metadata.AssemblyReferences.Select(h => metadata.GetAssemblyReference(h).GetAssemblyName()).ToList();
    }

    private static void Add(ZipArchive zip, string name, string text)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name).Open());
        writer.Write(text);
    }
}
