using Xunit.Abstractions;

namespace NanoQuant.Tests.NanoFramework;

/// <summary>
/// The nanoFramework guard in CI: device/ and shared/ compile as C# 10 against nanoFramework's API
/// surface alone and contain nothing nanoCLR cannot run — and the guard demonstrably fails on a bad
/// line (one test per forbidden construct, plus a real device file with a bad line spliced in).
/// </summary>
public class NanoFrameworkGuardTests(ITestOutputHelper output)
{
    [Fact]
    public void Device_and_shared_sources_pass_the_nanoFramework_guard()
    {
        var files = NanoFrameworkGuard.DeviceSourceFiles();
        Assert.Contains("device/Interpreter.cs", files);
        Assert.Contains("shared/ModelFormat.cs", files);
        Assert.Contains("device/Kernels/FullyConnectedKernel.cs", files);

        var violations = NanoFrameworkGuard.CheckProject();
        foreach (var v in violations)
        {
            output.WriteLine(v.ToString());
        }

        Assert.True(violations.Count == 0, $"{violations.Count} nanoFramework violation(s) in device/ or shared/:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void The_surface_has_none_of_what_nanoFramework_lacks()
    {
        // The surface compiles (BuildSurface throws otherwise) and, like nanoFramework, has no generic
        // type, no Span, no Buffer, no MathF, no OverflowException/DivideByZeroException/ArithmeticException.
        var references = NanoFrameworkGuard.SurfaceReferences;
        Assert.Equal(NanoFrameworkGuard.SurfaceAssemblies.Length, references.Length);
        var compilations = references.Cast<Microsoft.CodeAnalysis.CompilationReference>().Select(r => r.Compilation).ToList();
        foreach (string absent in new[] { "System.Buffer", "System.MathF", "System.OverflowException", "System.DivideByZeroException", "System.ArithmeticException",
                     "System.Span`1", "System.ReadOnlySpan`1", "System.Nullable`1", "System.ValueTuple`2", "System.Collections.Generic.List`1", "System.Environment",
                     "System.Linq.Enumerable", "System.Threading.Tasks.Task" })
        {
            Assert.All(compilations, c => Assert.Null(c.Assembly.GetTypeByMetadataName(absent)));
        }

        var generic = new List<string>();
        foreach (var c in compilations)
        {
            Visit(c.Assembly.GlobalNamespace);
        }

        Assert.Empty(generic);

        var math = compilations[1].Assembly.GetTypeByMetadataName("System.Math")!;
        // System.Math overloads exactly as nanoFramework.System.Math has them: no long Max/Min/Abs.
        string Overloads(string name) => string.Join(" ", math.GetMembers(name).Cast<Microsoft.CodeAnalysis.IMethodSymbol>().Select(m => m.Parameters[0].Type.Name));
        Assert.Equal("Int32 Double Single", Overloads("Max"));
        Assert.Equal("Int32 Double Single", Overloads("Min"));
        Assert.Equal("Int32 Double Single", Overloads("Abs"));
        Assert.Equal("Double Int64 Single UInt64", Overloads("Clamp"));

        void Visit(Microsoft.CodeAnalysis.INamespaceOrTypeSymbol symbol)
        {
            foreach (var member in symbol.GetMembers())
            {
                if (member is Microsoft.CodeAnalysis.INamedTypeSymbol { Arity: > 0 } type)
                {
                    generic.Add(type.ToDisplayString());
                }

                if (member is Microsoft.CodeAnalysis.INamespaceOrTypeSymbol inner)
                {
                    Visit(inner);
                }
            }
        }
    }

    /// <summary>Legitimate device code: everything here must pass (no false positives).</summary>
    [Fact]
    public void Legitimate_nanoFramework_code_passes()
    {
        const string Good = """
            using System;
            using System.IO;
            using System.Collections;

            namespace Sample
            {
                public enum Mode : byte { A = 1, B = 2 }

                [Flags]
                public enum Bits { None = 0, One = 1, Two = 2 }

                public interface IRunner { void Run(); }

                public struct Pair { public int X; public int Y; }

                public static class Helpers
                {
                    private static readonly int[] Table = new int[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17 };
                    private const string Name = "x";

                    public static long Sum(int[] values)
                    {
                        long total = 0;
                        foreach (int v in values)
                        {
                            total += (long)v * v;
                        }

                        return total > long.MaxValue / 2 ? -total : total >> 3;
                    }

                    public static string Describe(Mode mode, int n)
                    {
                        switch (mode)
                        {
                            case Mode.A: return "A" + n.ToString();
                            case Mode.B: return Name + ((long)n).ToString() + Table.Length.ToString();
                            default: throw new ArgumentOutOfRangeException("mode");
                        }
                    }

                    public static float Bits2Float(int bits)
                    {
                        return BitConverter.ToSingle(BitConverter.GetBytes(bits), 0);
                    }

                    public static void Copy(sbyte[] a, sbyte[] b)
                    {
                        Array.Copy(a, 0, b, 0, a.Length);
                        Array.Clear(b, 0, b.Length);
                        int[][] jagged = new int[2][];
                        jagged[0] = new int[3];
                        int m = Math.Max(1, 2) + Math.Min(3, 4) + Math.Abs(-5);
                        long c = Math.Clamp(5L, 0L, 3L);
                        uint u = unchecked((uint)-1);
                        object o = m;
                        string s = o is int k ? k.ToString() : (o as string) ?? "";
                        ArrayList list = new ArrayList();
                        list.Add(s);
                        lock (list) { c += u; }
                    }

                    public static int ReadAll(string path, byte[] buffer)
                    {
                        using (FileStream stream = new FileStream(path, FileMode.Open, FileAccess.Read))
                        {
                            stream.Seek(0, SeekOrigin.Begin);
                            return stream.Read(buffer, 0, (int)stream.Length);
                        }
                    }
                }

                public sealed class Runner : IRunner, IDisposable
                {
                    private readonly int[] _data = new int[4];
                    public int Count { get { return _data.Length; } }
                    public int this[int i] { get { return _data[i]; } }
                    public void Run() { for (int i = 0; i < _data.Length; i++) { _data[i] = i * 2; } }
                    public void Dispose() { }
                }

                public class CustomException : Exception
                {
                    public CustomException(string message) : base(message) { }
                }
            }
            """;
        var violations = NanoFrameworkGuard.Check([("device/Sample.cs", Good)]);
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    /// <summary>One deliberately bad line per forbidden construct; the guard must report it at that line.</summary>
    [Theory]
    [InlineData("var l = new System.Collections.Generic.List<int>();", "generic")]
    [InlineData("int[,] a = new int[2, 2];", "multi-dimensional array")]
    [InlineData("System.Buffer.BlockCopy(x, 0, x, 0, 4);", "compile error")]
    [InlineData("var m = System.Math.Max(1L, 2L);", "Math.Max(long)")]
    [InlineData("long m = System.Math.Abs(-1L);", "compile error")]
    [InlineData("var m = System.Math.Abs(y);", "Math.Abs(long)")]
    [InlineData("float f = System.MathF.Sqrt(1f);", "compile error")]
    [InlineData("int c = checked(n + n);", "checked arithmetic")]
    [InlineData("checked { n++; }", "checked arithmetic")]
    [InlineData("System.Span<byte> s = x;", "generic")]
    [InlineData("string s = $\"n={n}\";", "string interpolation")]
    [InlineData("var q = from v in x select v;", "LINQ query")]
    [InlineData("var t = (1, 2);", "tuple")]
    [InlineData("unsafe { }", "unsafe")]
    [InlineData("System.Func<int> f = null;", "generic")]
    [InlineData("int? maybe = null;", "compile error")]
    [InlineData("try { } catch (System.OverflowException) { }", "compile error")]
    [InlineData("try { } catch (System.DivideByZeroException) { }", "compile error")]
    [InlineData("var e = System.Environment.TickCount;", "compile error")]
    [InlineData("dynamic d = n;", "dynamic")]
    [InlineData("System.Console.WriteLine(n);", "compile error")]
    public void A_bad_line_in_a_method_is_reported(string badLine, string construct)
    {
        string source = Wrap("int n = 1; long y = 2; byte[] x = new byte[4];\n            " + badLine);
        AssertReported(source, construct, BadLineNumber(source, badLine));
    }

    [Theory]
    [InlineData("public class Box<T> { }", "generic class")]
    [InlineData("public struct Cell<T> { }", "generic struct")]
    [InlineData("public static class G { public static T Id<T>(T v) { return v; } }", "generic method")]
    [InlineData("public record Point(int X, int Y);", "record")]
    [InlineData("public static class U { public static unsafe void P(int* p) { } }", "unsafe")]
    [InlineData("public static class A { public static async void Run() { } }", "async")]
    [InlineData("public static class Y { public static System.Collections.IEnumerable E() { yield return 1; } }", "yield")]
    [InlineData("public static class R { public static void M(in long v) { } }", "compiler-synthesized type")]
    public void A_bad_declaration_is_reported(string badLine, string construct)
    {
        string source = "namespace Bad\n{\n    " + badLine + "\n}\n";
        int line = construct == "compiler-synthesized type" ? 0 : 3;
        AssertReported(source, construct, line);
    }

    [Fact]
    public void Floating_point_in_a_kernel_is_reported_but_allowed_elsewhere()
    {
        string kernel = Wrap("int n = 3; float s = 0.5f; int q = (int)(n * s);");
        var inKernel = NanoFrameworkGuard.Check([("device/Kernels/BadKernel.cs", kernel)]);
        Assert.Contains(inKernel, v => v.Construct == "floating point in a kernel" && v.File == "device/Kernels/BadKernel.cs");
        Assert.Empty(NanoFrameworkGuard.Check([("device/Tensor2.cs", kernel)]));
    }

    /// <summary>
    /// The CI check itself fails when a real device file gets a bad line: FullyConnectedKernel.cs with
    /// a multi-dimensional array and a List&lt;int&gt; spliced into its Invoke.
    /// </summary>
    [Fact]
    public void The_project_check_fails_when_a_device_file_gets_a_bad_line()
    {
        var sources = NanoFrameworkGuard.DeviceSourceFiles()
            .Select(f => (Path: f, Text: File.ReadAllText(Path.Combine(SharedResources.ProjectRoot, f))))
            .ToList();
        int index = sources.FindIndex(s => s.Path == "device/Kernels/FullyConnectedKernel.cs");
        string original = sources[index].Text;
        const string Anchor = "internal override void Invoke()\n        {\n";
        Assert.Contains(Anchor, original.Replace("\r\n", "\n"));
        string spliced = original.Replace("\r\n", "\n").Replace(Anchor, Anchor + "            int[,] bad = new int[2, 2];\n            var list = new System.Collections.Generic.List<int>();\n");
        sources[index] = (sources[index].Path, spliced);

        var violations = NanoFrameworkGuard.Check(sources);
        foreach (var v in violations)
        {
            output.WriteLine(v.ToString());
        }

        int badLine = BadLineNumber(spliced, "int[,] bad");
        Assert.Contains(violations, v => v.File == "device/Kernels/FullyConnectedKernel.cs" && v.Line == badLine && v.Construct == "multi-dimensional array");
        Assert.Contains(violations, v => v.File == "device/Kernels/FullyConnectedKernel.cs" && v.Line == badLine + 1 && v.Construct.StartsWith("generic", StringComparison.Ordinal));
    }

    private void AssertReported(string source, string construct, int line)
    {
        var violations = NanoFrameworkGuard.Check([("device/Bad.cs", source)]);
        foreach (var v in violations)
        {
            output.WriteLine(v.ToString());
        }

        Assert.True(
            violations.Any(v => v.Construct.Contains(construct, StringComparison.Ordinal) && (line == 0 || (v.Line == line && v.File == "device/Bad.cs"))),
            $"expected '{construct}' at line {line}; got:\n" + string.Join("\n", violations));
    }

    private static string Wrap(string body) => "namespace Bad\n{\n    public static class C\n    {\n        public static void M()\n        {\n            " + body + "\n        }\n    }\n}\n";

    private static int BadLineNumber(string source, string badLine)
    {
        var lines = source.Replace("\r\n", "\n").Split('\n');
        return Array.FindIndex(lines, l => l.Contains(badLine, StringComparison.Ordinal)) + 1;
    }
}
