// Converts a nanoFramework project's Resources.resx (file references to byte[] files, and strings) into the
// .resources file csc embeds, for nanoclr/build.sh. Names keep their explicit id suffix (e.g. "model;0x0100"):
// MetadataProcessor takes the id from it, as nanoFramework's own resource generator does.
// Usage: dotnet run nanoclr/tools/resx2resources.cs -- IN.resx OUT.resources
using System.Resources;
using System.Xml.Linq;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: resx2resources IN.resx OUT.resources");
    return 2;
}

string folder = Path.GetDirectoryName(Path.GetFullPath(args[0]))!;
var doc = XDocument.Load(args[0]);
using var writer = new ResourceWriter(args[1]);
foreach (var data in doc.Root!.Elements("data"))
{
    string name = (string)data.Attribute("name")!;
    string type = (string?)data.Attribute("type") ?? "";
    string value = (string)data.Element("value")!;
    if (type.StartsWith("System.Resources.ResXFileRef", StringComparison.Ordinal))
    {
        string[] parts = value.Split(';');
        string path = Path.Combine(folder, parts[0].Replace('\\', Path.DirectorySeparatorChar));
        if (!parts[1].StartsWith("System.Byte[]", StringComparison.Ordinal))
        {
            Console.Error.WriteLine($"resx2resources: {name}: only byte[] file references are supported ({parts[1]})");
            return 1;
        }

        writer.AddResource(name, File.ReadAllBytes(path));
    }
    else if (type.Length == 0)
    {
        writer.AddResource(name, value);
    }
    else
    {
        Console.Error.WriteLine($"resx2resources: {name}: resource type {type} is not supported");
        return 1;
    }
}

return 0;
