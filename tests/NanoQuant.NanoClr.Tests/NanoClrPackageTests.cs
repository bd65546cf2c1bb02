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

    /// <summary>
    /// A user's project, nanoFramework style: it restores the packed NanoQuant.Device from a local feed, which also
    /// holds the kit's libraries NuGet does not serve, and nanoFramework.CoreLibrary 1.17.11 from NuGet (the pin in the
    /// package); the program (nanoclr/runner) is compiled against the restored mscorlib and NanoQuant.Device and runs a
    /// golden on nanoCLR with the restored .pe files.
    /// </summary>
    [Fact]
    public void The_package_restores_from_a_local_feed_and_NuGet_and_a_program_built_against_it_runs_a_golden()
    {
        var host = new NanoClrHost();
        string feed = Path.Combine(_folder, "feed");
        NanoFrameworkPackage.Create(host, "0.1.0-ci", feed);
        foreach (var library in NanoFrameworkLibrary.All.Where(l => !l.FromNuGet && l.LoadedAtRuntime))
        {
            WriteKitPackage(host, library, feed);
        }

        // The project: PackageReferences (NU1701: nanoFramework packages name no .NET framework) to NanoQuant.Device and,
        // as a nanoFramework project's packages.config lists them, every library its program loads; its own package folder.
        string project = Path.Combine(_folder, "app");
        string packageReferences = string.Concat(NanoFrameworkLibrary.All.Where(l => l.LoadedAtRuntime).Select(l => $"""<PackageReference Include="{l.Package}" Version="[{l.Version}]" />"""));
        Directory.CreateDirectory(project);
        File.WriteAllText(Path.Combine(project, "nuget.config"), $"""<?xml version="1.0" encoding="utf-8"?><configuration><packageSources><add key="local" value="{feed}" /></packageSources></configuration>""");
        File.WriteAllText(Path.Combine(project, "App.csproj"), $$"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework><RestorePackagesPath>packages</RestorePackagesPath><NoWarn>NU1701</NoWarn></PropertyGroup>
              <ItemGroup><PackageReference Include="NanoQuant.Device" Version="0.1.0-ci" />{{packageReferences}}</ItemGroup>
            </Project>
            """);
        Run("dotnet", project, "restore", "App.csproj");
        string packages = Path.Combine(project, "packages");
        string LibOf(string id, string version) => Path.Combine(packages, id.ToLowerInvariant(), version, "lib");
        var core = NanoFrameworkLibrary.OfAssembly("mscorlib")!;
        Assert.Equal(("nanoFramework.CoreLibrary", "1.17.11", true), (core.Package, core.Version, core.FromNuGet));
        Assert.False(File.Exists(Path.Combine(feed, $"{core.Package}.{core.Version}.nupkg")));   // so it came from NuGet
        string mscorlib = Path.Combine(LibOf(core.Package, core.Version), "mscorlib.pe");
        Assert.True(File.Exists(mscorlib), mscorlib);

        // A kit whose lib/ holds what was restored: the program compiles against it (nfcompile, MetadataProcessor).
        string kit = Path.Combine(_folder, "kit");
        Directory.CreateDirectory(Path.Combine(kit, "bin"));
        Directory.CreateDirectory(Path.Combine(kit, "lib"));
        File.Copy(Path.Combine(host.KitDirectory, "bin", "nfcompile"), Path.Combine(kit, "bin", "nfcompile"));
        File.CreateSymbolicLink(Path.Combine(kit, "mdp"), Path.Combine(host.KitDirectory, "mdp"));
        var restored = NanoFrameworkLibrary.All.Where(l => l.LoadedAtRuntime).Select(l => (l.Assembly, Lib: LibOf(l.Package, l.Version)))
            .Append((Assembly: "NanoQuant.Device", Lib: LibOf("NanoQuant.Device", "0.1.0-ci"))).ToList();
        foreach (var (assembly, lib) in restored)
        {
            File.Copy(Path.Combine(lib, assembly + ".dll"), Path.Combine(kit, "lib", assembly + ".dll"));
        }

        string build = Path.Combine(_folder, "build");
        Directory.CreateDirectory(Path.Combine(build, "nuget"));
        string[] runner = [.. Directory.GetFiles(Path.Combine(host.RepositoryRoot, "nanoclr", "runner"), "*.cs"), Path.Combine(host.RepositoryRoot, "hardware", "common", "DotProductBaseline.cs")];
        Run("bash", project, [Path.Combine(kit, "bin", "nfcompile"), "-o", Path.Combine(build, "NanoQuant.NanoClr.Runner"), "-t", "exe",
            .. restored.Where(r => r.Assembly != "mscorlib").SelectMany(r => new[] { "-r", r.Assembly }), .. runner]);
        File.Copy(mscorlib, Path.Combine(build, "nuget", "mscorlib.pe"));
        File.Copy(Path.Combine(LibOf("NanoQuant.Device", "0.1.0-ci"), "NanoQuant.Device.pe"), Path.Combine(build, "NanoQuant.Device.pe"));
        var references = NanoFrameworkPackage.ReferencesOf(Path.Combine(build, "NanoQuant.NanoClr.Runner.exe"));
        Assert.Equal(new Version(1, 17, 11, 0), references.Single(r => r.Name == "mscorlib").Version);

        // kws_ref_model_int8 on nanoCLR with the restored build: every case, TFLM's bytes.
        var golden = Golden.Load("kws_ref_model_int8");
        byte[] model = Converter.ConvertFile(golden.ModelPath).Bytes;
        var restoredHost = new NanoClrHost(new NanoClrOptions { PrebuiltDirectory = build, KitDirectory = host.KitDirectory });
        Assert.True(restoredHost.Prebuilt);
        Assert.Equal(Path.Combine(build, "nuget", "mscorlib.pe"), restoredHost.ClassLibraryPeFiles.First());
        var cases = Enumerable.Range(0, golden.CaseCount).Select(c => (IReadOnlyList<NpyArray>)golden.Inputs(c)).ToList();
        var (job, local) = NanoClrModelRunner.PrepareJob(model, cases);
        NanoClrGoldenTests.AssertGolden(golden.Name, golden, local, restoredHost.Run([job]).Jobs[0]);
    }

    /// <summary>A nanoFramework-layout package of one of the kit's libraries (lib/NAME.dll, .pe), as its real package is laid out.</summary>
    private static void WriteKitPackage(NanoClrHost host, NanoFrameworkLibrary library, string feed)
    {
        Directory.CreateDirectory(feed);
        using var zip = ZipFile.Open(Path.Combine(feed, $"{library.Package}.{library.Version}.nupkg"), ZipArchiveMode.Create);
        using (var writer = new StreamWriter(zip.CreateEntry(library.Package + ".nuspec").Open()))
        {
            writer.Write($"""<?xml version="1.0" encoding="utf-8"?><package xmlns="http://schemas.microsoft.com/packaging/2012/06/nuspec.xsd"><metadata><id>{library.Package}</id><version>{library.Version}</version><authors>kit</authors><description>{library.Assembly} from the nanoCLR kit</description></metadata></package>""");
        }

        foreach (string ext in new[] { ".dll", ".pe" })
        {
            zip.CreateEntryFromFile(Path.Combine(host.KitDirectory, "lib", library.Assembly + ext), "lib/" + library.Assembly + ext);
        }
    }

    private static void Run(string file, string directory, params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(10)), $"{file} {string.Join(" ", args)} did not finish");
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(" ", args)}: exit {process.ExitCode}\n{stdout}\n{stderr.Result}");
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
