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

    private static readonly string[] Softmax = Names(SoftmaxLayout.ParameterCount,
        (SoftmaxLayout.InputMultiplier, "input_multiplier"), (SoftmaxLayout.InputLeftShift, "input_left_shift"), (SoftmaxLayout.DiffMin, "diff_min"));

    private static readonly string[] Softmax16 = Names(SoftmaxLayout.Int16ParameterCount,
        (SoftmaxLayout.Int16InputMultiplier, "input_multiplier"), (SoftmaxLayout.Int16InputShift, "input_shift"));

    private static readonly string[] Mean = Names(MeanLayout.ParameterCount,
        (MeanLayout.InputZeroPoint, "input_zp"), (MeanLayout.OutputZeroPoint, "output_zp"), (MeanLayout.Multiplier, "multiplier"),
        (MeanLayout.Shift, "shift"), (MeanLayout.AxesMask, "axes_mask"));

    private static readonly string[] Concatenation = Names(ConcatenationLayout.ParameterCount, (ConcatenationLayout.Axis, "axis"));

    private static readonly string[] LogisticTanh = Names(LogisticTanhLayout.ParameterCount,
        (LogisticTanhLayout.InputZeroPoint, "input_zp"), (LogisticTanhLayout.InputRadius, "input_radius"),
        (LogisticTanhLayout.InputMultiplier, "input_multiplier"), (LogisticTanhLayout.InputLeftShift, "input_left_shift"));

    private static readonly string[] LogisticTanh16 = Names(LogisticTanhLayout.Int16ParameterCount,
        (LogisticTanhLayout.Int16InputMultiplier, "input_multiplier"), (LogisticTanhLayout.Int16InputLeftShift, "input_left_shift"));

    private static readonly string[] Relu = Names(ReluLayout.ParameterCount,
        (ReluLayout.InputZeroPoint, "input_zp"), (ReluLayout.OutputZeroPoint, "output_zp"), (ReluLayout.Multiplier, "multiplier"),
        (ReluLayout.Shift, "shift"), (ReluLayout.ActivationMin, "act_min"), (ReluLayout.ActivationMax, "act_max"));

    private static readonly string[] Relu6 = Names(Relu6Layout.ParameterCount, (Relu6Layout.Lower, "lower"), (Relu6Layout.Upper, "upper"));

    private static readonly string[] LeakyRelu = Names(LeakyReluLayout.ParameterCount,
        (LeakyReluLayout.InputZeroPoint, "input_zp"), (LeakyReluLayout.OutputZeroPoint, "output_zp"),
        (LeakyReluLayout.IdentityMultiplier, "identity_multiplier"), (LeakyReluLayout.IdentityShift, "identity_shift"),
        (LeakyReluLayout.AlphaMultiplier, "alpha_multiplier"), (LeakyReluLayout.AlphaShift, "alpha_shift"));

    private static readonly string[] HardSwish = Names(HardSwishLayout.ParameterCount,
        (HardSwishLayout.InputZeroPoint, "input_zp"), (HardSwishLayout.OutputZeroPoint, "output_zp"),
        (HardSwishLayout.ReluishMultiplier, "reluish_multiplier"), (HardSwishLayout.ReluishExponent, "reluish_exponent"),
        (HardSwishLayout.OutputMultiplier, "output_multiplier"), (HardSwishLayout.OutputExponent, "output_exponent"));

    private static readonly string[] Requantize = Names(RequantizeLayout.ParameterCount,
        (RequantizeLayout.InputZeroPoint, "input_zp"), (RequantizeLayout.OutputZeroPoint, "output_zp"),
        (RequantizeLayout.Multiplier, "multiplier"), (RequantizeLayout.Shift, "shift"));

    private static readonly string[] Lstm = LstmNames();

    /// <summary>The name of every parameter of an operator with <paramref name="count"/> parameters.</summary>
    public static string[] Get(OperatorType type, int count)
    {
        string[] names = type switch
        {
            OperatorType.FullyConnected => FullyConnected,
            OperatorType.Conv2D => ConvWindow,
            OperatorType.DepthwiseConv2D => DepthwiseConv,
            OperatorType.AveragePool2D or OperatorType.MaxPool2D => Pool,
            OperatorType.Softmax => count == SoftmaxLayout.Int16ParameterCount ? Softmax16 : Softmax,
            OperatorType.Add or OperatorType.Sub => AddSub,
            OperatorType.Mul => Mul,
            OperatorType.Pad => PadNames(count),
            OperatorType.Mean => Mean,
            OperatorType.Concatenation => Concatenation,
            OperatorType.Transpose => Enumerable.Range(0, count).Select(d => $"perm{d}").ToArray(),
            OperatorType.StridedSlice => StridedSliceNames(count),
            OperatorType.Logistic or OperatorType.Tanh => count == LogisticTanhLayout.Int16ParameterCount ? LogisticTanh16 : LogisticTanh,
            OperatorType.Relu => Relu,
            OperatorType.Relu6 => Relu6,
            OperatorType.LeakyRelu => LeakyRelu,
            OperatorType.HardSwish => HardSwish,
            OperatorType.Requantize => Requantize,
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
        var names = new List<(int, string)> { (UnidirectionalSequenceLstmLayout.TimeMajor, "time_major") };
        string[] gates = ["input", "forget", "cell", "output"];
        for (int g = 0; g < UnidirectionalSequenceLstmLayout.GateCount; g++)
        {
            int block = GateBlock + (GateStride * g);
            names.Add((block + UnidirectionalSequenceLstmLayout.GateInputMultiplier, $"{gates[g]}_input_multiplier"));
            names.Add((block + UnidirectionalSequenceLstmLayout.GateInputShift, $"{gates[g]}_input_shift"));
            names.Add((block + UnidirectionalSequenceLstmLayout.GateRecurrentMultiplier, $"{gates[g]}_recurrent_multiplier"));
            names.Add((block + UnidirectionalSequenceLstmLayout.GateRecurrentShift, $"{gates[g]}_recurrent_shift"));
        }

        names.AddRange([
            (UnidirectionalSequenceLstmLayout.ForgetMultiplier, "forget_cell_multiplier"), (UnidirectionalSequenceLstmLayout.ForgetShift, "forget_cell_shift"),
            (UnidirectionalSequenceLstmLayout.CellUpdateMultiplier, "input_cell_gate_multiplier"), (UnidirectionalSequenceLstmLayout.CellUpdateShift, "input_cell_gate_shift"),
            (UnidirectionalSequenceLstmLayout.HiddenMultiplier, "hidden_multiplier"), (UnidirectionalSequenceLstmLayout.HiddenShift, "hidden_shift"),
            (UnidirectionalSequenceLstmLayout.HiddenZeroPoint, "hidden_zp"), (UnidirectionalSequenceLstmLayout.CellClip, "cell_clip"),
            (UnidirectionalSequenceLstmLayout.CellTanhMultiplier, "cell_tanh_multiplier"), (UnidirectionalSequenceLstmLayout.CellTanhShift, "cell_tanh_shift")]);
        return Names(UnidirectionalSequenceLstmLayout.ParameterCount, [.. names]);
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
