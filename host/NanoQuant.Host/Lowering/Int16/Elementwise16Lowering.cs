using NanoQuant.Format;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering.Int16;

/// <summary>
/// ADD, SUB and MUL in 16x8 → AddInt16Kernel, SubInt16Kernel, MulInt16Kernel. ADD and SUB take
/// TFLM's general-scale int16 path (the int8 formula with left shift 15; ADD widens the scales to
/// double before dividing, SUB divides in float as TFLM's sub_common does); MUL requires zero
/// points 0 and uses input1 scale × input2 scale / output scale.
/// </summary>
public sealed class Elementwise16Lowering : IOperatorLowering
{
    private const int LeftShift = 15;

    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.Add, BuiltinOperator.Sub, BuiltinOperator.Mul];

    public TfLiteType Activations => TfLiteType.Int16;

    public void Lower(LoweringContext context, TfLiteOperator op)
    {
        context.RequireCounts(op, 2, 2, 1);
        var input1 = context.Input(op, 0);
        var input2 = context.Input(op, 1);
        var output = context.Output(op, 0);
        var (scale1, zeroPoint1) = Int16Operands.PerTensor(context, op, input1);
        var (scale2, zeroPoint2) = Int16Operands.PerTensor(context, op, input2);
        var (outputScale, outputZeroPoint) = Int16Operands.PerTensor(context, op, output);
        CheckBroadcast(context, op, input1, input2, output);
        var activation = context.Options(op).GetActivation(0);
        var (min, max) = Int16Operands.ActivationRange(context, op, activation, outputScale, outputZeroPoint);
        int[] parameters;
        OperatorType type;
        if (op.Code == BuiltinOperator.Mul)
        {
            if (zeroPoint1 != 0 || zeroPoint2 != 0 || outputZeroPoint != 0)
            {
                throw context.Unsupported(op, "int16 MUL requires zero points 0 (TFLite Micro refuses others)");
            }

            var (m, s) = ElementwiseLowering.Multiplier(context, op, (double)scale1 * scale2 / outputScale, "output");
            parameters = ElementwiseLowering.MulBlock(0, 0, 0, m, s, min, max);
            type = OperatorType.Mul;
        }
        else
        {
            double real1, real2, realOutput;
            if (op.Code == BuiltinOperator.Add)
            {
                double twiceMax = 2 * (double)Math.Max(scale1, scale2);
                real1 = scale1 / twiceMax;
                real2 = scale2 / twiceMax;
                realOutput = twiceMax / ((1 << LeftShift) * (double)outputScale);
                type = OperatorType.Add;
            }
            else
            {
                float twiceMax = 2 * Math.Max(scale1, scale2);
                real1 = scale1 / twiceMax;
                real2 = scale2 / twiceMax;
                realOutput = twiceMax / ((1 << LeftShift) * outputScale);
                type = OperatorType.Sub;
            }

            var (m1, s1) = ElementwiseLowering.SmallerThanOne(context, op, real1, "input1");
            var (m2, s2) = ElementwiseLowering.SmallerThanOne(context, op, real2, "input2");
            var (mo, so) = ElementwiseLowering.SmallerThanOne(context, op, realOutput, "output");
            if (zeroPoint1 == short.MinValue || zeroPoint2 == short.MinValue)
            {
                throw context.Unsupported(op, "an int16 input zero point of -32768 is outside what TFLite Micro accepts");
            }

            parameters = ElementwiseLowering.AddSubBlock(zeroPoint1, zeroPoint2, outputZeroPoint, LeftShift, (m1, s1), (m2, s2), (mo, so), min, max);
        }

        context.Emit(op, type,
            [Int16Operands.Operand(context, op, input1), Int16Operands.Operand(context, op, input2)],
            [Int16Operands.Output(context, op, 0)],
            parameters,
            output.ElementCount);
    }

    private static void CheckBroadcast(LoweringContext context, TfLiteOperator op, TfLiteTensor input1, TfLiteTensor input2, TfLiteTensor output)
    {
        int[] a = input1.Shape.Length == 0 ? [1] : input1.Shape, b = input2.Shape.Length == 0 ? [1] : input2.Shape, o = output.Shape.Length == 0 ? [1] : output.Shape;
        bool ok = a.Length <= o.Length && b.Length <= o.Length;
        for (int axis = 0; ok && axis < o.Length; axis++)
        {
            int d1 = Dimension(a, axis, o.Length), d2 = Dimension(b, axis, o.Length);
            ok = (d1 == d2 || d1 == 1 || d2 == 1) && o[axis] == (d1 == 1 ? d2 : d1);
        }

        if (!ok)
        {
            throw context.Unsupported(op, $"shapes [{string.Join(",", input1.Shape)}] and [{string.Join(",", input2.Shape)}] do not broadcast to the output shape [{string.Join(",", output.Shape)}]");
        }
    }

    private static int Dimension(int[] shape, int axis, int rank)
    {
        int inputAxis = axis - (rank - shape.Length);
        return inputAxis < 0 ? 1 : shape[inputAxis];
    }
}
