using NanoQuant.Format;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering;

/// <summary>
/// TRANSPOSE → <see cref="OperatorType.Transpose"/> (device/Kernels/TransposeKernel.cs). The constant
/// perm tensor becomes the parameters; TFLM requires it constant, one entry per input dimension,
/// each in [0, rank).
/// </summary>
public sealed class TransposeLowering : IOperatorLowering
{
    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.Transpose];

    public void Lower(LoweringContext context, TfLiteOperator op)
    {
        context.RequireCounts(op, 2, 2, 1);
        var input = context.Input(op, 0);
        var permTensor = context.Input(op, 1);
        var output = context.Output(op, 0);
        context.PerTensor(op, input);
        context.PerTensor(op, output);
        if (!permTensor.IsConstant)
        {
            throw context.Unsupported(op, $"perm {permTensor} must be a constant tensor");
        }

        int[] perm = context.Int32Data(op, permTensor);
        int rank = input.Shape.Length;
        if (rank == 0 || perm.Length != rank || permTensor.Shape.Length != 1)
        {
            throw context.Unsupported(op, $"perm {permTensor} must be 1-D with one entry per input dimension ({rank})");
        }

        if (perm.Any(p => p < 0 || p >= rank) || perm.Distinct().Count() != rank)
        {
            throw context.Unsupported(op, $"perm [{string.Join(",", perm)}] is not a permutation of 0..{rank - 1}");
        }

        int[] expected = perm.Select(p => input.Shape[p]).ToArray();
        if (!output.Shape.SequenceEqual(expected))
        {
            throw context.Unsupported(op, $"output {output} has shape [{string.Join(",", output.Shape)}], the permuted input is [{string.Join(",", expected)}]");
        }

        context.Emit(op, OperatorType.Transpose, [context.Int8Operand(op, input)], [context.Int8Output(op, 0)], perm);
    }
}
