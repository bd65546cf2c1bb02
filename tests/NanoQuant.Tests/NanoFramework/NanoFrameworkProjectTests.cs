using System.Xml.Linq;

namespace NanoQuant.Tests.NanoFramework;

/// <summary>
/// The nanoFramework projects stay in step with the sources: device/NanoQuant.Device.nfproj lists
/// every .cs file the desktop build compiles (so a new kernel cannot be forgotten), its package
/// references agree with packages.config and the .nuspec (exact pins), and it is C# 10.
/// </summary>
public class NanoFrameworkProjectTests
{
    private static readonly XNamespace Ms = "http://schemas.microsoft.com/developer/msbuild/2003";

    private static string DevicePath(string file) => Path.Combine(SharedResources.ProjectRoot, "device", file);

    [Fact]
    public void The_nfproj_lists_exactly_the_device_and_shared_sources()
    {
        var project = XDocument.Load(DevicePath("NanoQuant.Device.nfproj"));
        var listed = project.Descendants(Ms + "Compile")
            .Select(c => c.Attribute("Include")!.Value.Replace('\\', '/'))
            .Select(p => Path.GetRelativePath(SharedResources.ProjectRoot, Path.GetFullPath(Path.Combine(SharedResources.ProjectRoot, "device", p))).Replace('\\', '/'))
            .ToList();
        Assert.Equal(listed.Count, listed.Distinct().Count());

        var sources = NanoFrameworkGuard.DeviceSourceFiles();
        var missing = sources.Except(listed).ToList();
        var extra = listed.Except(sources).ToList();
        Assert.True(missing.Count == 0, "device/NanoQuant.Device.nfproj does not compile these files the desktop build compiles; add:\n"
            + string.Join("\n", missing.Select(Line)));
        Assert.True(extra.Count == 0, "device/NanoQuant.Device.nfproj lists files that do not exist: " + string.Join(", ", extra));

        // Every operator type's kernel is there (device/Kernels/<OperatorType>Kernel.cs).
        var kernels = Enum.GetNames<NanoQuant.Format.OperatorType>().Select(n => $"device/Kernels/{n}Kernel.cs").ToList();
        Assert.True(kernels.Count >= 22, $"only {kernels.Count} operator types");
        Assert.All(kernels, k => Assert.Contains(k, listed));

        static string Line(string file) => file.StartsWith("shared/", StringComparison.Ordinal)
            ? $"    <Compile Include=\"..\\{file.Replace('/', '\\')}\"><Link>Shared\\{Path.GetFileName(file)}</Link></Compile>"
            : file.StartsWith("native/", StringComparison.Ordinal)
                ? $"    <Compile Include=\"..\\{file.Replace('/', '\\')}\" />"
                : $"    <Compile Include=\"{file["device/".Length..].Replace('/', '\\')}\" />";
    }

    [Fact]
    public void The_desktop_build_compiles_the_same_files()
    {
        // The desktop csproj globs device/**/*.cs and ../shared/**/*.cs (bin/obj excluded); the compiled
        // assembly must contain a type from each of them — checked through the guard's file list,
        // which uses the same rule, and the csproj's own globs.
        var csproj = XDocument.Load(DevicePath("NanoQuant.Device.csproj"));
        var includes = csproj.Descendants("Compile").Select(c => c.Attribute("Include")!.Value).ToList();
        Assert.Equal(["**/*.cs", "../shared/**/*.cs", "../native/bindings/**/*.cs"], includes);
        Assert.Equal("10", csproj.Descendants("LangVersion").Single().Value);
    }

    [Fact]
    public void The_nfproj_is_CSharp_10_and_references_match_packages_config_and_nuspec()
    {
        var project = XDocument.Load(DevicePath("NanoQuant.Device.nfproj"));
        Assert.Equal("10.0", project.Descendants(Ms + "LangVersion").Single().Value);
        Assert.Equal("NanoQuant.Device", project.Descendants(Ms + "AssemblyName").Single().Value);

        var packages = XDocument.Load(DevicePath("packages.config")).Descendants("package")
            .ToDictionary(p => p.Attribute("id")!.Value, p => p.Attribute("version")!.Value);
        Assert.Equal("1.17.11", packages["nanoFramework.CoreLibrary"]); // what NuGet serves (nanoclr/libraries.txt)
        Assert.True(packages["nanoFramework.CoreLibrary"].StartsWith("1.", StringComparison.Ordinal), "CoreLibrary 1.x (2.x previews add generics nanoCLR 1.x cannot run)");
        Assert.Contains("nanoFramework.System.Math", packages.Keys);

        // Every reference's hint path points into a package of packages.config at its version.
        foreach (var reference in project.Descendants(Ms + "Reference"))
        {
            string hint = reference.Element(Ms + "HintPath")!.Value.Replace('\\', '/');
            var match = System.Text.RegularExpressions.Regex.Match(hint, @"^\.\./packages/(?<id>[A-Za-z.]+?)\.(?<version>\d+\.\d+\.\d+)/lib/");
            Assert.True(match.Success, hint);
            Assert.Equal(packages[match.Groups["id"].Value], match.Groups["version"].Value);
            Assert.Contains("Version=" + match.Groups["version"].Value + ".0", reference.Attribute("Include")!.Value);
        }

        Assert.Equal(packages.Count, project.Descendants(Ms + "Reference").Count());

        XNamespace nuspec = "http://schemas.microsoft.com/packaging/2012/06/nuspec.xsd";
        var dependencies = XDocument.Load(DevicePath("NanoQuant.Device.nuspec")).Descendants(nuspec + "dependency")
            .ToDictionary(d => d.Attribute("id")!.Value, d => d.Attribute("version")!.Value);
        Assert.Equal(packages.Select(p => (p.Key, "[" + p.Value + "]")).OrderBy(p => p.Key), dependencies.Select(d => (d.Key, d.Value)).OrderBy(p => p.Key));
    }
}
