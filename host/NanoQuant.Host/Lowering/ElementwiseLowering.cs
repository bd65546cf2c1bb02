using NanoQuant.Format;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering;

/// <summary>
/// Shared host arithmetic of the elementwise, activation and softmax lowerings: multipliers checked
/// against what the kernels accept, the operand checks of unary and broadcasting binary operators,
/// and the ADD/SUB parameter block.
/// </summary>
internal static class ElementwiseLowering
{
    /// <summary>One int8 per-tensor operand as the lowerings see it.</summary>
    internal readonly record struct Operand(TfLiteTensor Tensor, float Scale, int ZeroPoint, int[] DeviceShape);

    /// <summary>A multiplier for MultiplyByQuantizedMultiplier: shift within [−31, 30].</summary>
    internal static (int Multiplier, int Shift) Multiplier(LoweringContext context, TfLiteOperator op, double real, string what)
    {
        if (!(real >= 0) || !double.IsFinite(real))
        {
            throw context.Unsupported(op, $"the {what} multiplier {real} is not finite and non-negative");
        }

        var (m, s) = QuantizationMath.QuantizeMultiplierUnbounded(real);
        if (s > QuantizedMath.MaxShift)
        {
            throw context.Unsupported(op, $"the {what} multiplier {real} is 2^31 or more; the quantization scales are out of range");
        }

        return (m, s);
    }

    /// <summary>TFLite's QuantizeMultiplierSmallerThanOneExp: real in (0, 1), shift ≤ 0.</summary>
    internal static (int Multiplier, int Shift) SmallerThanOne(LoweringContext context, TfLiteOperator op, double real, string what)
    {
        if (!(real > 0 && real < 1))
        {
            throw context.Unsupported(op, $"the {what} multiplier {real} is outside (0, 1), which TFLite Micro requires; the quantization scales are out of range");
        }

        var (m, s) = QuantizationMath.QuantizeMultiplierUnbounded(real);
        if (s > 0)
        {
            throw context.Unsupported(op, $"the {what} multiplier {real} rounds to 1, which TFLite Micro rejects");
        }

        return (m, s);
    }

    /// <summary>The int8 clamp range of a fused activation (NONE, RELU, RELU6, RELU_N1_TO_1).</summary>
    internal static (int Min, int Max) ActivationRange(LoweringContext context, TfLiteOperator op, FusedActivation activation, Operand output)
    {
        if (activation is not (FusedActivation.None or FusedActivation.Relu or FusedActivation.Relu6 or FusedActivation.ReluN1To1))
        {
            throw context.Unsupported(op, $"fused activation {activation} is not supported (NONE, RELU, RELU6 and RELU_N1_TO_1 are)");
        }

        var (min, max) = QuantizationMath.ActivationRange(activation, output.Scale, output.ZeroPoint);
        if (min > max)
        {
            throw context.Unsupported(op, $"fused activation {activation} gives an empty int8 range [{min}, {max}]");
        }

        return (min, max);
    }

    /// <summary>An int8 per-tensor input or output.</summary>
    internal static Operand Int8(LoweringContext context, TfLiteOperator op, TfLiteTensor tensor)
    {
        var (scale, zeroPoint) = context.PerTensor(op, tensor);
        return new Operand(tensor, scale, zeroPoint, tensor.Shape.Length == 0 ? [1] : tensor.Shape);
    }

    /// <summary>A unary int8 operator's input and output, which must have the same shape.</summary>
    internal static (Operand Input, Operand Output) Unary(LoweringContext context, TfLiteOperator op)
    {
        context.RequireCounts(op, 1, 1, 1);
        var input = Int8(context, op, context.Input(op, 0));
        var output = Int8(context, op, context.Output(op, 0));
        if (!input.DeviceShape.SequenceEqual(output.DeviceShape))
        {
            throw context.Unsupported(op, $"input {input.Tensor} [{string.Join(",", input.Tensor.Shape)}] and output {output.Tensor} [{string.Join(",", output.Tensor.Shape)}] must have the same shape");
        }

        return (input, output);
    }

    /// <summary>Emits a unary operator on its input and output.</summary>
    internal static void EmitUnary(LoweringContext context, TfLiteOperator op, Format.OperatorType type, Operand input, int[] parameters) =>
        context.Emit(op, type, [context.Int8Operand(op, input.Tensor)], [context.Int8Output(op, 0)], parameters);

    /// <summary>A binary operator's operands, checked against the broadcasting rules the device applies.</summary>
    internal static (Operand Input1, Operand Input2, Operand Output) Binary(LoweringContext context, TfLiteOperator op)
    {
        context.RequireCounts(op, 2, 2, 1);
        var input1 = Int8(context, op, context.Input(op, 0));
        var input2 = Int8(context, op, context.Input(op, 1));
        var output = Int8(context, op, context.Output(op, 0));
        int[] s1 = input1.DeviceShape, s2 = input2.DeviceShape, so = output.DeviceShape;
        bool ok = s1.Length <= so.Length && s2.Length <= so.Length;
        for (int axis = 0; ok && axis < so.Length; axis++)
        {
            int d1 = Dimension(s1, axis, so.Length), d2 = Dimension(s2, axis, so.Length);
            ok = (d1 == d2 || d1 == 1 || d2 == 1) && so[axis] == (d1 == 1 ? d2 : d1);
        }

        if (!ok)
        {
            throw context.Unsupported(op, $"shapes [{string.Join(",", input1.Tensor.Shape)}] and [{string.Join(",", input2.Tensor.Shape)}] do not broadcast to the output shape [{string.Join(",", output.Tensor.Shape)}]");
        }

        return (input1, input2, output);
    }

    /// <summary>Emits a binary operator on its two inputs and output.</summary>
    internal static void EmitBinary(LoweringContext context, TfLiteOperator op, Format.OperatorType type, Operand input1, Operand input2, int[] parameters, long macs = 0) =>
        context.Emit(op, type, [context.Int8Operand(op, input1.Tensor), context.Int8Operand(op, input2.Tensor)], [context.Int8Output(op, 0)], parameters, macs);

    /// <summary>
    /// The parameter block of <see cref="Format.OperatorType.Add"/> and <see cref="Format.OperatorType.Sub"/>
    /// from the three rescaling multipliers and left shift 20 (TFLM's int8 setting).
    /// </summary>
    internal static int[] AddSubParameters(LoweringContext context, TfLiteOperator op, Operand input1, Operand input2, Operand output, double real1, double real2, double realOutput)
    {
        var (m1, s1) = SmallerThanOne(context, op, real1, "input1");
        var (m2, s2) = SmallerThanOne(context, op, real2, "input2");
        var (mo, so) = SmallerThanOne(context, op, realOutput, "output");
        var (min, max) = ActivationRange(context, op, context.Options(op).GetActivation(0), output);
        return AddSubBlock(input1.ZeroPoint, input2.ZeroPoint, output.ZeroPoint, AddSubLeftShift, (m1, s1), (m2, s2), (mo, so), min, max);
    }

    /// <summary>ADD's and SUB's parameter block (int8 and 16x8), written by <see cref="AddSubLayout"/>'s indices.</summary>
    internal static int[] AddSubBlock(int zeroPoint1, int zeroPoint2, int outputZeroPoint, int leftShift, (int Multiplier, int Shift) input1, (int Multiplier, int Shift) input2, (int Multiplier, int Shift) output, int min, int max)
    {
        var p = new int[AddSubLayout.ParameterCount];
        p[AddSubLayout.Input1ZeroPoint] = zeroPoint1;
        p[AddSubLayout.Input2ZeroPoint] = zeroPoint2;
        p[AddSubLayout.OutputZeroPoint] = outputZeroPoint;
        p[AddSubLayout.LeftShift] = leftShift;
        p[AddSubLayout.Input1Multiplier] = input1.Multiplier;
        p[AddSubLayout.Input1Shift] = input1.Shift;
        p[AddSubLayout.Input2Multiplier] = input2.Multiplier;
        p[AddSubLayout.Input2Shift] = input2.Shift;
        p[AddSubLayout.OutputMultiplier] = output.Multiplier;
        p[AddSubLayout.OutputShift] = output.Shift;
        p[AddSubLayout.ActivationMin] = min;
        p[AddSubLayout.ActivationMax] = max;
        return p;
    }

    /// <summary>MUL's parameter block (int8 and 16x8), written by <see cref="MulLayout"/>'s indices.</summary>
    internal static int[] MulBlock(int zeroPoint1, int zeroPoint2, int outputZeroPoint, int multiplier, int shift, int min, int max)
    {
        var p = new int[MulLayout.ParameterCount];
        p[MulLayout.Input1ZeroPoint] = zeroPoint1;
        p[MulLayout.Input2ZeroPoint] = zeroPoint2;
        p[MulLayout.OutputZeroPoint] = outputZeroPoint;
        p[MulLayout.OutputMultiplier] = multiplier;
        p[MulLayout.OutputShift] = shift;
        p[MulLayout.ActivationMin] = min;
        p[MulLayout.ActivationMax] = max;
        return p;
    }

    /// <summary>TFLM's left shift for int8 ADD and SUB.</summary>
    internal const int AddSubLeftShift = 20;

    private static int Dimension(int[] shape, int axis, int rank)
    {
        int inputAxis = axis - (rank - shape.Length);
        return inputAxis < 0 ? 1 : shape[inputAxis];
    }
}
