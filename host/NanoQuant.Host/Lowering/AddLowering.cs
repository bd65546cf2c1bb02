using NanoQuant.Format;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering;

/// <summary>ADD → <see cref="OperatorType.Add"/> (device/Kernels/AddKernel.cs).</summary>
public sealed class AddLowering : IOperatorLowering
{
    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.Add];

    public void Lower(LoweringContext context, TfLiteOperator op)
    {
        var (input1, input2, output) = ElementwiseLowering.Binary(context, op);

        // TFLM's add_common.cc: the larger input scale, doubled, in double precision.
        double twiceMaxInputScale = 2 * (double)Math.Max(input1.Scale, input2.Scale);
        double real1 = input1.Scale / twiceMaxInputScale;
        double real2 = input2.Scale / twiceMaxInputScale;
        double realOutput = twiceMaxInputScale / ((1 << ElementwiseLowering.AddSubLeftShift) * (double)output.Scale);
        int[] parameters = ElementwiseLowering.AddSubParameters(context, op, input1, input2, output, real1, real2, realOutput);
        ElementwiseLowering.EmitBinary(context, op, OperatorType.Add, input1, input2, parameters);
    }
}
