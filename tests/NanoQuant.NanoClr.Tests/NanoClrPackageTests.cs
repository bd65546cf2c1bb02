using System.IO.Compression;
using System.Reflection;
using System.Xml.Linq;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.NanoClr;
using NanoQuant.Host.Npy;

namespace NanoQuant.Tests.NanoClr;

/// <summary>
/// The nanoFramework NuGet package of the device library, made from the nanoFramework build: nanoFramework's
/// layout, exact dependency pins to the libraries it was built against (nanoclr/libraries.txt), and its .pe runs a golden on nanoCLR.
/// </summary>
public sealed class NanoClrPackageTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nanoquant-package-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_package_has_nanoFrameworks_layout_and_exact_pins_and_its_pe_runs_a_golden_on_nanoCLR()
    {
        var host = new NanoClrHost();
        string package = NanoFrameworkPackage.Create(host, "0.1.0-ci", _folder);
        Assert.Equal("NanoQuant.Device.0.1.0-ci.nupkg", Path.GetFileName(package));
        string unpacked = Path.Combine(_folder, "unpacked");
        ZipFile.ExtractToDirectory(package, unpacked);

        string[] lib = Directory.GetFiles(Path.Combine(unpacked, "lib")).Select(f => Path.GetFileName(f)).Order().ToArray();
        Assert.Equal(new[] { "NanoQuant.Device.dll", "NanoQuant.Device.pdbx", "NanoQuant.Device.pe", "NanoQuant.Device.xml" }, lib);
        Assert.Equal(File.ReadAllBytes(host.DevicePe), File.ReadAllBytes(Path.Combine(unpacked, "lib", "NanoQuant.Device.pe")));

        XNamespace ns = "http://schemas.microsoft.com/packaging/2012/06/nuspec.xsd";
        var metadata = XDocument.Load(Path.Combine(unpacked, "NanoQuant.Device.nuspec")).Root!.Element(ns + "metadata")!;
        Assert.Equal("NanoQuant.Device", metadata.Element(ns + "id")!.Value);
        Assert.Equal("0.1.0-ci", metadata.Element(ns + "version")!.Value);
        var pins = metadata.Descendants(ns + "dependency").ToDictionary(d => d.Attribute("id")!.Value, d => d.Attribute("version")!.Value);

        // Every reference of the packaged .dll is pinned to exactly the version of the assembly it was compiled against
        // (NuGet's mscorlib, the kit's others), which is the version nanoclr/libraries.txt names.
        var references = NanoFrameworkPackage.ReferencesOf(Path.Combine(unpacked, "lib", "NanoQuant.Device.dll"));
        Assert.Equal(references.Count, pins.Count);
        foreach (var reference in references)
        {
            var library = NanoFrameworkLibrary.OfAssembly(reference.Name!)!;
            Assert.Equal($"[{VersionOf(host, library)}]", pins[library.Package]);
            Assert.Equal($"[{library.Version}]", pins[library.Package]);
        }

        Assert.Equal("[1.17.11]", pins["nanoFramework.CoreLibrary"]);

        // The packaged .pe on nanoCLR: kws_ref_model_int8, every case, TFLM's bytes.
        var golden = Golden.Load("kws_ref_model_int8");
        byte[] model = Converter.ConvertFile(golden.ModelPath).Bytes;
        var packaged = new NanoClrHost(new NanoClrOptions { DevicePe = Path.Combine(unpacked, "lib", "NanoQuant.Device.pe") });
        Assert.Equal(Path.Combine(unpacked, "lib", "NanoQuant.Device.pe"), packaged.DevicePe);
        var cases = Enumerable.Range(0, golden.CaseCount).Select(c => (IReadOnlyList<NpyArray>)golden.Inputs(c)).ToList();
        var (job, local) = NanoClrModelRunner.PrepareJob(model, cases);
        var result = packaged.Run([job]).Jobs[0];
        NanoClrGoldenTests.AssertGolden(golden.Name, golden, local, result);
    }

    /// <summary>The version (x.y.z) of the assembly a library of nanoclr/libraries.txt is compiled against: NuGet's copy in the build, else the kit's.</summary>
    private static string VersionOf(NanoClrHost host, NanoFrameworkLibrary library)
    {
        host.Build();
        string dll = library.FromNuGet ? Path.Combine(host.BuildDirectory, "nuget", library.Assembly + ".dll") : Path.Combine(host.KitDirectory, "lib", library.Assembly + ".dll");
        var v = AssemblyName.GetAssemblyName(dll).Version!;
        return $"{v.Major}.{v.Minor}.{v.Build}";
    }

    [Theory]
    [InlineData("device/packages.config")]
    [InlineData("hardware/esp32/packages.config")]
    [InlineData("hardware/stm32/packages.config")]
    [InlineData("tests/NanoQuant.Device.nfTests/packages.config")]
    public void Every_package_version_is_the_listed_version_of_the_assembly_it_is_built_against(string config)
    {
        var host = new NanoClrHost();
        var packages = XDocument.Load(Path.Combine(host.RepositoryRoot, config)).Descendants("package")
            .ToDictionary(p => p.Attribute("id")!.Value, p => p.Attribute("version")!.Value);
        Assert.NotEmpty(packages);
        foreach (var (id, version) in packages)
        {
            var library = NanoFrameworkLibrary.OfPackage(id);
            Assert.True(library is not null, $"{config}: nanoclr/libraries.txt does not list {id}");
            Assert.True(library.Version == version, $"{config}: {id} {version}, but nanoclr/libraries.txt names {library.Version}");
            Assert.True(VersionOf(host, library) == version, $"{config}: {id} {version}, but the {(library.FromNuGet ? "NuGet" : "kit")} {library.Assembly}.dll is {VersionOf(host, library)}");
        }

        if (config == "device/packages.config")
        {
            // The hand-made package's nuspec pins exactly what the library is built against, as the CI package does.
            XNamespace ns = "http://schemas.microsoft.com/packaging/2012/06/nuspec.xsd";
            var pins = XDocument.Load(Path.Combine(host.RepositoryRoot, "device", "NanoQuant.Device.nuspec")).Descendants(ns + "dependency")
                .ToDictionary(d => d.Attribute("id")!.Value, d => d.Attribute("version")!.Value);
            Assert.Equal(packages.OrderBy(p => p.Key).Select(p => (p.Key, "[" + p.Value + "]")), pins.OrderBy(p => p.Key).Select(p => (p.Key, p.Value)));
            host.Build();
            var built = NanoFrameworkPackage.ReferencesOf(Path.Combine(host.BuildDirectory, "NanoQuant.Device.dll"));
            // Every assembly the built library really references is among them (the compiler drops unused references,
            // so packages.config may list more: what the project compiles against).
            Assert.NotEmpty(built);
            Assert.All(built, r => Assert.Contains(NanoFrameworkLibrary.OfAssembly(r.Name!)!.Package, packages.Keys));
        }
    }
}
