using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// UNIDIRECTIONAL_SEQUENCE_LSTM, int8 activations and weights, int16 cell state, int32 biases
    /// (TFLM's integer LSTM: lstm_eval.h EvalLstm&lt;int8_t, int8_t, int16_t, int32_t&gt;). The standard
    /// LSTM only, as TFLM supports it: no peephole, projection, layer normalization or CIFG.
    /// For each time step and each unit, each gate (input, forget, cell, output) is
    /// sat16(clamp16(requant(input FC)) + clamp16(requant(recurrent FC))) in Q3.12, activated with the
    /// int16 sigmoid (the cell gate with tanh) to Q0.15; then
    /// cell = sat16(clamp16(requant(forget × cell)) + clamp16(requant(input × cell gate))), optionally
    /// clipped, and hidden = clamp8(requant(tanh(cell) × output) + hidden zero point). The hidden
    /// state of each step is that step's output. Hidden and cell state are variable tensors: they keep
    /// their values across Invoke calls until the interpreter resets them.
    /// Inputs: 0 input int8 [batch, time, depth] (or [time, batch, depth] when time-major);
    /// 1–4 input weights int8 constants [units, depth] of the input, forget, cell and output gates;
    /// 5–8 recurrent weights int8 constants [units, units] in the same order;
    /// 9–12 input FC biases int32 [units] with the input zero point folded in (bias − input zp × Σ weights);
    /// 13–16 recurrent FC biases int32 [units]: − hidden zp × Σ recurrent weights (TFLM's recurrent FC has no bias);
    /// 17 hidden state int8, variable, batch × units elements; 18 cell state int16, variable, batch × units.
    /// Output: 0 int8 [batch, time, units] (or time-major), the hidden state after each step.
    /// Parameters: 0 time major (0 or 1); 1–16 for the input, forget, cell and output gates in turn:
    /// input FC multiplier, shift, recurrent FC multiplier, shift; 17, 18 forget × cell multiplier and
    /// shift; 19, 20 input × cell gate multiplier and shift; 21, 22 tanh(cell) × output → hidden
    /// multiplier and shift; 23 hidden zero point; 24 quantized cell clip (−1: none, else 0 … 32767);
    /// 25, 26 the cell state's tanh input multiplier and right shift (bringing the cell state's scale
    /// 2^p to the tanh input domain). The cell gate's activation is tanh, the others' sigmoid.
    /// Steps run with the state updated in place: each step's hidden values are written to the
    /// output first and copied to the hidden state once every unit has used the previous one.
    /// </summary>
    internal sealed class UnidirectionalSequenceLstmKernel : Kernel
    {
        private const int Gates = UnidirectionalSequenceLstmLayout.GateCount;
        private const int InputGate = UnidirectionalSequenceLstmLayout.InputGate;
        private const int ForgetGate = UnidirectionalSequenceLstmLayout.ForgetGate;
        private const int CellGate = UnidirectionalSequenceLstmLayout.CellGate;
        private const int OutputGate = UnidirectionalSequenceLstmLayout.OutputGate;

        private readonly Tensor _input;
        private readonly Tensor _output;
        private readonly Tensor _hidden;
        private readonly Tensor _cell;
        private readonly Tensor[] _inputWeights = new Tensor[Gates];
        private readonly Tensor[] _recurrentWeights = new Tensor[Gates];
        private readonly int[][] _inputBias = new int[Gates][];
        private readonly int[][] _recurrentBias = new int[Gates][];
        private readonly int[] _inputMultiplier = new int[Gates];
        private readonly int[] _inputShift = new int[Gates];
        private readonly int[] _recurrentMultiplier = new int[Gates];
        private readonly int[] _recurrentShift = new int[Gates];
        private readonly bool _timeMajor;
        private readonly int _batches;
        private readonly int _steps;
        private readonly int _depth;
        private readonly int _units;
        private readonly int _forgetMultiplier;
        private readonly int _forgetShift;
        private readonly int _updateMultiplier;
        private readonly int _updateShift;
        private readonly int _hiddenMultiplier;
        private readonly int _hiddenShift;
        private readonly int _hiddenZeroPoint;
        private readonly int _cellClip;
        private readonly int _cellTanhMultiplier;
        private readonly int _cellTanhShift;

        internal UnidirectionalSequenceLstmKernel(OperatorDefinition op, Tensor[] tensors)
        {
            Check.Counts(op, UnidirectionalSequenceLstmLayout.InputCount, 1, UnidirectionalSequenceLstmLayout.ParameterCount);
            _input = Check.Int8Input(op, tensors, UnidirectionalSequenceLstmLayout.InputSlot);
            _output = Check.Int8Output(op, tensors, 0);
            Check.Rank(op, _input, 3, "input");
            Check.Rank(op, _output, 3, "output");
            _timeMajor = Check.Parameter(op, UnidirectionalSequenceLstmLayout.TimeMajor, 0, 1, "time major") == 1;
            _batches = _timeMajor ? _input.shape[1] : _input.shape[0];
            _steps = _timeMajor ? _input.shape[0] : _input.shape[1];
            _depth = _input.shape[2];
            _units = _output.shape[2];
            Check.That(_output.shape[0] == _input.shape[0] && _output.shape[1] == _input.shape[1], op, "output must have the input's batch and time dimensions");

            for (int g = 0; g < Gates; g++)
            {
                _inputWeights[g] = Weights(op, tensors, UnidirectionalSequenceLstmLayout.InputWeightsSlot + g, _units, _depth, "input");
                _recurrentWeights[g] = Weights(op, tensors, UnidirectionalSequenceLstmLayout.RecurrentWeightsSlot + g, _units, _units, "recurrent");
                _inputBias[g] = Check.Int32Constant(op, tensors, UnidirectionalSequenceLstmLayout.InputBiasSlot + g, _units);
                _recurrentBias[g] = Check.Int32Constant(op, tensors, UnidirectionalSequenceLstmLayout.RecurrentBiasSlot + g, _units);
                int block = UnidirectionalSequenceLstmLayout.GateParameters + (UnidirectionalSequenceLstmLayout.GateParameterCount * g);
                _inputMultiplier[g] = Check.Parameter(op, block + UnidirectionalSequenceLstmLayout.GateInputMultiplier, 0, int.MaxValue, "input FC multiplier");
                _inputShift[g] = op.Parameters[block + UnidirectionalSequenceLstmLayout.GateInputShift];
                Check.Shift(op, _inputShift[g], "input FC shift");
                _recurrentMultiplier[g] = Check.Parameter(op, block + UnidirectionalSequenceLstmLayout.GateRecurrentMultiplier, 0, int.MaxValue, "recurrent FC multiplier");
                _recurrentShift[g] = op.Parameters[block + UnidirectionalSequenceLstmLayout.GateRecurrentShift];
                Check.Shift(op, _recurrentShift[g], "recurrent FC shift");
            }

            int stateLength = _batches * _units;
            _hidden = State(op, tensors, UnidirectionalSequenceLstmLayout.HiddenStateSlot, TensorType.Int8, stateLength, "hidden state");
            _cell = State(op, tensors, UnidirectionalSequenceLstmLayout.CellStateSlot, TensorType.Int16, stateLength, "cell state");

            _forgetMultiplier = Check.Parameter(op, UnidirectionalSequenceLstmLayout.ForgetMultiplier, 0, int.MaxValue, "forget multiplier");
            _forgetShift = op.Parameters[UnidirectionalSequenceLstmLayout.ForgetShift];
            Check.Shift(op, _forgetShift, "forget shift");
            _updateMultiplier = Check.Parameter(op, UnidirectionalSequenceLstmLayout.CellUpdateMultiplier, 0, int.MaxValue, "cell update multiplier");
            _updateShift = op.Parameters[UnidirectionalSequenceLstmLayout.CellUpdateShift];
            Check.Shift(op, _updateShift, "cell update shift");
            _hiddenMultiplier = Check.Parameter(op, UnidirectionalSequenceLstmLayout.HiddenMultiplier, 0, int.MaxValue, "hidden multiplier");
            _hiddenShift = op.Parameters[UnidirectionalSequenceLstmLayout.HiddenShift];
            Check.Shift(op, _hiddenShift, "hidden shift");
            _hiddenZeroPoint = op.Parameters[UnidirectionalSequenceLstmLayout.HiddenZeroPoint];
            Check.ZeroPoint(op, _hiddenZeroPoint, "hidden state");
            Check.That(_hidden.zeroPoint == _hiddenZeroPoint, op, "hidden zero point parameter differs from the hidden state tensor's");
            _cellClip = Check.Parameter(op, UnidirectionalSequenceLstmLayout.CellClip, -1, 32767, "cell clip");
            _cellTanhMultiplier = Check.Parameter(op, UnidirectionalSequenceLstmLayout.CellTanhMultiplier, 1, 65535, "cell tanh multiplier");
            _cellTanhShift = Check.Parameter(op, UnidirectionalSequenceLstmLayout.CellTanhShift, 0, 30, "cell tanh shift");

            // TFLM's tanh computes (cell × multiplier + rounding) in int32: it must not overflow.
            long largest = (32768L * _cellTanhMultiplier) + (_cellTanhShift > 0 ? 1L << (_cellTanhShift - 1) : 0);
            Check.That(largest <= int.MaxValue, op, "cell tanh multiplier and shift overflow int32");
        }

        internal override long MacCount
        {
            get { return (long)_batches * _steps * Gates * _units * (_depth + _units); }
        }

        private static Tensor Weights(OperatorDefinition op, Tensor[] tensors, int slot, int units, int depth, string kind)
        {
            Tensor t = Check.Int8Constant(op, tensors, slot);
            Check.Rank(op, t, 2, kind + " weights");
            if (t.shape[0] != units || t.shape[1] != depth)
            {
                Check.Fail(op, kind + " weights (input " + slot.ToString() + ") must be [" + units.ToString() + ", " + depth.ToString() + "], are [" + t.shape[0].ToString() + ", " + t.shape[1].ToString() + "]");
            }

            return t;
        }

        private static Tensor State(OperatorDefinition op, Tensor[] tensors, int slot, TensorType type, int length, string name)
        {
            if (op.Inputs[slot] == ModelFormat.NoTensor)
            {
                Check.Fail(op, name + " (input " + slot.ToString() + ") is missing");
            }

            Tensor t = tensors[op.Inputs[slot]];
            if (!(t.type == type && t.storage == TensorStorage.Arena && t.IsVariable))
            {
                Check.Fail(op, name + " (input " + slot.ToString() + ") must be a variable " + (type == TensorType.Int8 ? "int8" : "int16") + " arena tensor");
            }

            if (t.elementCount != length)
            {
                Check.Fail(op, name + " must hold batch × units = " + length.ToString() + " values, holds " + t.elementCount.ToString());
            }

            return t;
        }

        internal override void Invoke()
        {
            int units = _units;
            int depth = _depth;
            int inputBase = _input.offset;
            int outputBase = _output.offset;
            if (_timeMajor)
            {
                // Every batch row steps together; the hidden state is replaced after each time step.
                for (int t = 0; t < _steps; t++)
                {
                    int stepOutput = outputBase + (t * _batches * units);
                    for (int b = 0; b < _batches; b++)
                    {
                        Step(inputBase + (((t * _batches) + b) * depth), b * units, stepOutput + (b * units));
                    }

                    System.Array.Copy(_output.data, stepOutput, _hidden.data, _hidden.offset, _batches * units);
                }
            }
            else
            {
                // One batch row at a time through all its time steps, each with its own state row.
                for (int b = 0; b < _batches; b++)
                {
                    for (int t = 0; t < _steps; t++)
                    {
                        int step = (b * _steps) + t;
                        int stepOutput = outputBase + (step * units);
                        Step(inputBase + (step * depth), b * units, stepOutput);
                        System.Array.Copy(_output.data, stepOutput, _hidden.data, _hidden.offset + (b * units), units);
                    }
                }
            }
        }

        /// <summary>One time step of one batch row: every unit's gates, cell update and hidden value (written to the output).</summary>
        private void Step(int inputIndex, int stateRow, int outputIndex)
        {
            sbyte[] input = _input.data;
            sbyte[] hidden = _hidden.data;
            sbyte[] cell = _cell.data;
            sbyte[] output = _output.data;
            int hiddenIndex = _hidden.offset + stateRow;
            int cellIndex = _cell.offset + (2 * stateRow);
            int units = _units;
            int depth = _depth;
            int cellClip = _cellClip;
            for (int j = 0; j < units; j++)
            {
                int inputGate = Int16Activations.Sigmoid(Gate(InputGate, j, input, inputIndex, hidden, hiddenIndex, depth, units));
                int forgetGate = Int16Activations.Sigmoid(Gate(ForgetGate, j, input, inputIndex, hidden, hiddenIndex, depth, units));
                int cellGate = Int16Activations.Tanh(Gate(CellGate, j, input, inputIndex, hidden, hiddenIndex, depth, units), 3, 0);
                int outputGate = Int16Activations.Sigmoid(Gate(OutputGate, j, input, inputIndex, hidden, hiddenIndex, depth, units));

                // cell = forget × cell + input × cell gate, each product requantized to the cell scale.
                int c = (cell[cellIndex] & 0xFF) | (cell[cellIndex + 1] << 8);
                int kept = QuantizedMath.MultiplyByQuantizedMultiplier(forgetGate * c, _forgetMultiplier, _forgetShift);
                kept = kept < -32768 ? -32768 : (kept > 32767 ? 32767 : kept);
                int added = QuantizedMath.MultiplyByQuantizedMultiplier(inputGate * cellGate, _updateMultiplier, _updateShift);
                added = added < -32768 ? -32768 : (added > 32767 ? 32767 : added);
                c = kept + added;
                c = c < -32768 ? -32768 : (c > 32767 ? 32767 : c);
                if (cellClip >= 0)
                {
                    c = c < -cellClip ? -cellClip : (c > cellClip ? cellClip : c);
                }

                cell[cellIndex] = (sbyte)c;
                cell[cellIndex + 1] = (sbyte)(c >> 8);
                cellIndex += 2;

                // hidden = tanh(cell) × output gate, requantized to the hidden state's scale and zero point.
                int activated = Int16Activations.Tanh(c, _cellTanhMultiplier, _cellTanhShift);
                int h = QuantizedMath.MultiplyByQuantizedMultiplier(activated * outputGate, _hiddenMultiplier, _hiddenShift) + _hiddenZeroPoint;
                output[outputIndex + j] = (sbyte)(h < -128 ? -128 : (h > 127 ? 127 : h));
            }
        }

        /// <summary>Gate <paramref name="g"/>'s pre-activation for unit <paramref name="unit"/> in Q3.12: the two FCs, each clamped to int16, added with int16 saturation.</summary>
        private int Gate(int g, int unit, sbyte[] input, int inputIndex, sbyte[] hidden, int hiddenIndex, int depth, int units)
        {
            Tensor w = _inputWeights[g];
            int fromInput = QuantizedMath.MultiplyByQuantizedMultiplier(
                _inputBias[g][unit] + Dot(input, inputIndex, w.data, w.offset + (unit * depth), depth), _inputMultiplier[g], _inputShift[g]);
            fromInput = fromInput < -32768 ? -32768 : (fromInput > 32767 ? 32767 : fromInput);
            Tensor r = _recurrentWeights[g];
            int fromHidden = QuantizedMath.MultiplyByQuantizedMultiplier(
                _recurrentBias[g][unit] + Dot(hidden, hiddenIndex, r.data, r.offset + (unit * units), units), _recurrentMultiplier[g], _recurrentShift[g]);
            fromHidden = fromHidden < -32768 ? -32768 : (fromHidden > 32767 ? 32767 : fromHidden);
            int sum = fromInput + fromHidden;
            return sum < -32768 ? -32768 : (sum > 32767 ? 32767 : sum);
        }

        private static int Dot(sbyte[] x, int xIndex, sbyte[] w, int wIndex, int length)
        {
            int acc = 0;
            int end4 = xIndex + (length & ~3);
            int end = xIndex + length;
            while (xIndex < end4)
            {
                acc += (x[xIndex] * w[wIndex]) + (x[xIndex + 1] * w[wIndex + 1])
                    + (x[xIndex + 2] * w[wIndex + 2]) + (x[xIndex + 3] * w[wIndex + 3]);
                xIndex += 4;
                wIndex += 4;
            }

            while (xIndex < end)
            {
                acc += x[xIndex++] * w[wIndex++];
            }

            return acc;
        }
    }
}
