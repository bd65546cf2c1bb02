using System.Diagnostics;
using System.Resources;
using System.Text.RegularExpressions;
using NanoQuant.Cli;

namespace NanoQuant.Tests.Cli;

/// <summary>
/// `nanoquant embed`: the generated resource files, compiled with the nanoCLR kit
/// (../shared/nanoclr: bin/nfcompile against its lib/) together with the device library's sources
/// and a small program, then run on the kit's real nanoCLR, which must give the host runtime's bytes.
/// </summary>
public sealed class EmbedCommandTests : CliHarness
{
    private static string Kit => Path.Combine(SharedResources.Root, "nanoclr");

    [Fact]
    public void Embed_writes_the_resource_files()
    {
        Ok("convert", SharedResources.ModelPath("kws_ref_model_int8"), "-o", Temp("kws.nq"));
        string output = Ok("embed", Temp("kws.nq"), "--namespace", "Demo.App", "-o", Temp("embedded"));
        Assert.Contains("33,764-byte model as resource 'Model' of Demo.App.ModelResources", output);
        Assert.Equal(["Demo.App.ModelResources.resources", "ModelResources.Designer.cs", "ModelResources.resx", "kws.nq"],
            Directory.GetFiles(Temp("embedded")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(File.ReadAllBytes(Temp("kws.nq")), File.ReadAllBytes(Temp("embedded/kws.nq")));

        using (var reader = new ResourceReader(Temp("embedded/Demo.App.ModelResources.resources")))
        {
            var entries = reader.Cast<System.Collections.DictionaryEntry>().ToList();
            Assert.Single(entries);
            Assert.Equal("Model", entries[0].Key);
            Assert.Equal(File.ReadAllBytes(Temp("kws.nq")), (byte[])entries[0].Value!);
        }

        string resx = File.ReadAllText(Temp("embedded/ModelResources.resx"));
        Assert.Contains("<data name=\"Model\" type=\"System.Resources.ResXFileRef, System.Windows.Forms\">", resx);
        Assert.Contains("<value>kws.nq;System.Byte[], mscorlib", resx);
        System.Xml.Linq.XDocument.Parse(resx);
        string accessor = File.ReadAllText(Temp("embedded/ModelResources.Designer.cs"));
        Assert.Contains("namespace Demo.App", accessor);
        Assert.Contains($"Model = {EmbedCommand.ResourceId("Model")},", accessor);
        Assert.Contains("new System.Resources.ResourceManager(\"Demo.App.ModelResources\"", accessor);
    }

    [Fact]
    public void Embed_errors_are_one_line()
    {
        Ok("convert", SharedResources.ModelPath("hello_world_int8"), "-o", Temp("hw.nq"));
        AssertOneError("--namespace '1x.y' is not a C# namespace", "embed", Temp("hw.nq"), "--namespace", "1x.y", "-o", Temp("e"));
        AssertOneError("is a TensorFlow Lite model, not a nanoQuant device model: convert it first", "embed", SharedResources.ModelPath("hello_world_int8"), "--namespace", "A", "-o", Temp("e"));
        AssertOneError("--output", "embed", Temp("hw.nq"), "--namespace", "A", "-o", Temp("hw.nq"));
    }

    [Fact]
    public void Embedded_model_compiles_and_runs_on_nanoclr_with_the_host_runtimes_bytes()
    {
        Ok("convert", SharedResources.ModelPath("kws_ref_model_int8"), "-o", Temp("kws.nq"));
        Ok("embed", Temp("kws.nq"), "--namespace", "Demo.App", "-o", Temp("embedded"));
        File.WriteAllText(Temp("Program.cs"), """
            using System;
            using NanoQuant;

            namespace Demo.App
            {
                public class Program
                {
                    public static void Main()
                    {
                        byte[] model = ModelResources.Model;
                        Interpreter interpreter = new Interpreter(model);
                        Tensor input = interpreter.GetInput(0);
                        for (int i = 0; i < input.Length; i++)
                        {
                            input.SetInt8(i, (sbyte)(((i * 7) % 256) - 128));
                        }

                        interpreter.Invoke();
                        Tensor output = interpreter.GetOutput(0);
                        string text = "";
                        for (int i = 0; i < output.Length; i++)
                        {
                            text += output.GetInt8(i).ToString() + " ";
                        }

                        Console.WriteLine("EMBED OUTPUT " + text);
                        Console.WriteLine("EMBED OK " + model.Length.ToString());
                    }
                }
            }
            """);

        // The device library as its nanoFramework project lists it, plus the generated accessor and the program.
        string device = Path.Combine(SharedResources.ProjectRoot, "device");
        var sources = Regex.Matches(File.ReadAllText(Path.Combine(device, "NanoQuant.Device.nfproj")), "<Compile Include=\"([^\"]+\\.cs)\"")
            .Select(m => Path.GetFullPath(Path.Combine(device, m.Groups[1].Value.Replace('\\', '/'))))
            .Concat([Temp("embedded/ModelResources.Designer.cs"), Temp("Program.cs")])
            .ToList();
        Assert.All(sources, s => Assert.True(File.Exists(s), s));
        string[] libraries = ["System.Math", "nanoFramework.Runtime.Events", "nanoFramework.System.Text", "System.IO.Streams", "System.IO.FileSystem", "nanoFramework.Runtime.Native", "nanoFramework.ResourceManager"];
        var compile = new List<string> { "-o", Temp("out/app"), "--resource", Temp("embedded/Demo.App.ModelResources.resources") + ",Demo.App.ModelResources.resources" };
        foreach (string library in libraries)
        {
            compile.AddRange(["-r", library]);
        }

        compile.AddRange(sources);
        Run(Path.Combine(Kit, "bin", "nfcompile"), compile);

        var assemblies = new[] { "mscorlib" }.Concat(libraries).Select(l => Path.Combine(Kit, "lib", l + ".pe")).Append(Temp("out/app.pe"));
        string output = Run(Path.Combine(Kit, "bin", "nanoclr"), assemblies).Replace("\r", "", StringComparison.Ordinal);

        // nanoCLR exits 0 whatever happens: the program's own success line is the verdict.
        Assert.Contains("EMBED OK 33764\n", output);
        var runner = new NanoQuant.Host.Runtime.ModelRunner(File.ReadAllBytes(Temp("kws.nq")));
        int length = runner.Interpreter.GetInput(0).Length;
        var input = Enumerable.Range(0, length).Select(i => (sbyte)(((i * 7) % 256) - 128)).ToArray();
        var expected = runner.Run([NanoQuant.Host.Npy.NpyArray.FromSBytes(input, runner.Interpreter.GetInput(0).GetShape())])[0].ToSBytes();
        Assert.Contains("EMBED OUTPUT " + string.Join(" ", expected) + " \n", output);
    }

    private static string Run(string file, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), $"{file} did not finish");
        Assert.True(process.ExitCode == 0, $"{file}: exit {process.ExitCode}\n{stdout}\n{stderr.Result}");
        return stdout;
    }
}
