using System.Reflection;
using System.Text.RegularExpressions;
using NanoQuant.Format;

namespace NanoQuant.Tests.Native;

/// <summary>
/// The C header native/kernels/nanoquant_kernels.h and its C# twins in native/bindings (NativeOperator,
/// Native*Layout) name the same numbers: every NQ_* operator code and parameter index of the header is parsed
/// (#defines and enums, with their "NAME = OTHER + n" expressions) and compared with the C# constant of the same
/// name, both ways, so neither side can gain, lose or move a slot alone.
/// </summary>
public class NativeHeaderTests
{
    private static readonly (string Prefix, string Type)[] Twins =
    [
        ("NQ_OP_", "NativeOperator"),
        ("NQ_P_", "NativeCallLayout"),
        ("NQ_CONV_", "NativeConvLayout"),
        ("NQ_FC_", "NativeFullyConnectedLayout"),
        ("NQ_POOL_", "NativePoolLayout"),
        ("NQ_BC_", "NativeBroadcastLayout"),
        ("NQ_ADD_", "NativeAddLayout"),
        ("NQ_MUL_", "NativeMulLayout"),
        ("NQ_SOFTMAX_", "NativeSoftmaxLayout"),
        ("NQ_MEAN_", "NativeMeanLayout"),
        ("NQ_KERNEL_", "NativeKernelChoice"),
    ];

    // C# constants with no header name of their own, checked separately below.
    private static readonly string[] CSharpOnly = ["NativeBroadcastLayout.MaxOuter", "NativeMeanLayout.Levels"];

    [Fact]
    public void Header_parses_into_the_known_values()
    {
        var header = Header();
        Assert.Equal(2, header["NQ_OP_CONV_2D"]);
        Assert.Equal(7, header["NQ_P_FIRST"]);
        Assert.Equal(27, header["NQ_CONV_COUNT"]);
        Assert.Equal(7 + 4 + 15, header["NQ_BC_END"]);
        Assert.Equal(7 + 12, header["NQ_MEAN_CORRECTION"]);
        Assert.Equal(-3, header["NQ_ERROR_BOUNDS"]);
    }

    [Fact]
    public void Every_header_slot_and_code_equals_its_CSharp_twin()
    {
        var header = Header();
        var errors = new List<string>();
        foreach (var (prefix, typeName) in Twins)
        {
            var constants = Constants(typeName);
            var inHeader = header.Where(h => h.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(inHeader);
            foreach (var (name, value) in inHeader)
            {
                string key = Normalize(name[prefix.Length..]);
                if (!constants.TryGetValue(key, out var twin))
                {
                    errors.Add($"{name} = {value} has no constant in {typeName}");
                }
                else if (twin.Value != value)
                {
                    errors.Add($"{name} = {value}, but {typeName}.{twin.Name} = {twin.Value}");
                }
            }

            foreach (var (key, twin) in constants)
            {
                if (!CSharpOnly.Contains($"{typeName}.{twin.Name}") && !inHeader.Any(h => Normalize(h.Key[prefix.Length..]) == key))
                {
                    errors.Add($"{typeName}.{twin.Name} has no {prefix}* in the header");
                }
            }
        }

        Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.Equal(header["NQ_BROADCAST_MAX_OUTER"], Constants("NativeBroadcastLayout")["MAXOUTER"].Value);
        Assert.Equal(header["NQ_MEAN_KEPT_STRIDES"] - header["NQ_MEAN_KEPT_COUNTS"], Constants("NativeMeanLayout")["LEVELS"].Value);
        Assert.Equal(KernelBackend.AbiVersion, header["NQ_ABI_VERSION"]);
    }

    [Fact]
    public void Native_operator_codes_are_the_format_operator_types()
    {
        foreach (var (key, twin) in Constants("NativeOperator"))
        {
            Assert.Equal((int)Enum.Parse<OperatorType>(twin.Name), twin.Value);
        }
    }

    private static string Normalize(string name) => name.Replace("_", "", StringComparison.Ordinal).ToUpperInvariant();

    private static Dictionary<string, (string Name, int Value)> Constants(string typeName)
    {
        var type = typeof(KernelBackend).Assembly.GetType("NanoQuant." + typeName, throwOnError: true)!;
        return type.GetFields(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
            .Where(f => f.IsLiteral)
            .ToDictionary(f => Normalize(f.Name), f => (f.Name, (int)f.GetRawConstantValue()!));
    }

    /// <summary>Every NQ_* #define with an integer value and every enumerator, evaluated.</summary>
    internal static Dictionary<string, int> Header()
    {
        string text = File.ReadAllText(Path.Combine(NativeKernelLibrary.SourceFolder, "nanoquant_kernels.h"));
        text = Regex.Replace(text, @"/\*.*?\*/", " ", RegexOptions.Singleline);
        text = Regex.Replace(text, @"//[^\n]*", " ");
        var values = new Dictionary<string, int>();
        foreach (Match m in Regex.Matches(text, @"^\s*#define\s+(NQ_\w+)\s+\(?\s*(-?\d+)\s*\)?\s*$", RegexOptions.Multiline))
        {
            values[m.Groups[1].Value] = int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        foreach (Match block in Regex.Matches(text, @"\benum\s*\{(.*?)\}", RegexOptions.Singleline))
        {
            int next = 0;
            foreach (string entry in block.Groups[1].Value.Split(',').Select(e => e.Trim()).Where(e => e.Length > 0))
            {
                var parts = entry.Split('=', 2);
                string name = parts[0].Trim();
                int value = parts.Length == 2 ? Evaluate(parts[1], values) : next;
                values[name] = value;
                next = value + 1;
            }
        }

        return values;
    }

    private static int Evaluate(string expression, Dictionary<string, int> known) =>
        expression.Split('+').Select(t => t.Trim()).Sum(t => int.TryParse(t, out int n) ? n : known[t]);
}
