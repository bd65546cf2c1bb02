using NanoQuant.Format;

namespace NanoQuant.Host.Analysis;

/// <summary>
/// The names of each device operator's integer parameters, as the device kernels read them
/// (device/Kernels/*Kernel.cs document the same order), so `inspect` can label them.
/// </summary>
public static class OperatorParameterNames
{
    private static readonly string[] ConvWindow = Names(ConvWindowLayout.Count,
        (ConvWindowLayout.Padding, "padding"), (ConvWindowLayout.StrideHeight, "stride_h"), (ConvWindowLayout.StrideWidth, "stride_w"),
        (ConvWindowLayout.DilationHeight, "dilation_h"), (ConvWindowLayout.DilationWidth, "dilation_w"), (ConvWindowLayout.PadTop, "pad_top"),
        (ConvWindowLayout.PadLeft, "pad_left"), (ConvWindowLayout.InputOffset, "input_offset"), (ConvWindowLayout.OutputOffset, "output_offset"),
        (ConvWindowLayout.ActivationMin, "act_min"), (ConvWindowLayout.ActivationMax, "act_max"));

    private static readonly string[] DepthwiseConv = Names(DepthwiseConv2DLayout.ParameterCount,
        [.. ConvWindow.Select((name, i) => (i, name)), (DepthwiseConv2DLayout.DepthMultiplier, "depth_multiplier")]);

    private static readonly string[] FullyConnected = Names(FullyConnectedLayout.ParameterCount,
        (FullyConnectedLayout.OutputOffset, "output_zp"), (FullyConnectedLayout.ActivationMin, "act_min"), (FullyConnectedLayout.ActivationMax, "act_max"));

    private static readonly string[] Pool = Names(Pool2DLayout.ParameterCount,
        (Pool2DLayout.StrideHeight, "stride_h"), (Pool2DLayout.StrideWidth, "stride_w"), (Pool2DLayout.FilterHeight, "filter_h"),
        (Pool2DLayout.FilterWidth, "filter_w"), (Pool2DLayout.PadTop, "pad_top"), (Pool2DLayout.PadBottom, "pad_bottom"),
        (Pool2DLayout.PadLeft, "pad_left"), (Pool2DLayout.PadRight, "pad_right"), (Pool2DLayout.ActivationMin, "act_min"),
        (Pool2DLayout.ActivationMax, "act_max"));

    private static readonly string[] AddSub = Names(AddSubLayout.ParameterCount,
        (AddSubLayout.Input1ZeroPoint, "input1_zp"), (AddSubLayout.Input2ZeroPoint, "input2_zp"), (AddSubLayout.OutputZeroPoint, "output_zp"),
        (AddSubLayout.LeftShift, "left_shift"), (AddSubLayout.Input1Multiplier, "input1_multiplier"), (AddSubLayout.Input1Shift, "input1_shift"),
        (AddSubLayout.Input2Multiplier, "input2_multiplier"), (AddSubLayout.Input2Shift, "input2_shift"), (AddSubLayout.OutputMultiplier, "output_multiplier"),
        (AddSubLayout.OutputShift, "output_shift"), (AddSubLayout.ActivationMin, "act_min"), (AddSubLayout.ActivationMax, "act_max"));

    private static readonly string[] Mul = Names(MulLayout.ParameterCount,
        (MulLayout.Input1ZeroPoint, "input1_zp"), (MulLayout.Input2ZeroPoint, "input2_zp"), (MulLayout.OutputZeroPoint, "output_zp"),
        (MulLayout.OutputMultiplier, "output_multiplier"), (MulLayout.OutputShift, "output_shift"), (MulLayout.ActivationMin, "act_min"),
        (MulLayout.ActivationMax, "act_max"));

    private static readonly string[] Lstm =
    [
        "time_major",
        .. new[] { "input", "forget", "cell", "output" }.SelectMany(g => new[] { $"{g}_input_multiplier", $"{g}_input_shift", $"{g}_recurrent_multiplier", $"{g}_recurrent_shift" }),
        "forget_cell_multiplier", "forget_cell_shift", "input_cell_gate_multiplier", "input_cell_gate_shift", "hidden_multiplier", "hidden_shift",
        "hidden_zp", "cell_clip", "cell_tanh_multiplier", "cell_tanh_shift",
    ];

    private static readonly string[] LookupActivation = ["input_zp", "input_radius", "input_multiplier", "input_left_shift"];

    /// <summary>The name of every parameter of an operator with <paramref name="count"/> parameters.</summary>
    public static string[] Get(OperatorType type, int count)
    {
        string[] names = type switch
        {
            OperatorType.FullyConnected => FullyConnected,
            OperatorType.Conv2D => ConvWindow,
            OperatorType.DepthwiseConv2D => DepthwiseConv,
            OperatorType.AveragePool2D or OperatorType.MaxPool2D => Pool,
            OperatorType.Softmax => ["input_multiplier", "input_left_shift", "diff_min"],
            OperatorType.Add or OperatorType.Sub => AddSub,
            OperatorType.Mul => Mul,
            OperatorType.Pad => ["pad_value", .. Enumerable.Range(0, Math.Max(0, (count - 1) / 2)).SelectMany(d => new[] { $"before{d}", $"after{d}" })],
            OperatorType.Mean => ["input_zp", "output_zp", "multiplier", "shift", "axes_mask"],
            OperatorType.Concatenation => ["axis"],
            OperatorType.Transpose => Enumerable.Range(0, count).Select(d => $"perm{d}").ToArray(),
            OperatorType.StridedSlice => Enumerable.Range(0, count / 3).SelectMany(d => new[] { $"start{d}", $"stop{d}", $"step{d}" }).ToArray(),
            OperatorType.Logistic or OperatorType.Tanh => LookupActivation,
            OperatorType.Relu => ["input_zp", "output_zp", "multiplier", "shift", "act_min", "act_max"],
            OperatorType.Relu6 => ["lower", "upper"],
            OperatorType.LeakyRelu => ["input_zp", "output_zp", "identity_multiplier", "identity_shift", "alpha_multiplier", "alpha_shift"],
            OperatorType.HardSwish => ["input_zp", "output_zp", "reluish_multiplier", "reluish_exponent", "output_multiplier", "output_exponent"],
            OperatorType.Requantize => ["input_zp", "output_zp", "multiplier", "shift"],
            OperatorType.UnidirectionalSequenceLstm => Lstm,
            _ => [],
        };

        // An operator this table does not know (or one with more parameters) keeps positional names.
        return Enumerable.Range(0, count).Select(i => i < names.Length ? names[i] : $"p{i}").ToArray();
    }

    /// <summary>"name=value" for every parameter, in order.</summary>
    public static string Describe(OperatorType type, IReadOnlyList<int> parameters)
    {
        var names = Get(type, parameters.Count);
        return string.Join(", ", parameters.Select((v, i) => $"{names[i]}={v.ToString(System.Globalization.CultureInfo.InvariantCulture)}"));
    }

    /// <summary>A name table of <paramref name="count"/> parameters from (index, name) pairs (indices from shared/Layouts).</summary>
    private static string[] Names(int count, params (int Index, string Name)[] names)
    {
        var table = new string[count];
        foreach (var (index, name) in names)
        {
            table[index] = name;
        }

        return table;
    }
}
