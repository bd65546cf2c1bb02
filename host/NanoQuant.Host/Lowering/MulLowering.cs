using NanoQuant.Format;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering;

/// <summary>MUL → <see cref="OperatorType.Mul"/> (device/Kernels/MulKernel.cs).</summary>
public sealed class MulLowering : IOperatorLowering
{
    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.Mul];

    public void Lower(LoweringContext context, TfLiteOperator op)
    {
        var (input1, input2, output) = ElementwiseLowering.Binary(context, op);
        double real = (double)input1.Scale * input2.Scale / output.Scale;
        var (multiplier, shift) = ElementwiseLowering.Multiplier(context, op, real, "output");
        var (min, max) = ElementwiseLowering.ActivationRange(context, op, context.Options(op).GetActivation(0), output);
        long macs = output.DeviceShape.Aggregate(1L, (a, b) => a * b);
        ElementwiseLowering.EmitBinary(context, op, OperatorType.Mul, input1, input2,
            ElementwiseLowering.MulBlock(input1.ZeroPoint, input2.ZeroPoint, output.ZeroPoint, multiplier, shift, min, max), macs);
    }
}
