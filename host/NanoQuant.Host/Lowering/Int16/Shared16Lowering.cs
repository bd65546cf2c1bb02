using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering.Int16;

/// <summary>
/// 16x8 operators whose int8 lowering and kernel are type-blind once elements are two bytes wide:
/// PAD/PADV2 (zero padding), CONCATENATION, TRANSPOSE, STRIDED_SLICE (byte copies without rescaling,
/// as TFLM's int16 kernels do), MEAN (int32 sum, one requantization) and LEAKY_RELU (two
/// multipliers; the kernel clamps to int16). The int8 lowering runs with
/// <see cref="LoweringContext.AcceptInt16"/> set, which maps int16 activations to int16 device
/// tensors and requires their zero points to be 0.
/// </summary>
public sealed class Shared16Lowering : IOperatorLowering
{
    private readonly Dictionary<BuiltinOperator, IOperatorLowering> _int8 = new IOperatorLowering[]
    {
        new PadLowering(), new ConcatenationLowering(), new TransposeLowering(), new StridedSliceLowering(), new MeanLowering(), new LeakyReluLowering(),
    }
    .SelectMany(l => l.Operators.Select(op => (op, l)))
    .ToDictionary(p => p.op, p => p.l);

    public IReadOnlyList<BuiltinOperator> Operators => [.. _int8.Keys];

    public TfLiteType Activations => TfLiteType.Int16;

    public void Lower(LoweringContext context, TfLiteOperator op)
    {
        context.AcceptInt16 = true;
        try
        {
            foreach (int t in op.Inputs.Concat(op.Outputs))
            {
                if (t >= 0 && context.Source.Tensors[t] is { Type: TfLiteType.Int8, IsConstant: false } mixed)
                {
                    throw context.Unsupported(op, $"{mixed} is int8 while the operator's other activations are int16; mixed int8/int16 is supported only through QUANTIZE");
                }
            }

            _int8[op.Code].Lower(context, op);
        }
        finally
        {
            context.AcceptInt16 = false;
        }
    }
}
