using System.Diagnostics;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.NanoClr;
using Xunit.Abstractions;

namespace NanoQuant.Tests.NanoClr;

/// <summary>
/// The device library's own checks on the emulated Cortex-M7 (QEMU mps2-an500): the nanoFramework TestFramework project
/// (tests/NanoQuant.Device.nfTests, run by the kit's UnitTestLauncher through nfunittest) and free managed memory
/// constant across 1,000 Invoke calls of kws.
/// </summary>
public sealed class CortexMDeviceTests(ITestOutputHelper output)
{
    [Fact]
    public void The_TestFramework_project_passes_on_the_emulated_Cortex_M7()
    {
        var host = new NanoClrHost(new NanoClrOptions { Board = "cortex-m7" });
        host.Build();
        string build = host.BuildDirectory;
        Run("bash", [Path.Combine(host.RepositoryRoot, "nanoclr", "build.sh"), "--kit", host.KitDirectory, "-o", build, "--tests", "--quiet"], null, out _);
        // nfunittest loads mscorlib and the TestFramework itself; the other class libraries follow the test assembly's dependency order.
        var dependencies = host.ClassLibraryPeFiles.Skip(1).Append(host.DevicePe);
        int code = Run(Path.Combine(host.KitDirectory, "bin", "nfunittest"), [Path.Combine(build, "NFUnitTest.pe"), .. dependencies], host.NanoClrPath, out string log);
        var summary = System.Text.RegularExpressions.Regex.Match(log, @"^([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$", System.Text.RegularExpressions.RegexOptions.Multiline);
        output.WriteLine($"TestFramework project on the emulated Cortex-M7: {summary.Value}");
        Assert.True(summary.Success, log);
        Assert.True(code == 0, log);
        Assert.Equal("0", summary.Groups[2].Value);
        // Every [TestMethod] of the project passed.
        int methods = Directory.GetFiles(Path.Combine(host.RepositoryRoot, "tests", "NanoQuant.Device.nfTests"), "*.cs")
            .Sum(f => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(f), @"\[TestMethod\]").Count);
        Assert.True(methods >= 5, $"only {methods} test methods found");
        Assert.Equal($"{methods}", summary.Groups[1].Value);
    }

    /// <summary>
    /// 1,000 Invoke calls of kws on the M7 through the firmware with the native kernels: on the managed kernels kws
    /// takes 1.6 G instructions per Invoke, hours of QEMU for 1,000 calls; the managed Invoke path around the C kernels
    /// (the interpreter, NativeKernel, the Interop call) is what runs here, and the managed kernels' 10,000 calls run on
    /// the Linux nanoCLR (NanoClrLongAllocationTests).
    /// </summary>
    [Fact]
    public void Free_memory_is_constant_across_1000_Invoke_calls_of_kws_on_the_emulated_Cortex_M7()
    {
        const int invokes = 1_000;
        const int every = 100;
        var golden = Golden.Load("kws_ref_model_int8");
        byte[] model = Converter.ConvertFile(golden.ModelPath).Bytes;
        var (job, _) = NanoClrModelRunner.PrepareJob(model, [golden.Inputs(0)]);
        var host = new NanoClrHost(new NanoClrOptions { Board = "cortex-m7", NativeKernels = true, Timeout = TimeSpan.FromMinutes(40) });
        var result = host.Run([job with { Mode = NanoClrLoadMode.Ram, TimedRuns = invokes, MeasureMemory = true, MeasureMemoryEvery = every, ReturnOutputs = false }]).Jobs[0];
        var during = result.FreeDuringRuns;
        output.WriteLine($"kws_ref_model_int8 on the emulated Cortex-M7 (native kernels): {invokes:N0} Invoke calls, free managed memory {result.FreeBeforeRuns:N0} bytes before, "
            + $"{string.Join("/", during.Select(d => d.Free).Distinct())} at every {every} calls, {result.FreeAfterRuns:N0} after; "
            + $"{result.MillisecondsPerInvoke * NanoClrHost.InstructionsPerMillisecond:N0} instructions per Invoke");

        Assert.Equal("native", result.Backend);
        NanoClrLongAllocationTests.AssertFreeMemoryConstant(result, invokes, every);
    }

    private static int Run(string file, IEnumerable<string> arguments, string? nanoclr, out string log)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (nanoclr is not null)
        {
            start.Environment["NANOCLR"] = nanoclr;
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(30)), $"{file} did not finish within 30 minutes");
        log = stdout + stderr.Result;
        Assert.True(nanoclr is not null || process.ExitCode == 0, log);
        return process.ExitCode;
    }
}
