using NanoQuant.Format;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering;

/// <summary>
/// PAD and PADV2 → <see cref="OperatorType.Pad"/> (device/Kernels/PadKernel.cs). The constant paddings
/// tensor becomes parameters; PAD pads with the output zero point, PADV2 with its constant value
/// input (which TFLM requires to share the output's scale and zero point). Like TFLM, the input's
/// bytes are copied unchanged.
/// </summary>
public sealed class PadLowering : IOperatorLowering
{
    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.Pad, BuiltinOperator.Padv2];

    public void Lower(LoweringContext context, TfLiteOperator op)
    {
        bool v2 = op.Code == BuiltinOperator.Padv2;
        context.RequireCounts(op, 2, v2 ? 3 : 2, 1);
        var input = context.Input(op, 0);
        var paddingsTensor = context.Input(op, 1);
        var output = context.Output(op, 0);
        context.PerTensor(op, input);
        var (outputScale, outputZeroPoint) = context.PerTensor(op, output);
        int rank = input.Shape.Length;
        if (output.Shape.Length != rank || rank == 0)
        {
            throw context.Unsupported(op, $"input {input} and output {output} must have the same rank (1 or more)");
        }

        if (!paddingsTensor.IsConstant)
        {
            throw context.Unsupported(op, $"paddings {paddingsTensor} must be a constant tensor");
        }

        int[] paddings = context.Int32Data(op, paddingsTensor);
        if (paddings.Length != 2 * rank)
        {
            throw context.Unsupported(op, $"paddings {paddingsTensor} has {paddings.Length} values, expected {2 * rank} (before and after per dimension)");
        }

        for (int d = 0; d < rank; d++)
        {
            int before = paddings[2 * d], after = paddings[(2 * d) + 1];
            if (before < 0 || after < 0)
            {
                throw context.Unsupported(op, $"negative padding ({before}, {after}) in dimension {d} is not supported");
            }

            if ((long)input.Shape[d] + before + after != output.Shape[d])
            {
                throw context.Unsupported(op, $"output dimension {d} is {output.Shape[d]}, but input {input.Shape[d]} + padding {before} + {after} gives {(long)input.Shape[d] + before + after}");
            }
        }

        int value = outputZeroPoint;
        var constant = v2 ? context.OptionalInput(op, 2) : null;
        if (constant is not null)
        {
            var (constantScale, constantZeroPoint) = context.PerTensor(op, constant);
            if (!constant.IsConstant || constant.ElementCount != 1)
            {
                throw context.Unsupported(op, $"constant value {constant} must be a constant int8 scalar");
            }

            if (constantZeroPoint != outputZeroPoint || (double)constantScale != (double)outputScale)
            {
                throw context.Unsupported(op, $"constant value {constant} must share the output's scale and zero point");
            }

            if (constant.Type == TfLiteType.Int16 && context.AcceptInt16)
            {
                // 16x8: TFLM pads with the int16 constant as it is; the device's int16 PAD writes zero bytes only.
                int wide = constant.Data is { Length: 2 } data ? System.Buffers.Binary.BinaryPrimitives.ReadInt16LittleEndian(data) : int.MinValue;
                if (wide != 0)
                {
                    throw context.Unsupported(op, $"constant value {constant} is {(wide == int.MinValue ? "not one int16" : wide.ToString(System.Globalization.CultureInfo.InvariantCulture))}; " +
                        "nanoQuant's int16 PAD pads with 0 only (real 0 with the zero point 0 of 16x8 activations), TFLite Micro would pad with the constant");
                }

                value = 0;
            }
            else
            {
                value = context.Int8Data(op, constant)[0];
            }
        }

        context.Emit(op, OperatorType.Pad, [context.Int8Operand(op, input)], [context.Int8Output(op, 0)], Parameters(value, paddings));
    }

    /// <summary>
    /// The device's PAD parameters (<see cref="PadLayout"/>; read by device/Kernels/PadKernel.cs): the value, then
    /// <paramref name="paddings"/> as TFLite's [rank, 2] paddings tensor holds them, (before, after) per dimension.
    /// </summary>
    internal static int[] Parameters(int value, int[] paddings)
    {
        var parameters = new int[PadLayout.Paddings + paddings.Length];
        parameters[PadLayout.PadValue] = value;
        Array.Copy(paddings, 0, parameters, PadLayout.Paddings, paddings.Length);
        return parameters;
    }
}
