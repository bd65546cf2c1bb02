using NanoQuant.Format;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.DeviceModels;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering;

/// <summary>
/// UNIDIRECTIONAL_SEQUENCE_LSTM (int8 activations and weights, int16 cell state, int32 biases) →
/// <see cref="OperatorType.UnidirectionalSequenceLstm"/> (device/Kernels/UnidirectionalSequenceLstmKernel.cs).
/// Accepts exactly what TFLite Micro's integer LSTM runs — the standard LSTM with all four gates,
/// no peephole, projection or layer normalization, tanh cell gate, time-major or not, optional cell
/// clip — and computes every multiplier as TFLM's PrepareGateParametersInteger does: each gate's
/// two FCs requantize to 2^−12 (Q3.12), the gate products from 2^−15 × 2^−15 (or × the cell scale)
/// to the cell or hidden state scale.
/// </summary>
public sealed class UnidirectionalSequenceLstmLowering : IOperatorLowering
{
    /// <summary>TFLM's gate pre-activation scale, 2^−12 (Q3.12), as a float.</summary>
    private const float GateInputScale = 0.000244140625f;

    /// <summary>TFLM's gate output scale, 2^−15 (Q0.15), as a float.</summary>
    private const float GateOutputScale = 0.000030517578125f;

    private static readonly string[] GateNames = ["input", "forget", "cell", "output"];

    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.UnidirectionalSequenceLstm];

    public void Lower(LoweringContext context, TfLiteOperator op)
    {
        if (op.Inputs.Length != 24 || op.Outputs.Length != 1)
        {
            throw context.Unsupported(op, $"has {op.Inputs.Length} inputs and {op.Outputs.Length} outputs; TFLite Micro's LSTM takes 24 inputs and 1 output");
        }

        var options = context.Options(op);
        var activation = options.GetActivation(0);
        float cellClip = options.GetFloat(1);
        float projectionClip = options.GetFloat(2);
        bool timeMajor = options.GetBool(3);
        if (activation != FusedActivation.Tanh)
        {
            throw context.Unsupported(op, $"cell gate activation {activation} is not supported; TFLite Micro's LSTM uses TANH");
        }

        if (options.GetBool(5))
        {
            throw context.Unsupported(op, "diagonal recurrent weights are not supported by TFLite Micro's LSTM");
        }

        if (!float.IsFinite(cellClip) || cellClip < 0 || !float.IsFinite(projectionClip) || projectionClip < 0)
        {
            throw context.Unsupported(op, $"cell clip {cellClip} and projection clip {projectionClip} must be finite and not negative");
        }

        RequireAbsent(context, op, [9, 10, 11], "peephole connections (cell-to-gate weights)");
        RequireAbsent(context, op, [16, 17], "a projection layer");
        RequireAbsent(context, op, [20, 21, 22, 23], "layer normalization");
        if (context.OptionalInput(op, 1) is null || context.OptionalInput(op, 5) is null || context.OptionalInput(op, 12) is null)
        {
            throw context.Unsupported(op, "the input gate's weights or bias are missing (a CIFG LSTM, coupled input and forget gates), which TFLite Micro's LSTM does not support");
        }

        var input = context.Input(op, 0);
        var output = context.Output(op, 0);
        var hidden = context.OptionalInput(op, 18) ?? throw context.Unsupported(op, "the hidden (output) state tensor, input 18, is missing");
        var cell = context.OptionalInput(op, 19) ?? throw context.Unsupported(op, "the cell state tensor, input 19, is missing");
        if (input.Type != TfLiteType.Int8)
        {
            throw context.Unsupported(op, $"input {input} is {input.Type}; the integer LSTM takes int8 activations (a float LSTM needs `--calibration`)");
        }

        var (inputScale, inputZeroPoint) = context.PerTensor(op, input);
        var (hiddenScale, hiddenZeroPoint) = context.PerTensor(op, hidden);
        var (outputScale, outputZeroPoint) = context.PerTensor(op, output);
        if (input.Shape.Length != 3 || output.Shape.Length != 3)
        {
            throw context.Unsupported(op, $"input {input} and output {output} must have rank 3 ([batch, time, depth] or time-major)");
        }

        int batches = timeMajor ? input.Shape[1] : input.Shape[0];
        int depth = input.Shape[2];
        int units = output.Shape[2];
        if (output.Shape[0] != input.Shape[0] || output.Shape[1] != input.Shape[1])
        {
            throw context.Unsupported(op, $"output {output} must have the input's batch and time dimensions");
        }

        if (outputScale != hiddenScale || outputZeroPoint != hiddenZeroPoint)
        {
            throw context.Unsupported(op, $"output {output} is quantized ({outputScale}, {outputZeroPoint}) unlike the hidden state {hidden} ({hiddenScale}, {hiddenZeroPoint}); the LSTM's output is its hidden state");
        }

        var inputs = new int[UnidirectionalSequenceLstmLayout.InputCount];
        var parameters = new int[UnidirectionalSequenceLstmLayout.ParameterCount];
        parameters[UnidirectionalSequenceLstmLayout.TimeMajor] = timeMajor ? 1 : 0;
        for (int g = 0; g < UnidirectionalSequenceLstmLayout.GateCount; g++)
        {
            var (wIn, wInScale) = Weights(context, op, 1 + g, units, depth, $"{GateNames[g]} gate input weights");
            var (wRec, wRecScale) = Weights(context, op, 5 + g, units, units, $"{GateNames[g]} gate recurrent weights");
            var biasTensor = context.Input(op, 12 + g);
            int[] bias = context.Int32Data(op, biasTensor);
            if (biasTensor.Shape.Length != 1 || bias.Length != units)
            {
                throw context.Unsupported(op, $"{GateNames[g]} gate bias {biasTensor} must be [{units}], is [{string.Join(",", biasTensor.Shape)}]");
            }

            if (biasTensor.Quantization is { } bq && bq.ZeroPoints.Any(z => z != 0))
            {
                throw context.Unsupported(op, $"{GateNames[g]} gate bias {biasTensor} has a non-zero zero point");
            }

            // TFLM's GetQuantizedConvolutionMultipler: the two scales multiplied in float, then widened.
            var (inMultiplier, inShift) = Multiplier(context, op, (double)(inputScale * wInScale) / GateInputScale, $"{GateNames[g]} gate input FC");
            var (recMultiplier, recShift) = Multiplier(context, op, (double)(hiddenScale * wRecScale) / GateInputScale, $"{GateNames[g]} gate recurrent FC");
            int block = UnidirectionalSequenceLstmLayout.GateParameters + (UnidirectionalSequenceLstmLayout.GateParameterCount * g);
            parameters[block + UnidirectionalSequenceLstmLayout.GateInputMultiplier] = inMultiplier;
            parameters[block + UnidirectionalSequenceLstmLayout.GateInputShift] = inShift;
            parameters[block + UnidirectionalSequenceLstmLayout.GateRecurrentMultiplier] = recMultiplier;
            parameters[block + UnidirectionalSequenceLstmLayout.GateRecurrentShift] = recShift;

            inputs[UnidirectionalSequenceLstmLayout.InputWeightsSlot + g] = context.AddInt8Constant(wIn, [units, depth], $"{op.Inputs[1 + g]} (LSTM {GateNames[g]} input weights)");
            inputs[UnidirectionalSequenceLstmLayout.RecurrentWeightsSlot + g] = context.AddInt8Constant(wRec, [units, units], $"{op.Inputs[5 + g]} (LSTM {GateNames[g]} recurrent weights)");
            inputs[UnidirectionalSequenceLstmLayout.InputBiasSlot + g] = context.AddInt32Constant(Folding.FoldInputOffset(bias, wIn, units, depth, -inputZeroPoint), $"{op} {GateNames[g]} folded input bias");
            inputs[UnidirectionalSequenceLstmLayout.RecurrentBiasSlot + g] = context.AddInt32Constant(Folding.FoldInputOffset(new int[units], wRec, units, units, -hiddenZeroPoint), $"{op} {GateNames[g]} folded recurrent bias");
        }

        // The cell state: int16, symmetric, a power-of-two scale (TFLM's integer tanh needs 2^p).
        if (cell.Type != TfLiteType.Int16)
        {
            throw context.Unsupported(op, $"cell state {cell} is {cell.Type}; the integer LSTM keeps its cell state in int16");
        }

        var cellQuantization = cell.Quantization ?? throw context.Unsupported(op, $"cell state {cell} is not quantized");
        context.CheckScales(op, cell, cellQuantization.Scales);
        if (cellQuantization.IsPerChannel || cellQuantization.ZeroPoint != 0)
        {
            throw context.Unsupported(op, $"cell state {cell} must be quantized per tensor with zero point 0");
        }

        float cellScale = cellQuantization.Scale;
        int power = CheckedLog2(cellScale) ?? throw context.Unsupported(op, $"cell state {cell} has scale {cellScale}, not a power of two, which TFLite Micro's integer tanh requires");
        int tanhLeftShift = 15 + power - 3;
        if (tanhLeftShift > 14 || tanhLeftShift < -30)
        {
            throw context.Unsupported(op, $"cell state {cell} has scale 2^{power}, outside the range [2^-42, 2^2] TFLite Micro's integer tanh handles without overflow");
        }

        // TFLM's lstm_internal::Tanh: a negative left shift becomes multiplier 3 and a right shift;
        // otherwise the power-of-two case multiplies by 3 << shift.
        int cellTanhMultiplier = tanhLeftShift < 0 ? 3 : 3 << tanhLeftShift;
        int cellTanhShift = tanhLeftShift < 0 ? -tanhLeftShift : 0;

        var (forgetMultiplier, forgetShift) = Multiplier(context, op, (double)GateOutputScale * cellScale / cellScale, "forget × cell");
        var (updateMultiplier, updateShift) = Multiplier(context, op, (double)GateOutputScale * GateOutputScale / cellScale, "input × cell gate");
        var (hiddenMultiplier, hiddenShift) = Multiplier(context, op, (double)GateOutputScale * GateOutputScale / hiddenScale, "tanh(cell) × output");

        // TFLM clips only for a positive cell_clip, to static_cast<int16_t>(clamp(clip / scale)), truncated.
        int quantizedCellClip = cellClip > 0 ? (int)Math.Min(Math.Max((double)cellClip / cellScale, -32768.0), 32767.0) : -1;

        parameters[UnidirectionalSequenceLstmLayout.ForgetMultiplier] = forgetMultiplier;
        parameters[UnidirectionalSequenceLstmLayout.ForgetShift] = forgetShift;
        parameters[UnidirectionalSequenceLstmLayout.CellUpdateMultiplier] = updateMultiplier;
        parameters[UnidirectionalSequenceLstmLayout.CellUpdateShift] = updateShift;
        parameters[UnidirectionalSequenceLstmLayout.HiddenMultiplier] = hiddenMultiplier;
        parameters[UnidirectionalSequenceLstmLayout.HiddenShift] = hiddenShift;
        parameters[UnidirectionalSequenceLstmLayout.HiddenZeroPoint] = hiddenZeroPoint;
        parameters[UnidirectionalSequenceLstmLayout.CellClip] = quantizedCellClip;
        parameters[UnidirectionalSequenceLstmLayout.CellTanhMultiplier] = cellTanhMultiplier;
        parameters[UnidirectionalSequenceLstmLayout.CellTanhShift] = cellTanhShift;

        int stateLength = batches * units;
        inputs[UnidirectionalSequenceLstmLayout.HiddenStateSlot] = StateTensor(context, op, hidden, TensorType.Int8, hiddenScale, hiddenZeroPoint, stateLength, "hidden state");
        inputs[UnidirectionalSequenceLstmLayout.CellStateSlot] = StateTensor(context, op, cell, TensorType.Int16, cellScale, 0, stateLength, "cell state");
        inputs[UnidirectionalSequenceLstmLayout.InputSlot] = context.Int8Operand(op, input);
        int steps = timeMajor ? input.Shape[0] : input.Shape[1];
        context.Emit(op, OperatorType.UnidirectionalSequenceLstm, inputs, [context.Int8Output(op, 0)], parameters,
            (long)batches * steps * UnidirectionalSequenceLstmLayout.GateCount * units * (depth + units));
    }

    /// <summary>
    /// TFLite's CheckedLog2 in single precision: log2 of <paramref name="x"/> when it is within 10^−3 of
    /// an integer, else null.
    /// </summary>
    public static int? CheckedLog2(float x)
    {
        float log2 = MathF.Log(x) * (1.0f / MathF.Log(2.0f));
        float rounded = MathF.Round(log2, MidpointRounding.AwayFromZero);
        return MathF.Abs(log2 - rounded) < 1e-3f ? (int)rounded : null;
    }

    private static void RequireAbsent(LoweringContext context, TfLiteOperator op, int[] slots, string what)
    {
        if (slots.Any(s => context.OptionalInput(op, s) is not null))
        {
            throw context.Unsupported(op, $"has {what} (inputs {string.Join(", ", slots)}), which TFLite Micro's integer LSTM does not support");
        }
    }

    private static (int Multiplier, int Shift) Multiplier(LoweringContext context, TfLiteOperator op, double real, string what) =>
        context.QuantizeMultiplier(op, real, what);

    private static (sbyte[] Values, float Scale) Weights(LoweringContext context, TfLiteOperator op, int slot, int rows, int columns, string what)
    {
        var tensor = context.Input(op, slot);
        if (tensor.Shape.Length != 2 || tensor.Shape[0] != rows || tensor.Shape[1] != columns)
        {
            throw context.Unsupported(op, $"{what} {tensor} must be [{rows}, {columns}], is [{string.Join(",", tensor.Shape)}]");
        }

        if (tensor.Type != TfLiteType.Int8 || !tensor.IsConstant)
        {
            throw context.Unsupported(op, $"{what} {tensor} must be constant int8 weights, is {tensor.Type}{(tensor.IsConstant ? "" : " computed at run time")}");
        }

        var q = tensor.Quantization ?? throw context.Unsupported(op, $"{what} {tensor} is not quantized");
        context.CheckScales(op, tensor, q.Scales);
        if (q.IsPerChannel)
        {
            throw context.Unsupported(op, $"{what} {tensor} are quantized per channel; TFLite Micro's LSTM requantizes each gate FC with one scale");
        }

        if (q.ZeroPoint != 0)
        {
            throw context.Unsupported(op, $"{what} {tensor} have zero point {q.ZeroPoint}; int8 weights must be symmetric");
        }

        return (context.Int8Data(op, tensor), q.Scale);
    }

    /// <summary>A state tensor: an arena tensor flagged variable, alive for the model's lifetime, reset to its zero point.</summary>
    private static int StateTensor(LoweringContext context, TfLiteOperator op, TfLiteTensor tensor, TensorType type, float scale, int zeroPoint, int length, string what)
    {
        if (!tensor.IsVariable)
        {
            throw context.Unsupported(op, $"{what} {tensor} is not a variable tensor; the LSTM's state must be variable to carry across steps");
        }

        if (tensor.ElementCount != length)
        {
            throw context.Unsupported(op, $"{what} {tensor} holds {tensor.ElementCount} values; batch × units is {length}");
        }

        if (context.TensorMap.TryGetValue(tensor.Index, out int mapped))
        {
            throw context.Unsupported(op, $"{what} {tensor} is used by more than one operator (device tensor {mapped})");
        }

        if (context.Source.Inputs.Contains(tensor.Index) || context.Source.Outputs.Contains(tensor.Index))
        {
            throw context.Unsupported(op, $"{what} {tensor} is a model input or output; state tensors stay inside the model");
        }

        int index = context.Target.AddTensor(new DeviceTensor
        {
            Type = type,
            Storage = TensorStorage.Arena,
            Shape = tensor.Shape.Length == 0 ? [1] : tensor.Shape,
            Scale = scale,
            ZeroPoint = zeroPoint,
            Flags = ModelFormat.FlagVariable,
            Name = tensor.Name,
            SourceTensor = tensor.Index,
        });
        context.Alias(tensor.Index, index);
        return index;
    }
}
