using NanoQuant.Host.Conversion;
using NanoQuant.Host.NanoClr;
using NanoQuant.Host.Runtime;

namespace NanoQuant.Tests.Runtime;

/// <summary>The one place runtimes are chosen: names, the nanoCLR each means, and the in-process runtime's outputs.</summary>
public class ModelRuntimesTests
{
    [Fact]
    public void NamesAreTheFiveRuntimes() =>
        Assert.Equal(["dotnet", "nanoclr", "nanoclr-native", "cortex-m7", "cortex-m4"], ModelRuntimes.Names);

    /// <summary>
    /// nanoclr and nanoclr-native decide the native kernels by their name; an emulated board keeps the caller's firmware
    /// choice (`--kernels managed|native|cmsis-nn`), and CMSIS-NN only on a board.
    /// </summary>
    [Theory]
    [InlineData("nanoclr", true, true, false, false, null)]
    [InlineData("nanoclr", false, false, false, false, null)]
    [InlineData("nanoclr-native", false, true, true, false, null)]
    [InlineData("nanoclr-native", true, true, true, false, null)]
    [InlineData("cortex-m7", false, false, false, false, "cortex-m7")]
    [InlineData("cortex-m7", true, false, true, false, "cortex-m7")]
    [InlineData("cortex-m4", true, true, true, true, "cortex-m4")]
    public void EachNanoClrRuntimeSetsItsKernelsAndBoard(string name, bool givenNative, bool givenCmsisNn, bool native, bool cmsisNn, string? board)
    {
        var options = ModelRuntimes.NanoClrOptions(name, new NanoClrOptions
        {
            KitDirectory = "/kit", Board = "cortex-m4", NativeKernels = givenNative, CmsisNn = givenCmsisNn,
        });
        Assert.Equal(native, options.NativeKernels);
        Assert.Equal(cmsisNn, options.CmsisNn);
        Assert.Equal(board, options.Board);
        Assert.Equal("/kit", options.KitDirectory);
        Assert.False(ModelRuntimes.RunsInProcess(name));
    }

    [Fact]
    public void UnknownRuntimeIsRefusedByName()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelRuntimes.Create("cortex-m9"));
        Assert.Contains("'cortex-m9'", e.Message);
    }

    [Fact]
    public void DotNetRuntimeGivesTheGoldenOutputs()
    {
        var golden = Golden.Load("kws_ref_model_int8");
        var runtime = ModelRuntimes.Create("dotnet");
        Assert.True(runtime.InProcess);
        Assert.Equal("dotnet", runtime.Name);
        var run = runtime.Run(Converter.ConvertFile(golden.ModelPath).Bytes, golden.Inputs(0));
        Assert.Null(run.NanoClr);
        Assert.Equal(golden.Outputs(0)[0].ToDoubles(), run.Outputs[0].ToDoubles());
    }
}
