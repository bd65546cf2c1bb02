using NanoQuant.Host.Conversion;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.FloatReference;

/// <summary>
/// UNIDIRECTIONAL_SEQUENCE_LSTM in float as TFLite Micro's float LSTM computes it (lstm_eval.h with
/// float types): per step and gate, FC(input) + bias, plus FC(hidden) without bias, then sigmoid
/// (tanh for the cell gate); cell = forget × cell + input × cell gate (clipped when cell_clip &gt; 0);
/// hidden = tanh(cell) × output gate, which is the step's output. The hidden and cell state are
/// variable tensors of the run: they carry over from one <see cref="FloatRun.Invoke"/> to the next
/// until <see cref="FloatRun.ResetState"/>. The largest |cell| seen is kept for calibration
/// (<see cref="FloatRun.CellStateMagnitude"/>): the int16 cell state's scale comes from it.
/// </summary>
internal sealed class LstmOperator : FloatOperator
{
    private readonly int _input, _output, _hidden, _cell;
    private readonly float[][] _inputWeights = new float[4][];
    private readonly float[][] _recurrentWeights = new float[4][];
    private readonly float[][] _bias = new float[4][];
    private readonly bool _timeMajor;
    private readonly int _batches, _steps, _depth, _units;
    private readonly float _cellClip;

    public LstmOperator(FloatOperatorContext context)
        : base(context.Op)
    {
        context.RequireCounts(24, 24, 1);
        var options = context.Options;
        if (options.GetActivation(0) != FusedActivation.Tanh)
        {
            throw context.Unsupported($"cell gate activation {options.GetActivation(0)} is not supported; TFLite Micro's LSTM uses TANH");
        }

        foreach (int slot in (int[])[9, 10, 11, 16, 17, 20, 21, 22, 23])
        {
            if (context.Optional(slot) is not null)
            {
                throw context.Unsupported($"input {slot} is present: peephole, projection and layer-norm LSTMs are not supported (as in TFLite Micro)");
            }
        }

        var input = context.Float(0);
        var output = context.FloatOutput();
        var hidden = context.Float(18);
        var cell = context.Float(19);
        context.RequireRank(input, 3);
        context.RequireRank(output, 3);
        _timeMajor = options.GetBool(3);
        _cellClip = options.GetFloat(1);
        _batches = _timeMajor ? input.Shape[1] : input.Shape[0];
        _steps = _timeMajor ? input.Shape[0] : input.Shape[1];
        _depth = input.Shape[2];
        _units = output.Shape[2];
        if (!hidden.IsVariable || !cell.IsVariable || hidden.ElementCount != _batches * _units || cell.ElementCount != _batches * _units)
        {
            throw context.Unsupported($"hidden state {hidden} and cell state {cell} must be variable tensors of batch × units = {_batches * _units} values");
        }

        for (int g = 0; g < 4; g++)
        {
            _inputWeights[g] = Matrix(context, 1 + g, _units, _depth);
            _recurrentWeights[g] = Matrix(context, 5 + g, _units, _units);
            _bias[g] = context.FloatConstant(12 + g, "bias");
            if (_bias[g].Length != _units)
            {
                throw context.Unsupported($"gate bias (input {12 + g}) has {_bias[g].Length} values for {_units} units");
            }
        }

        _input = input.Index;
        _output = output.Index;
        _hidden = hidden.Index;
        _cell = cell.Index;
    }

    /// <summary>The hidden state tensor (input 18) and the cell state tensor (input 19).</summary>
    public (int Hidden, int Cell) StateTensors => (_hidden, _cell);

    private static float[] Matrix(FloatOperatorContext context, int slot, int rows, int columns)
    {
        var tensor = context.Float(slot);
        if (tensor.Shape.Length != 2 || tensor.Shape[0] != rows || tensor.Shape[1] != columns)
        {
            throw context.Unsupported($"weights {tensor} must be [{rows}, {columns}]");
        }

        return context.FloatConstant(slot, "weights");
    }

    internal override void Invoke(FloatRun run)
    {
        float[] input = run.Values[_input], output = run.Values[_output], hidden = run.Values[_hidden], cell = run.Values[_cell];
        int units = _units, depth = _depth;
        Span<float> gates = stackalloc float[4 * units];
        Span<float> newHidden = stackalloc float[units];
        float magnitude = run.CellStateMagnitude(Source.Index);
        for (int outer = 0; outer < (_timeMajor ? 1 : _batches); outer++)
        {
            for (int t = 0; t < _steps; t++)
            {
                for (int row = 0; row < (_timeMajor ? _batches : 1); row++)
                {
                    int b = _timeMajor ? row : outer;
                    int step = _timeMajor ? (t * _batches) + b : (b * _steps) + t;
                    int x = step * depth, h = b * units, o = step * units;
                    for (int g = 0; g < 4; g++)
                    {
                        float[] wIn = _inputWeights[g], wRec = _recurrentWeights[g], bias = _bias[g];
                        for (int j = 0; j < units; j++)
                        {
                            float fromInput = 0;
                            for (int k = 0; k < depth; k++)
                            {
                                fromInput += input[x + k] * wIn[(j * depth) + k];
                            }

                            fromInput += bias[j];
                            float fromHidden = 0;
                            for (int k = 0; k < units; k++)
                            {
                                fromHidden += hidden[h + k] * wRec[(j * units) + k];
                            }

                            float sum = fromInput + fromHidden;
                            gates[(g * units) + j] = g == 2 ? MathF.Tanh(sum) : Sigmoid(sum);
                        }
                    }

                    for (int j = 0; j < units; j++)
                    {
                        float c = (gates[units + j] * cell[h + j]) + (gates[j] * gates[(2 * units) + j]);
                        if (_cellClip > 0)
                        {
                            c = Math.Clamp(c, -_cellClip, _cellClip);
                        }

                        cell[h + j] = c;
                        magnitude = Math.Max(magnitude, Math.Abs(c));
                        newHidden[j] = MathF.Tanh(c) * gates[(3 * units) + j];
                    }

                    // The time-major rows of one step all read the previous hidden state; it is replaced after the last row.
                    newHidden.CopyTo(output.AsSpan(o, units));
                    if (!_timeMajor)
                    {
                        newHidden.CopyTo(hidden.AsSpan(h, units));
                    }
                }

                if (_timeMajor)
                {
                    output.AsSpan(t * _batches * units, _batches * units).CopyTo(hidden);
                }
            }
        }

        run.RecordCellStateMagnitude(Source.Index, magnitude);
    }

    // TFLite's float reference logistic, with its cut-offs.
    private static float Sigmoid(float v) => v > 16.619047164916992188f ? 1f : v < -9f ? MathF.Exp(v) : 1f / (1f + MathF.Exp(-v));
}
