using System.IO.Compression;
using System.Reflection;
using System.Xml.Linq;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.NanoClr;
using NanoQuant.Host.Npy;

namespace NanoQuant.Tests.NanoClr;

/// <summary>
/// The nanoFramework NuGet package of the device library, made from the nanoFramework build: nanoFramework's
/// layout, exact dependency pins to the kit assemblies it was built against, and its .pe runs a golden on nanoCLR.
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

        // Every reference of the packaged .dll is pinned to exactly the kit assembly's version.
        var references = NanoFrameworkPackage.ReferencesOf(Path.Combine(unpacked, "lib", "NanoQuant.Device.dll"));
        Assert.Equal(references.Count, pins.Count);
        foreach (var reference in references)
        {
            var kit = AssemblyName.GetAssemblyName(Path.Combine(host.KitDirectory, "lib", reference.Name + ".dll")).Version!;
            Assert.Equal($"[{kit.Major}.{kit.Minor}.{kit.Build}]", pins[NanoFrameworkPackage.PackageOfAssembly[reference.Name!]]);
        }

        Assert.Equal("[1.17.21]", pins["nanoFramework.CoreLibrary"]);

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

    /// <summary>The nanoFramework package of each kit assembly the projects reference.</summary>
    private static readonly Dictionary<string, string> AssemblyOfPackage = new()
    {
        ["nanoFramework.CoreLibrary"] = "mscorlib",
        ["nanoFramework.System.Math"] = "System.Math",
        ["nanoFramework.System.Text"] = "nanoFramework.System.Text",
        ["nanoFramework.System.IO.Streams"] = "System.IO.Streams",
        ["nanoFramework.System.IO.FileSystem"] = "System.IO.FileSystem",
        ["nanoFramework.Runtime.Events"] = "nanoFramework.Runtime.Events",
        ["nanoFramework.Runtime.Native"] = "nanoFramework.Runtime.Native",
        ["nanoFramework.ResourceManager"] = "nanoFramework.ResourceManager",
        ["nanoFramework.TestFramework"] = "nanoFramework.TestFramework",
    };

    [Theory]
    [InlineData("device/packages.config")]
    [InlineData("hardware/esp32/packages.config")]
    [InlineData("hardware/stm32/packages.config")]
    [InlineData("tests/NanoQuant.Device.nfTests/packages.config")]
    public void Every_package_version_is_the_version_of_the_kit_assembly_it_is_built_against(string config)
    {
        var host = new NanoClrHost();
        var packages = XDocument.Load(Path.Combine(host.RepositoryRoot, config)).Descendants("package")
            .ToDictionary(p => p.Attribute("id")!.Value, p => p.Attribute("version")!.Value);
        Assert.NotEmpty(packages);
        foreach (var (id, version) in packages)
        {
            Assert.True(AssemblyOfPackage.TryGetValue(id, out string? assembly), $"{config}: no kit assembly known for {id}");
            var kit = AssemblyName.GetAssemblyName(Path.Combine(host.KitDirectory, "lib", assembly + ".dll")).Version!;
            Assert.True($"{kit.Major}.{kit.Minor}.{kit.Build}" == version, $"{config}: {id} {version}, but the kit's {assembly}.dll is {kit}");
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
            Assert.All(built, r => Assert.Contains(NanoFrameworkPackage.PackageOfAssembly[r.Name!], packages.Keys));
        }
    }
}
