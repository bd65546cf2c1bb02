using NanoQuant.Format;
using NanoQuant.Host.Analysis;

namespace NanoQuant.Tests.Analysis;

/// <summary>
/// The layouts in shared/Layouts follow the naming convention of shared/Layouts/README.md, every operator type has
/// its layout, and the names read from them are the ones analyze and inspect print.
/// </summary>
public class OperatorParameterNamesTests
{
    private static readonly Type[] OperatorLayouts = typeof(OperatorType).Assembly.GetTypes()
        .Where(t => t.Namespace == typeof(OperatorType).Namespace && t.Name.EndsWith("Layout", StringComparison.Ordinal)
            && !t.Name.EndsWith("RecordLayout", StringComparison.Ordinal) && t != typeof(ConvWindowLayout))
        .ToArray();

    [Fact]
    public void Every_operator_type_has_its_layout()
    {
        foreach (var type in Enum.GetValues<OperatorType>())
        {
            var layout = OperatorParameterNames.LayoutOf(type);
            Assert.True(layout is not null ^ OperatorParameterNames.WithoutLayout.Contains(type), $"{type}: layout {layout?.Name ?? "none"}");
        }

        // ...and every operator layout serves an operator.
        var used = Enum.GetValues<OperatorType>().Select(OperatorParameterNames.LayoutOf).ToHashSet();
        Assert.Empty(OperatorLayouts.Where(l => !used.Contains(l)).Select(l => l.Name));
    }

    [Fact]
    public void Every_flat_layout_names_each_parameter_once()
    {
        Assert.Contains(typeof(MulLayout), OperatorLayouts);
        Assert.DoesNotContain(typeof(TensorRecordLayout), OperatorLayouts);
        foreach (var layout in OperatorLayouts.Where(l => !OperatorParameterNames.IsBlockLayout(l)))
        {
            // Tables throws when an index is named twice, lies outside ParameterCount or has no name.
            var (int8, int16) = OperatorParameterNames.Tables(layout);
            Assert.Equal(int8.Length, int8.Distinct().Count());
            Assert.True(int16 is null || int16.Length == int16.Distinct().Count(), layout.Name);
        }
    }

    [Fact]
    public void A_layout_breaking_the_convention_is_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => OperatorParameterNames.Tables(typeof(TwiceNamedLayout)));
        Assert.Contains("parameter index 0 is out of range or named twice", error.Message);
        error = Assert.Throws<InvalidOperationException>(() => OperatorParameterNames.Tables(typeof(GapLayout)));
        Assert.Contains("GapLayout: parameter 1 has no name", error.Message);
    }

    [Theory]
    [InlineData(OperatorType.Conv2D, 11, "padding,stride_h,stride_w,dilation_h,dilation_w,pad_top,pad_left,input_offset,output_offset,act_min,act_max")]
    [InlineData(OperatorType.DepthwiseConv2D, 12, "padding,stride_h,stride_w,dilation_h,dilation_w,pad_top,pad_left,input_offset,output_offset,act_min,act_max,depth_multiplier")]
    [InlineData(OperatorType.FullyConnected, 3, "output_offset,act_min,act_max")]
    [InlineData(OperatorType.FullyConnected, 4, "input_offset,output_offset,act_min,act_max")]
    [InlineData(OperatorType.MaxPool2D, 10, "stride_h,stride_w,filter_h,filter_w,pad_top,pad_bottom,pad_left,pad_right,act_min,act_max")]
    [InlineData(OperatorType.Sub, 12, "input1_zp,input2_zp,output_zp,left_shift,input1_multiplier,input1_shift,input2_multiplier,input2_shift,output_multiplier,output_shift,act_min,act_max")]
    [InlineData(OperatorType.Softmax, 3, "input_multiplier,input_left_shift,diff_min")]
    [InlineData(OperatorType.Softmax, 2, "input_multiplier,input_shift")]
    [InlineData(OperatorType.Tanh, 4, "input_zp,input_radius,input_multiplier,input_left_shift")]
    [InlineData(OperatorType.Logistic, 2, "input_multiplier,input_left_shift")]
    [InlineData(OperatorType.Relu6, 2, "lower,upper")]
    [InlineData(OperatorType.HardSwish, 6, "input_zp,output_zp,reluish_multiplier,reluish_exponent,output_multiplier,output_exponent")]
    [InlineData(OperatorType.Pad, 5, "pad_value,before0,after0,before1,after1")]
    [InlineData(OperatorType.StridedSlice, 6, "start0,stop0,step0,start1,stop1,step1")]
    [InlineData(OperatorType.Transpose, 3, "perm0,perm1,perm2")]
    [InlineData(OperatorType.Mean, 6, "input_zp,output_zp,multiplier,shift,axes_mask,p5")]
    public void Names_follow_the_layouts(OperatorType type, int count, string expected)
    {
        Assert.Equal(expected, string.Join(",", OperatorParameterNames.Get(type, count)));
    }

    [Fact]
    public void The_lstm_names_its_gate_blocks()
    {
        var names = OperatorParameterNames.Get(OperatorType.UnidirectionalSequenceLstm, UnidirectionalSequenceLstmLayout.ParameterCount);
        Assert.Equal("time_major", names[UnidirectionalSequenceLstmLayout.TimeMajor]);
        Assert.Equal("forget_recurrent_shift", names[UnidirectionalSequenceLstmLayout.GateParameters + UnidirectionalSequenceLstmLayout.GateParameterCount + UnidirectionalSequenceLstmLayout.GateRecurrentShift]);
        Assert.Equal("cell_tanh_shift", names[UnidirectionalSequenceLstmLayout.CellTanhShift]);
        Assert.DoesNotContain(names, n => n.StartsWith('p'));
    }

    [Fact]
    public void Every_operator_name_is_its_enum_name()
    {
        foreach (var type in Enum.GetValues<OperatorType>())
        {
            Assert.Equal(type.ToString(), OperatorNames.Get(type));
        }

        Assert.Equal("Unknown(200)", OperatorNames.Get((OperatorType)200));
    }

    private static class TwiceNamedLayout
    {
        public const int InputSlot = 0;
        public const int First = 0;
        public const int Second = 0;
        public const int ParameterCount = 1;
    }

    private static class GapLayout
    {
        public const int First = 0;
        public const int Third = 2;
        public const int ParameterCount = 3;
    }
}
