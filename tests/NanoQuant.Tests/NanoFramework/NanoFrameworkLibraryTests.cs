using NanoQuant.Host.NanoClr;

namespace NanoQuant.Tests.NanoFramework;

/// <summary>nanoclr/libraries.txt, the one list of the nanoFramework class libraries: what the host embeds is the file, and a bad row is refused.</summary>
public sealed class NanoFrameworkLibraryTests
{
    [Fact]
    public void The_embedded_list_is_nanoclr_libraries_txt_with_mscorlib_from_NuGet_first()
    {
        string file = File.ReadAllText(Path.Combine(SharedResources.ProjectRoot, "nanoclr", "libraries.txt"));
        Assert.Equal(NanoFrameworkLibrary.Parse(file), NanoFrameworkLibrary.All);
        Assert.Equal(new NanoFrameworkLibrary("mscorlib", "nanoFramework.CoreLibrary", "1.17.11", FromNuGet: true, LoadedAtRuntime: true), NanoFrameworkLibrary.All[0]);
        Assert.Equal(["mscorlib"], NanoFrameworkLibrary.All.Where(l => l.FromNuGet).Select(l => l.Assembly));
        Assert.Equal("nanoFramework.TestFramework", Assert.Single(NanoFrameworkLibrary.All, l => !l.LoadedAtRuntime).Package);
        Assert.Equal(NanoFrameworkLibrary.All.Count, NanoFrameworkLibrary.All.Select(l => l.Assembly).Distinct().Count());
    }

    [Theory]
    [InlineData("mscorlib nanoFramework.CoreLibrary 1.17.11 nuget")]
    [InlineData("mscorlib nanoFramework.CoreLibrary 1.17.11 feed runtime")]
    [InlineData("mscorlib nanoFramework.CoreLibrary 1.17.11 kit always")]
    public void A_malformed_row_is_refused_naming_it(string row)
    {
        var e = Assert.Throws<InvalidDataException>(() => NanoFrameworkLibrary.Parse("# comment\n" + row + "\n"));
        Assert.Contains(row, e.Message);
    }
}
