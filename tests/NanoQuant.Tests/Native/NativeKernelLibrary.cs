using System.Diagnostics;
using System.Runtime.InteropServices;

namespace NanoQuant.Tests.Native;

/// <summary>
/// The C kernels of native/kernels built as a shared library for the desktop tests: with the
/// C compiler on PATH (cc, gcc or clang; C99, -Wall -Wextra -Werror) into a temporary folder keyed by
/// the sources' content, or taken from NANOQUANT_NATIVE_LIBRARY (native/tests/check-native-kernels.sh sets it
/// to an AddressSanitizer + UndefinedBehaviorSanitizer build).
/// </summary>
public static class NativeKernelLibrary
{
    private static readonly Lazy<(string? Path, string Reason)> Built = new(Build);

    /// <summary>The library's path, or null when it cannot be built here (<see cref="Unavailable"/> says why).</summary>
    public static string? Path => Built.Value.Path;

    public static string Unavailable => Built.Value.Reason;

    /// <summary>
    /// The vendor library the kernels were built with, as <c>Interpreter.GetOperatorKernel</c> names it: check-native-kernels.sh's
    /// libnanoquant_kernels_cmsis_nn.so (-DNQ_VENDOR_CMSIS_NN -DNQ_VENDOR_ALWAYS) "cmsis-nn", _esp_nn.so "esp-nn", else null.
    /// </summary>
    public static string? Vendor => Path is not { } path ? null
        : System.IO.Path.GetFileName(path).Contains("cmsis_nn", StringComparison.Ordinal) ? "cmsis-nn"
        : System.IO.Path.GetFileName(path).Contains("esp_nn", StringComparison.Ordinal) ? "esp-nn" : null;

    /// <summary>The kernel a build's nq_kernel_for gives an (ungrouped) operator of this type: the vendor's where it takes the type, else "native".</summary>
    public static string KernelFor(NanoQuant.Format.OperatorType type) => (Vendor, type) switch
    {
        ("cmsis-nn", NanoQuant.Format.OperatorType.Conv2D or NanoQuant.Format.OperatorType.DepthwiseConv2D or NanoQuant.Format.OperatorType.FullyConnected) => "cmsis-nn",
        ("esp-nn", NanoQuant.Format.OperatorType.Conv2D or NanoQuant.Format.OperatorType.FullyConnected) => "esp-nn",
        _ => "native",
    };

    public static string SourceFolder => System.IO.Path.Combine(SharedResources.ProjectRoot, "native", "kernels");

    private static (string?, string) Build()
    {
        string? given = Environment.GetEnvironmentVariable("NANOQUANT_NATIVE_LIBRARY");
        if (!string.IsNullOrEmpty(given))
        {
            return File.Exists(given) ? (given, "") : throw new FileNotFoundException("NANOQUANT_NATIVE_LIBRARY names a missing file", given);
        }

        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && !RuntimeInformation.IsOSPlatform(OSPlatform.OSX))
        {
            return (null, "the native kernel tests build a shared library with a Unix C compiler");
        }

        string? compiler = new[] { "cc", "gcc", "clang" }.FirstOrDefault(OnPath);
        if (compiler == null)
        {
            return (null, "no C compiler (cc, gcc or clang) on PATH: install one (apt-get install gcc) to run the native kernels' tests");
        }

        var sources = Directory.GetFiles(SourceFolder, "*.c").Order(StringComparer.Ordinal).ToArray();
        var headers = Directory.GetFiles(SourceFolder, "*.h").Order(StringComparer.Ordinal).ToArray();
        var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(
            sources.Concat(headers).SelectMany(f => File.ReadAllBytes(f).Concat(System.Text.Encoding.UTF8.GetBytes(f))).ToArray()))[..16];
        string folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "nanoquant-native-" + hash);
        string library = System.IO.Path.Combine(folder, "libnanoquant_kernels.so");
        if (File.Exists(library))
        {
            return (library, "");
        }

        Directory.CreateDirectory(folder);
        string temporary = library + "." + Environment.ProcessId + ".tmp";
        var start = new ProcessStartInfo(compiler) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "-std=c99", "-pedantic", "-O2", "-Wall", "-Wextra", "-Werror", "-fPIC", "-shared", "-o", temporary })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var source in sources)
        {
            start.ArgumentList.Add(source);
        }

        using var process = Process.Start(start)!;
        string errors = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{compiler} failed to build the native kernels:\n{errors}");
        }

        File.Move(temporary, library, overwrite: true);
        return (library, "");
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator)
            .Any(d => d.Length > 0 && File.Exists(System.IO.Path.Combine(d, tool)));
}

/// <summary>A [Fact] that is skipped, with the reason, where the native kernel library cannot be built.</summary>
public sealed class NativeFactAttribute : FactAttribute
{
    public NativeFactAttribute()
    {
        if (NativeKernelLibrary.Path == null)
        {
            Skip = NativeKernelLibrary.Unavailable;
        }
    }
}

/// <summary>A [Theory] that is skipped, with the reason, where the native kernel library cannot be built.</summary>
public sealed class NativeTheoryAttribute : TheoryAttribute
{
    public NativeTheoryAttribute()
    {
        if (NativeKernelLibrary.Path == null)
        {
            Skip = NativeKernelLibrary.Unavailable;
        }
    }
}
