using NanoQuant.Format;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering;

/// <summary>SUB → <see cref="OperatorType.Sub"/> (device/Kernels/SubKernel.cs).</summary>
public sealed class SubLowering : IOperatorLowering
{
    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.Sub];

    public void Lower(LoweringContext context, TfLiteOperator op)
    {
        var (input1, input2, output) = ElementwiseLowering.Binary(context, op);

        // TFLM's sub_common.cc differs from ADD here: every ratio is taken in single precision and only then widened.
        float twiceMaxInputScale = 2 * Math.Max(input1.Scale, input2.Scale);
        double real1 = input1.Scale / twiceMaxInputScale;
        double real2 = input2.Scale / twiceMaxInputScale;
        double realOutput = twiceMaxInputScale / ((1 << ElementwiseLowering.AddSubLeftShift) * output.Scale);
        int[] parameters = ElementwiseLowering.AddSubParameters(context, op, input1, input2, output, real1, real2, realOutput);
        ElementwiseLowering.EmitBinary(context, op, OperatorType.Sub, input1, input2, parameters);
    }
}
