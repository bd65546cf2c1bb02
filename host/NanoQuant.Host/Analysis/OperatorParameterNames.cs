using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using NanoQuant.Format;

namespace NanoQuant.Host.Analysis;

/// <summary>
/// The names of each device operator's integer parameters, read from its layout class in shared/Layouts by the
/// naming convention of shared/Layouts/README.md, so `inspect` and `analyze` label them and a new operator's
/// parameter names are written once, in its layout.
/// </summary>
public static partial class OperatorParameterNames
{
    /// <summary>Operators served by a family's layout rather than one named after them.</summary>
    private static readonly Dictionary<OperatorType, Type> FamilyLayouts = new()
    {
        [OperatorType.Add] = typeof(AddSubLayout),
        [OperatorType.Sub] = typeof(AddSubLayout),
        [OperatorType.AveragePool2D] = typeof(Pool2DLayout),
        [OperatorType.MaxPool2D] = typeof(Pool2DLayout),
        [OperatorType.Logistic] = typeof(LogisticTanhLayout),
        [OperatorType.Tanh] = typeof(LogisticTanhLayout),
    };

    /// <summary>Operators without a layout: RESHAPE has no parameters, TRANSPOSE's are the permutation.</summary>
    public static readonly IReadOnlySet<OperatorType> WithoutLayout = new HashSet<OperatorType> { OperatorType.Reshape, OperatorType.Transpose };

    /// <summary>Layouts of repeated blocks (per dimension, per gate), whose names are built here from the block's constants.</summary>
    private static readonly Dictionary<Type, Func<int, string[]>> BlockLayouts = new()
    {
        [typeof(PadLayout)] = PadNames,
        [typeof(StridedSliceLayout)] = StridedSliceNames,
        [typeof(UnidirectionalSequenceLstmLayout)] = _ => LstmNames(),
    };

    private static readonly Dictionary<Type, (string[] Int8, string[]? Int16)> FlatTables = [];

    /// <summary>The layout class of <paramref name="type"/> (shared/Layouts), or null for <see cref="WithoutLayout"/> and unknown values.</summary>
    public static Type? LayoutOf(OperatorType type) =>
        FamilyLayouts.TryGetValue(type, out var family) ? family : typeof(OperatorType).Assembly.GetType($"{typeof(OperatorType).Namespace}.{type}Layout");

    /// <summary>Whether <paramref name="layout"/>'s names are built here per block instead of read from its fields.</summary>
    public static bool IsBlockLayout(Type layout) => BlockLayouts.ContainsKey(layout);

    /// <summary>The name of every parameter of an operator with <paramref name="count"/> parameters.</summary>
    public static string[] Get(OperatorType type, int count)
    {
        string[] names = [];
        if (type == OperatorType.Transpose)
        {
            names = Enumerable.Range(0, count).Select(d => $"perm{d}").ToArray();
        }
        else if (LayoutOf(type) is { } layout)
        {
            if (BlockLayouts.TryGetValue(layout, out var build))
            {
                names = build(count);
            }
            else
            {
                var (int8, int16) = Tables(layout);
                names = int16 is not null && count == int16.Length ? int16 : int8;
            }
        }

        // An operator without names (or one with more parameters) keeps positional names.
        return Enumerable.Range(0, count).Select(i => i < names.Length && names[i] is not null ? names[i] : $"p{i}").ToArray();
    }

    /// <summary>"name=value" for every parameter, in order.</summary>
    public static string Describe(OperatorType type, IReadOnlyList<int> parameters)
    {
        var names = Get(type, parameters.Count);
        return string.Join(", ", parameters.Select((v, i) => $"{names[i]}={v.ToString(CultureInfo.InvariantCulture)}"));
    }

    /// <summary>
    /// The int8 and (when the layout has its own) 16x8 name tables of a flat layout, by the convention of
    /// shared/Layouts/README.md; throws when the layout breaks it (an index named twice or not at all).
    /// </summary>
    public static (string[] Int8, string[]? Int16) Tables(Type layout)
    {
        lock (FlatTables)
        {
            if (!FlatTables.TryGetValue(layout, out var tables))
            {
                var fields = Constants(layout);
                string[]? int16 = fields.ContainsKey("Int16ParameterCount") ? Table(layout, fields, "Int16") : null;
                tables = (Table(layout, fields, ""), int16);
                FlatTables[layout] = tables;
            }

            return tables;
        }
    }

    /// <summary>One variant's table: its parameter indices, and a block's (`…Parameters`) from the layout it names.</summary>
    private static string[] Table(Type layout, Dictionary<string, int> fields, string variant)
    {
        string countName = variant + "ParameterCount";
        if (!fields.TryGetValue(countName, out int count))
        {
            throw new InvalidOperationException($"{layout.Name} has no {countName}");
        }

        var table = new string[count];
        foreach (var (field, index) in fields)
        {
            if (field.EndsWith("Slot", StringComparison.Ordinal) || field.EndsWith("Count", StringComparison.Ordinal) || field.StartsWith("Max", StringComparison.Ordinal))
            {
                continue;
            }

            bool isInt16 = field.StartsWith("Int16", StringComparison.Ordinal);
            if (variant.Length > 0 ? !isInt16 : isInt16)
            {
                continue;
            }

            string name = field[variant.Length..];
            if (name.EndsWith("Parameters", StringComparison.Ordinal))
            {
                var block = layout.Assembly.GetType($"{layout.Namespace}.{name[..^"Parameters".Length]}Layout")
                    ?? throw new InvalidOperationException($"{layout.Name}.{field}: no {name[..^"Parameters".Length]}Layout");
                foreach (var (blockField, blockIndex) in Constants(block).Where(f => !f.Key.EndsWith("Count", StringComparison.Ordinal)))
                {
                    Name(table, layout, index + blockIndex, blockField);
                }
            }
            else
            {
                Name(table, layout, index, name);
            }
        }

        int missing = Array.IndexOf(table, null);
        return missing < 0 ? table : throw new InvalidOperationException($"{layout.Name}: {variant}parameter {missing} has no name");
    }

    private static void Name(string[] table, Type layout, int index, string field)
    {
        if (index < 0 || index >= table.Length || table[index] is not null)
        {
            throw new InvalidOperationException($"{layout.Name}.{field}: parameter index {index} is out of range or named twice");
        }

        table[index] = SnakeCase(field);
    }

    /// <summary>The layout's <c>const int</c> fields by name.</summary>
    private static Dictionary<string, int> Constants(Type layout) =>
        layout.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(int))
            .ToDictionary(f => f.Name, f => (int)f.GetRawConstantValue()!);

    /// <summary>StrideHeight → stride_h, Input1ZeroPoint → input1_zp, ActivationMin → act_min.</summary>
    private static string SnakeCase(string field) =>
        WordStart().Replace(
            field.Replace("ZeroPoint", "Zp", StringComparison.Ordinal).Replace("Height", "H", StringComparison.Ordinal)
                .Replace("Width", "W", StringComparison.Ordinal).Replace("Activation", "Act", StringComparison.Ordinal),
            "_").ToLowerInvariant();

    [GeneratedRegex("(?<=[a-z0-9])(?=[A-Z])")]
    private static partial Regex WordStart();

    /// <summary>PAD's names: the pad value, then before/after per dimension (<see cref="PadLayout"/>).</summary>
    private static string[] PadNames(int count)
    {
        var names = new string[Math.Max(count, PadLayout.Paddings)];
        names[PadLayout.PadValue] = "pad_value";
        for (int d = 0; PadLayout.Paddings + (PadLayout.PaddingsPerDimension * d) + 1 < count; d++)
        {
            names[PadLayout.Paddings + (PadLayout.PaddingsPerDimension * d)] = $"before{d}";
            names[PadLayout.Paddings + (PadLayout.PaddingsPerDimension * d) + 1] = $"after{d}";
        }

        return names;
    }

    /// <summary>STRIDED_SLICE's names: start, stop, step per dimension (<see cref="StridedSliceLayout"/>).</summary>
    private static string[] StridedSliceNames(int count)
    {
        var names = new string[count - (count % StridedSliceLayout.PerDimension)];
        for (int block = 0; block < names.Length; block += StridedSliceLayout.PerDimension)
        {
            int d = block / StridedSliceLayout.PerDimension;
            names[block + StridedSliceLayout.Start] = $"start{d}";
            names[block + StridedSliceLayout.Stop] = $"stop{d}";
            names[block + StridedSliceLayout.Step] = $"step{d}";
        }

        return names;
    }

    /// <summary>The LSTM's names by <see cref="UnidirectionalSequenceLstmLayout"/>: time_major, a block per gate, the cell and hidden stages.</summary>
    private static string[] LstmNames()
    {
        const int GateBlock = UnidirectionalSequenceLstmLayout.GateParameters;
        const int GateStride = UnidirectionalSequenceLstmLayout.GateParameterCount;
        var names = new string[UnidirectionalSequenceLstmLayout.ParameterCount];
        names[UnidirectionalSequenceLstmLayout.TimeMajor] = "time_major";
        string[] gates = ["input", "forget", "cell", "output"];
        for (int g = 0; g < UnidirectionalSequenceLstmLayout.GateCount; g++)
        {
            int block = GateBlock + (GateStride * g);
            names[block + UnidirectionalSequenceLstmLayout.GateInputMultiplier] = $"{gates[g]}_input_multiplier";
            names[block + UnidirectionalSequenceLstmLayout.GateInputShift] = $"{gates[g]}_input_shift";
            names[block + UnidirectionalSequenceLstmLayout.GateRecurrentMultiplier] = $"{gates[g]}_recurrent_multiplier";
            names[block + UnidirectionalSequenceLstmLayout.GateRecurrentShift] = $"{gates[g]}_recurrent_shift";
        }

        names[UnidirectionalSequenceLstmLayout.ForgetMultiplier] = "forget_cell_multiplier";
        names[UnidirectionalSequenceLstmLayout.ForgetShift] = "forget_cell_shift";
        names[UnidirectionalSequenceLstmLayout.CellUpdateMultiplier] = "input_cell_gate_multiplier";
        names[UnidirectionalSequenceLstmLayout.CellUpdateShift] = "input_cell_gate_shift";
        names[UnidirectionalSequenceLstmLayout.HiddenMultiplier] = "hidden_multiplier";
        names[UnidirectionalSequenceLstmLayout.HiddenShift] = "hidden_shift";
        names[UnidirectionalSequenceLstmLayout.HiddenZeroPoint] = "hidden_zp";
        names[UnidirectionalSequenceLstmLayout.CellClip] = "cell_clip";
        names[UnidirectionalSequenceLstmLayout.CellTanhMultiplier] = "cell_tanh_multiplier";
        names[UnidirectionalSequenceLstmLayout.CellTanhShift] = "cell_tanh_shift";
        return names;
    }
}
