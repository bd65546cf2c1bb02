using System.Numerics;
using NanoQuant.Format;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering;

/// <summary>
/// MEAN → <see cref="OperatorType.Mean"/> (device/Kernels/MeanKernel.cs). TFLM runs every int8 MEAN,
/// 4-D over axes [1, 2] with or without keep_dims included, through reference_ops::QuantizedMeanOrSum:
/// an int32 sum per output, then one requantization whose multiplier is input scale / output scale
/// with 1/n folded in. The folding is done here exactly as TFLM does it.
/// </summary>
public sealed class MeanLowering : IOperatorLowering
{
    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.Mean];

    public void Lower(LoweringContext context, TfLiteOperator op)
    {
        context.RequireCounts(op, 2, 2, 1);
        var input = context.Input(op, 0);
        var axisTensor = context.Input(op, 1);
        var output = context.Output(op, 0);
        var (inputScale, inputZeroPoint) = context.PerTensor(op, input);
        var (outputScale, outputZeroPoint) = context.PerTensor(op, output);
        if (!axisTensor.IsConstant)
        {
            throw context.Unsupported(op, $"axis {axisTensor} must be a constant tensor");
        }

        int rank = input.Shape.Length;
        int mask = 0;
        foreach (int a in context.Int32Data(op, axisTensor))
        {
            int axis = a < 0 ? a + rank : a;
            if (axis < 0 || axis >= rank)
            {
                throw context.Unsupported(op, $"axis {a} is outside the input's {rank} dimensions");
            }

            mask |= 1 << axis;
        }

        bool keepDims = context.Options(op).GetBool(0);
        var expected = new List<int>();
        long count = 1;
        for (int d = 0; d < rank; d++)
        {
            bool reduced = (mask & (1 << d)) != 0;
            if (reduced)
            {
                count *= input.Shape[d];
            }

            if (!reduced || keepDims)
            {
                expected.Add(reduced ? 1 : input.Shape[d]);
            }
        }

        if (!output.Shape.SequenceEqual(expected))
        {
            throw context.Unsupported(op, $"output {output} has shape [{string.Join(",", output.Shape)}], expected [{string.Join(",", expected)}]");
        }

        var (multiplier, shift) = context.QuantizeMultiplier(op, (double)inputScale / outputScale, "output");
        (multiplier, shift) = FoldCount(multiplier, shift, count);
        context.Emit(op, OperatorType.Mean,
            [context.Int8Operand(op, input)],
            [context.Int8Output(op, 0)],
            ParameterBlock.Of(MeanLayout.ParameterCount, (MeanLayout.InputZeroPoint, inputZeroPoint), (MeanLayout.OutputZeroPoint, outputZeroPoint),
                (MeanLayout.Multiplier, multiplier), (MeanLayout.Shift, shift), (MeanLayout.AxesMask, mask)));
    }

    /// <summary>
    /// Folds 1/<paramref name="count"/> into a quantized multiplier as TFLM's QuantizedMeanOrSum does:
    /// shift left by floor(log2 count) (at most 32, and no further than keeps the final shift ≥ −31),
    /// divide the widened multiplier by count with truncation.
    /// </summary>
    public static (int Multiplier, int Shift) FoldCount(int multiplier, int shift, long count)
    {
        int extra = 63 - BitOperations.LeadingZeroCount((ulong)count);
        extra = Math.Min(extra, 32);
        extra = Math.Min(extra, 31 + shift);
        return ((int)(((long)multiplier << extra) / count), shift - extra);
    }
}
