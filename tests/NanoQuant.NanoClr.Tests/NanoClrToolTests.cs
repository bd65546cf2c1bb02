namespace NanoQuant.Tests.NanoClr;

/// <summary>
/// The packed `nanoquant` tool on nanoCLR outside any checkout: it carries the nanoFramework build (packed by
/// nanoclr/build.sh), so only the kit comes from the user (--nanoclr-kit), and its bytes are those of --runtime dotnet.
/// </summary>
[Collection(InstalledTool.Collection)]
public sealed class NanoClrToolTests(InstalledTool tool) : IClassFixture<InstalledTool>
{
    private static readonly Dictionary<string, string> NoEnvironment = [];

    [Fact]
    public void The_installed_tool_runs_a_model_on_nanoCLR_from_a_folder_outside_the_checkout()
    {
        File.Copy(Path.Combine(SharedResources.Golden, "kws_ref_model_int8", "input_0_0.npy"), Path.Combine(tool.Work, "x.npy"));
        tool.Run(tool.Tool, "convert", SharedResources.ModelPath("kws_ref_model_int8"), "-o", "kws.nq");
        tool.Run(tool.Tool, "run", "kws.nq", "--input", "x.npy", "-o", "dotnet.npy");
        string output = tool.Run(tool.Tool, "run", "kws.nq", "--input", "x.npy", "-o", "nanoclr.npy", "--runtime", "nanoclr", "--nanoclr-kit", tool.Kit);
        Assert.Contains("nanoCLR:", output);
        Assert.Equal(File.ReadAllBytes(Path.Combine(tool.Work, "dotnet.npy")), File.ReadAllBytes(Path.Combine(tool.Work, "nanoclr.npy")));

        // Without a kit: one clear error naming the option.
        var missing = tool.RunRaw(tool.Tool, NoEnvironment, "run", "kws.nq", "--input", "x.npy", "--runtime", "nanoclr");
        Assert.Equal(1, missing.Code);
        Assert.StartsWith("error: no nanoCLR kit given: point --nanoclr-kit or NANOQUANT_NANOCLR_KIT", missing.Err.Trim());
    }
}
