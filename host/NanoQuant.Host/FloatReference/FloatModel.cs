using System.Buffers.Binary;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.FloatReference;

/// <summary>
/// A float TFLite model made ready for the host's float reference interpreter: hybrid weights
/// dequantized (<see cref="FloatModelPreparation"/>), every operator checked and compiled into a
/// <see cref="FloatOperator"/> with its weights repacked, every float constant checked finite.
/// Immutable and shared: each thread runs it through its own <see cref="FloatRun"/>.
/// The arithmetic follows TensorFlow Lite Micro's float reference kernels (same summation order
/// in convolutions and fully-connected layers, same activation clamps), so results agree with
/// the float goldens to float rounding.
/// </summary>
public sealed class FloatModel
{
    private FloatModel(TfLiteModel model, float[]?[] constants, FloatOperator[] operators, int scratchLength)
    {
        Model = model;
        Constants = constants;
        Operators = operators;
        ScratchLength = scratchLength;
        var activations = new List<int>();
        activations.AddRange(model.Inputs);
        foreach (var op in operators)
        {
            activations.AddRange(op.Source.Outputs.Where(o => !activations.Contains(o)));
        }

        ActivationTensors = activations;
    }

    /// <summary>The pure float model that runs (hybrid weights dequantized, DEQUANTIZE of constants folded).</summary>
    public TfLiteModel Model { get; }

    public IReadOnlyList<FloatOperator> Operators { get; }

    /// <summary>
    /// The float operator of kind <paramref name="code"/> whose weights (input 1) are tensor <paramref name="weights"/>: a
    /// quantized layer's float twin (the quantizer keeps tensor indices), or null when there is none.
    /// </summary>
    public FloatOperator? WithWeights(BuiltinOperator code, int weights) =>
        Operators.FirstOrDefault(f => f.Source.Code == code && f.Source.Inputs.Length > 1 && f.Source.Inputs[1] == weights);

    /// <summary>Every float tensor computed at run time, model inputs first, then operator outputs in order.</summary>
    public IReadOnlyList<int> ActivationTensors { get; }

    internal float[]?[] Constants { get; }

    internal int ScratchLength { get; }

    /// <summary>The TFLite operators the float reference (and so the post-training quantizer) handles.</summary>
    public static IReadOnlyCollection<BuiltinOperator> SupportedOperators => FloatOperatorFactory.Supported;

    public static FloatModel Create(TfLiteModel source)
    {
        if (source.SubgraphCount != 1)
        {
            throw new UnsupportedModelException($"the model has {source.SubgraphCount} subgraphs (control flow); only single-subgraph models can be quantized");
        }

        var model = FloatModelPreparation.Prepare(source);
        foreach (int input in model.Inputs)
        {
            var tensor = model.Tensors[input];
            if (tensor.Type != TfLiteType.Float32)
            {
                throw new UnsupportedModelException($"model input {tensor} is {tensor.Type}, not float32: this is not a float model. " +
                    (tensor.Type == TfLiteType.Int8 ? "It is already quantized: convert it without --calibration" : "Only float32 models can be quantized"));
            }
        }

        foreach (int output in model.Outputs)
        {
            if (model.Tensors[output].Type != TfLiteType.Float32)
            {
                throw new UnsupportedModelException($"model output {model.Tensors[output]} is {model.Tensors[output].Type}, not float32: only float32 models can be quantized");
            }
        }

        var constants = new float[]?[model.Tensors.Count];
        foreach (var tensor in model.Tensors)
        {
            if (tensor.IsConstant && tensor.Type == TfLiteType.Float32)
            {
                constants[tensor.Index] = ReadFloats(tensor);
            }
        }

        // Model inputs and variable (state) tensors hold values before the first operator runs.
        var produced = new HashSet<int>(model.Inputs.Concat(model.Tensors.Where(t => t.IsVariable && !t.IsConstant).Select(t => t.Index)));
        var operators = new FloatOperator[model.Operators.Count];
        int scratch = 0;
        foreach (var op in model.Operators)
        {
            var context = new FloatOperatorContext(model, op, constants);
            foreach (int input in op.Inputs.Where(i => i >= 0))
            {
                var tensor = model.Tensors[input];
                if (!tensor.IsConstant && !produced.Contains(input))
                {
                    throw context.Unsupported($"input {tensor} is neither a model input, a constant, a variable, nor computed by an earlier operator");
                }
            }

            operators[op.Index] = FloatOperatorFactory.Create(context);
            scratch = Math.Max(scratch, operators[op.Index].ScratchLength);
            foreach (int output in op.Outputs)
            {
                var tensor = model.Tensors[output];
                if (tensor.IsConstant)
                {
                    throw context.Unsupported($"output {tensor} has constant data");
                }

                produced.Add(output);
            }
        }

        foreach (int output in model.Outputs)
        {
            if (!produced.Contains(output))
            {
                throw new UnsupportedModelException($"model output {model.Tensors[output]} is not computed by any operator");
            }
        }

        return new FloatModel(model, constants, operators, scratch);
    }

    public FloatRun CreateRun() => new(this);

    /// <summary>
    /// The same checked model with other values for its float constants (a trainer's current weights):
    /// the operators are compiled again from <paramref name="constants"/>, which must have the shapes of
    /// <see cref="Constants"/>.
    /// </summary>
    internal FloatModel WithConstants(float[]?[] constants)
    {
        var operators = Model.Operators.Select(op => FloatOperatorFactory.Create(new FloatOperatorContext(Model, op, constants))).ToArray();
        return new FloatModel(Model, constants, operators, ScratchLength);
    }

    /// <summary>The values of a float32 constant, checked finite.</summary>
    private static float[] ReadFloats(TfLiteTensor tensor)
    {
        var data = tensor.Data!;
        if (data.Length != (long)tensor.ElementCount * 4)
        {
            throw new UnsupportedModelException($"{tensor} has {data.Length} bytes of data, its shape needs {(long)tensor.ElementCount * 4}");
        }

        var values = new float[tensor.ElementCount];
        for (int i = 0; i < values.Length; i++)
        {
            float v = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(i * 4));
            if (!float.IsFinite(v))
            {
                throw new UnsupportedModelException($"{tensor} holds {v} at element {i}: weights and constants must be finite");
            }

            values[i] = v;
        }

        return values;
    }
}

/// <summary>One thread's buffers for running a <see cref="FloatModel"/>: a float array per tensor, kept after the run for inspection.</summary>
public sealed class FloatRun
{
    private readonly FloatModel _model;

    internal FloatRun(FloatModel model)
    {
        _model = model;
        var tensors = model.Model.Tensors;
        Values = new float[tensors.Count][];
        for (int t = 0; t < tensors.Count; t++)
        {
            Values[t] = model.Constants[t] ?? (model.ActivationTensors.Contains(t) || tensors[t].IsVariable ? new float[tensors[t].ElementCount] : []);
        }

        Scratch = new float[model.ScratchLength];
    }

    public FloatModel Model => _model;

    internal float[][] Values { get; }

    internal float[] Scratch { get; }

    /// <summary>Model input <paramref name="index"/>, to be filled before <see cref="Invoke"/>.</summary>
    public Span<float> Input(int index) => Values[_model.Model.Inputs[index]];

    /// <summary>Model output <paramref name="index"/> after <see cref="Invoke"/>.</summary>
    public ReadOnlySpan<float> Output(int index) => Values[_model.Model.Outputs[index]];

    /// <summary>The value of any tensor after <see cref="Invoke"/> (constants included).</summary>
    public ReadOnlySpan<float> Tensor(int index) => Values[index];

    public void Invoke()
    {
        foreach (var op in _model.Operators)
        {
            op.Invoke(this);
        }
    }

    private readonly Dictionary<int, float> _cellStateMagnitude = [];

    /// <summary>Sets every variable (state) tensor, e.g. an LSTM's hidden and cell state, back to 0, as a new sequence starts.</summary>
    public void ResetState()
    {
        foreach (var tensor in _model.Model.Tensors)
        {
            if (tensor.IsVariable && _model.Constants[tensor.Index] is null)
            {
                Array.Clear(Values[tensor.Index]);
            }
        }
    }

    /// <summary>The largest |cell state| LSTM operator <paramref name="op"/> has computed in this run's lifetime (0 before it runs).</summary>
    public float CellStateMagnitude(int op) => _cellStateMagnitude.GetValueOrDefault(op);

    internal void RecordCellStateMagnitude(int op, float magnitude) => _cellStateMagnitude[op] = magnitude;
}
