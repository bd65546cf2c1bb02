using System.CommandLine;
using System.Globalization;
using System.Resources;
using System.Security;
using System.Text;
using NanoQuant.Host.IO;

namespace NanoQuant.Cli;

/// <summary>
/// `nanoquant embed MODEL.nq --namespace N [-o DIR]`: the `xxd -i` step for nanoFramework. Writes
/// what a nanoFramework project needs to carry the model inside its assembly as a resource (no
/// array-initializer data, so no ~64 KB per-assembly limit): a .resx for Visual Studio projects, the
/// compiled .resources for command-line builds, the accessor class, and the model file itself.
/// </summary>
public static class EmbedCommand
{
    /// <summary>The resource name of the model inside the .resources.</summary>
    public const string ResourceName = "Model";

    public static Command Create(CliConsole console)
    {
        var model = new Argument<FileInfo>("model") { Description = "device model (.nq) to embed" };
        var ns = new Option<string>("--namespace") { Description = "C# namespace of the generated class (your project's root namespace)", Required = true };
        var className = new Option<string>("--class") { Description = "name of the generated class; the resource base name is NAMESPACE.CLASS", DefaultValueFactory = _ => "ModelResources" };
        var output = new Option<DirectoryInfo>("--output", "-o") { Description = "folder to write into (created if missing)", DefaultValueFactory = _ => new DirectoryInfo(".") };
        var command = new Command("embed", "Write the files a nanoFramework project needs to embed a device model as a resource (.resx, .resources, accessor class)")
        {
            model, ns, className, output,
        };
        command.SetAction(parse => console.Guard(() =>
        {
            var file = parse.GetValue(model)!;
            string space = parse.GetValue(ns)!;
            string name = parse.GetValue(className)!;
            if (!IsQualifiedIdentifier(space))
            {
                throw new CliUsageException($"--namespace '{space}' is not a C# namespace (identifiers separated by dots, e.g. MyCompany.Sensor)");
            }

            if (!IsQualifiedIdentifier(name) || name.Contains('.'))
            {
                throw new CliUsageException($"--class '{name}' is not a C# class name (a letter or _, then letters, digits or _; not a C# keyword)");
            }

            byte[] bytes = CliFiles.ReadDeviceModel(file.FullName);
            var folder = parse.GetValue(output)!;
            if (File.Exists(folder.FullName))
            {
                throw new CliUsageException($"--output '{folder.FullName}' is a file; give a folder");
            }

            var files = Generate(bytes, file.Name, space, name);
            Directory.CreateDirectory(folder.FullName);
            foreach (var (fileName, content) in files)
            {
                AtomicFile.WriteAllBytes(Path.Combine(folder.FullName, fileName), content);
            }

            console.Out.WriteLine($"wrote {folder.FullName}: {string.Join(", ", files.Keys)} ({bytes.Length:N0}-byte model as resource '{ResourceName}' of {space}.{name})");
            console.Out.WriteLine($"use: var interpreter = new Interpreter({space}.{name}.Model);");
            using (var probe = new Interpreter(bytes))
            {
                if (probe.GetInput(0).IsUInt8Input)
                {
                    console.Out.WriteLine("     its input takes uint8 (--io uint8): interpreter.GetInput(0).CopyFromUInt8(pixels, 0);");
                }
            }

            return 0;
        }));
        return command;
    }

    /// <summary>Every file to write: name → bytes.</summary>
    public static SortedDictionary<string, byte[]> Generate(byte[] model, string modelFileName, string space, string className)
    {
        string modelFile = Path.GetFileName(modelFileName);
        string baseName = $"{space}.{className}";
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [modelFile] = model,
            [$"{baseName}.resources"] = Resources(model),
            [$"{className}.resx"] = Encoding.UTF8.GetBytes(Resx(modelFile)),
            [$"{className}.Designer.cs"] = Encoding.UTF8.GetBytes(Accessor(space, className, modelFile, model.Length)),
        };
        return files;
    }

    /// <summary>
    /// The 16-bit id nanoFramework's MetadataProcessor gives a resource (a hash of its name), which
    /// the accessor passes to ResourceUtility.GetObject.
    /// </summary>
    public static short ResourceId(string value) => NanoQuant.Host.NanoClr.NanoClrHost.ResourceId(value);

    private static byte[] Resources(byte[] model)
    {
        using var stream = new MemoryStream();
        using (var writer = new ResourceWriter(stream))
        {
            writer.AddResource(ResourceName, model);
            writer.Generate();
        }

        return stream.ToArray();
    }

    private static string Resx(string modelFile) =>
        $"""
        <?xml version="1.0" encoding="utf-8"?>
        <!-- Generated by `nanoquant embed`: the device model {SecurityElement.Escape(modelFile)} as a byte[] resource.
             Add this file as <EmbeddedResource> (Generator nFResXFileCodeGenerator) next to {SecurityElement.Escape(modelFile)}. -->
        <root>
          <resheader name="resmimetype">
            <value>text/microsoft-resx</value>
          </resheader>
          <resheader name="version">
            <value>2.0</value>
          </resheader>
          <resheader name="reader">
            <value>System.Resources.ResXResourceReader, System.Windows.Forms, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089</value>
          </resheader>
          <resheader name="writer">
            <value>System.Resources.ResXResourceWriter, System.Windows.Forms, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089</value>
          </resheader>
          <assembly alias="System.Windows.Forms" name="System.Windows.Forms, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089" />
          <data name="{ResourceName}" type="System.Resources.ResXFileRef, System.Windows.Forms">
            <value>{SecurityElement.Escape(modelFile)};System.Byte[], mscorlib, Version=1.0.1.0, Culture=neutral, PublicKeyToken=c07d481e9758c731</value>
          </data>
        </root>

        """.ReplaceLineEndings("\r\n");

    private static string Accessor(string space, string className, string modelFile, int length) =>
        $$"""
        //------------------------------------------------------------------------------
        // <auto-generated>
        //     Generated by `nanoquant embed` for {{modelFile}} ({{length.ToString("N0", CultureInfo.InvariantCulture)}} bytes). The resource id is
        //     the hash of its name that nanoFramework's MetadataProcessor assigns.
        // </auto-generated>
        //------------------------------------------------------------------------------

        namespace {{space}}
        {
            /// <summary>The device model {{modelFile}}, embedded in this assembly as a resource.</summary>
            internal partial class {{className}}
            {
                private static System.Resources.ResourceManager manager;

                internal static System.Resources.ResourceManager ResourceManager
                {
                    get
                    {
                        if (manager == null)
                        {
                            manager = new System.Resources.ResourceManager("{{space}}.{{className}}", typeof({{className}}).Assembly);
                        }

                        return manager;
                    }
                }

                /// <summary>The device model's bytes: pass them to <c>new Interpreter(...)</c>.</summary>
                internal static byte[] Model
                {
                    get { return GetBytes(BinaryResources.{{ResourceName}}); }
                }

                internal static byte[] GetBytes(BinaryResources id)
                {
                    return (byte[])nanoFramework.Runtime.Native.ResourceUtility.GetObject(ResourceManager, id);
                }

                internal enum BinaryResources : short
                {
                    {{ResourceName}} = {{ResourceId(ResourceName).ToString(CultureInfo.InvariantCulture)}},
                }
            }
        }

        """.ReplaceLineEndings("\n");

    private static bool IsQualifiedIdentifier(string value) =>
        value.Length > 0 && value.Split('.').All(part => part.Length > 0 && (char.IsLetter(part[0]) || part[0] == '_') && part.All(c => char.IsLetterOrDigit(c) || c == '_') && !Keywords.Contains(part));

    /// <summary>C#'s reserved keywords: not usable as a class or namespace name (without @).</summary>
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue", "decimal", "default",
        "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally", "fixed", "float", "for", "foreach", "goto",
        "if", "implicit", "in", "int", "interface", "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out",
        "override", "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc",
        "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort",
        "using", "virtual", "void", "volatile", "while",
    };
}
