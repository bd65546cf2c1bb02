using System.Buffers.Binary;
using System.Diagnostics;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.FloatReference;
using NanoQuant.Host.Quantization;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Training;

/// <summary>How <see cref="Trainer"/> trains.</summary>
public sealed record TrainingOptions
{
    public int Epochs { get; init; } = 3;

    /// <summary>Adam's step size.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>
    /// With <see cref="Clusters"/>: Adam's step size for the centroids the tied weights share (null: <see cref="LearningRate"/>).
    /// A centroid moves its whole cluster at once and, on the quantizer's grid, changes the device model only when it
    /// crosses half an int8 step, so it can take a larger step than the free weights and biases.
    /// </summary>
    public double? CentroidLearningRate { get; init; }

    public int BatchSize { get; init; } = 32;

    /// <summary>Seeds the order of the samples in each epoch (training is deterministic for a seed).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Fake-quantize weights and activations as the int8 device model computes them (off: plain float training).</summary>
    public bool QuantizationAware { get; init; } = true;

    /// <summary>FULLY_CONNECTED weights per output channel (as the quantizer's option of the same name), else per tensor.</summary>
    public bool PerChannelFullyConnected { get; init; }

    /// <summary>Weight of the previous value in each activation range's exponential moving average, per step.</summary>
    public double RangeDecay { get; init; } = 0.99;

    /// <summary>
    /// Cluster-preserving fine-tuning: the weights of each tensor the palette stores are tied to at most this many
    /// int8 centroids per table, as <c>convert --cluster</c> clusters them (<see cref="WeightClustering.Plan"/>);
    /// the centroids train (<see cref="TiedWeights"/>). Null: every weight trains on its own.
    /// </summary>
    public int? Clusters { get; init; }

    /// <summary>
    /// With <see cref="Clusters"/>: one set of centroids per weight tensor, shared by all its channels (as
    /// <c>convert --cluster-per-tensor</c>), instead of one per output channel on channels long enough for a table each.
    /// </summary>
    public bool ClusterPerTensor { get; init; }

    /// <summary>Magnitude pruning to this fraction of zero weights, on a <see cref="PruningSchedule"/> (null: none).</summary>
    public double? Sparsity { get; init; }

    /// <summary>
    /// Knowledge distillation from the float model the trainer started from (Hinton et al.): the loss adds the
    /// cross-entropy between the teacher's and the trained model's softmax at this temperature, × T² (so its
    /// gradient keeps its size as T changes), weighted by <see cref="DistillWeight"/>. Null: labels only.
    /// </summary>
    public double? DistillTemperature { get; init; }

    /// <summary>With <see cref="DistillTemperature"/>: the weight α of the distillation term; the labels' cross-entropy weighs 1 − α.</summary>
    public double DistillWeight { get; init; } = DefaultDistillWeight;

    /// <summary>
    /// With <see cref="DistillTemperature"/>: the model the soft targets come from. <see cref="DistillationTeacher.Int8"/>
    /// needs them given before training (<see cref="Trainer.TeachFrom"/>), one row per training sample, so it takes no
    /// <see cref="Augmentation"/> (an augmented view would meet the targets of the image it was made from).
    /// </summary>
    public DistillationTeacher DistillTeacher { get; init; }

    /// <summary>
    /// With <see cref="Clusters"/> and no pruning: train on the post-training clustered model's own int8 grid — its weight
    /// scales, activation scales and zero points held fixed, each tied weight its scale × its centroid rounded to an int8
    /// value — and write the trained centroids and biases back into that model, so the forward pass in training is the
    /// device model's and, before any step, the result is exactly <c>convert --cluster</c>'s model. Off: the fine-tuned
    /// float model is quantized and clustered anew (scales and ranges recalibrated).
    /// </summary>
    public bool KeepQuantizerGrid { get; init; } = true;

    /// <summary>Layers whose weights (and biases, for the first and last layer) do not train.</summary>
    public FrozenLayers Frozen { get; init; }

    /// <summary>How the learning rates change over the steps of a <see cref="Trainer.Fit"/> (both rates alike).</summary>
    public LearningRateSchedule Schedule { get; init; }

    /// <summary>Label-preserving changes to each training image, drawn anew for every sample of every epoch (<see cref="ImageAugmentation"/>).</summary>
    public Augmentation Augmentation { get; init; }

    public const int MaxEpochs = 1000;
    public const int MaxBatchSize = 65536;
    public const double MaxDistillTemperature = 100;
    public const double DefaultDistillWeight = 0.5;

    /// <summary>Checks every value (one message naming the option).</summary>
    public void Validate()
    {
        if (Epochs is < 1 or > MaxEpochs)
        {
            throw new ArgumentException($"the epoch count must lie in [1, {MaxEpochs}], not {Epochs}");
        }

        if (!(LearningRate > 0 && LearningRate <= 1) || !double.IsFinite(LearningRate))
        {
            throw new ArgumentException($"the learning rate must lie in (0, 1], not {LearningRate}");
        }

        if (CentroidLearningRate is { } centroidRate && (!(centroidRate > 0 && centroidRate <= 1) || Clusters is null))
        {
            throw new ArgumentException(Clusters is null ? "a centroid learning rate needs a cluster count" : $"the centroid learning rate must lie in (0, 1], not {centroidRate}");
        }

        if (BatchSize is < 1 or > MaxBatchSize)
        {
            throw new ArgumentException($"the batch size must lie in [1, {MaxBatchSize}], not {BatchSize}");
        }

        if (Clusters is { } clusters && (clusters < (Sparsity is null ? 2 : 3) || clusters > WeightClustering.MaxClusters))
        {
            throw new ArgumentException($"the cluster count must lie in [{(Sparsity is null ? 2 : 3)}, {WeightClustering.MaxClusters}]{(Sparsity is null ? "" : " with pruning (one cluster is the zeros)")}, not {clusters}");
        }

        if (Frozen.HasFlag(FrozenLayers.Unclustered) && Clusters is null)
        {
            throw new ArgumentException("freezing the unclustered weights needs a cluster count");
        }

        if (ClusterPerTensor && Clusters is null)
        {
            throw new ArgumentException("one set of centroids per tensor needs a cluster count");
        }

        if (Sparsity is { } sparsity && !(sparsity > 0 && sparsity < 1))
        {
            throw new ArgumentException($"the sparsity must lie in (0, 1), not {sparsity}");
        }

        if (DistillTemperature is { } temperature && !(temperature > 0 && temperature <= MaxDistillTemperature))
        {
            throw new ArgumentException($"the distillation temperature must lie in (0, {MaxDistillTemperature}], not {temperature}");
        }

        if (!(DistillWeight >= 0 && DistillWeight <= 1))
        {
            throw new ArgumentException($"the distillation weight must lie in [0, 1], not {DistillWeight}");
        }

        if (DistillTeacher != DistillationTeacher.Float && (DistillTemperature is null || Augmentation != Augmentation.None))
        {
            throw new ArgumentException(DistillTemperature is null
                ? "a distillation teacher needs a distillation temperature"
                : "the int8 teacher's soft targets are computed once per training image, so they cannot follow augmented images");
        }

        if (!(RangeDecay >= 0 && RangeDecay < 1))
        {
            throw new ArgumentException($"the range decay must lie in [0, 1), not {RangeDecay}");
        }
    }
}

/// <summary>Labeled samples: a <see cref="SampleSet"/> and one class id per sample.</summary>
public sealed record LabeledSamples(SampleSet Samples, int[] Labels)
{
    public int Count => Samples.SampleCount;

    /// <summary>Samples <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> − 1 with their labels.</summary>
    public LabeledSamples Slice(int start, int count) => new(Samples.Slice(start, count), Labels.AsSpan(start, count).ToArray());
}

/// <summary>
/// One epoch: mean training loss and accuracy (fake-quantized forward passes while training), validation loss and
/// accuracy when there is validation data, and the wall-clock time of the training steps and of the validation.
/// </summary>
public sealed record EpochResult(int Epoch, double Loss, double TrainAccuracy, double? ValidationLoss, double? ValidationAccuracy, TimeSpan Time, TimeSpan ValidationTime)
{
    /// <summary>With a selection slice (early stopping): the fake-quantized model's mean loss on it after this epoch.</summary>
    public double? SelectionLoss { get; init; }

    /// <summary>With a selection slice (early stopping): the fake-quantized model's top-1 on it after this epoch.</summary>
    public double? SelectionAccuracy { get; init; }
}

/// <summary>A trainable weight tensor: the float master values, Adam's moments, and how it is fake-quantized (null: not, as biases).</summary>
internal sealed class Parameter(TfLiteTensor tensor, float[] values, int? quantizationDimension)
{
    public TfLiteTensor Tensor { get; } = tensor;
    public float[] Values { get; } = values;
    public int? QuantizationDimension { get; } = quantizationDimension;
    public float[] First { get; } = new float[values.Length];
    public float[] Second { get; } = new float[values.Length];

    /// <summary>The palette table layout <see cref="WeightClustering.Plan"/> gives this tensor (null: not stored as a palette).</summary>
    public (int Axis, bool Shared)? Table { get; set; }

    /// <summary>Held as it is: no step changes it (<see cref="TrainingOptions.Frozen"/>).</summary>
    public bool Frozen { get; set; }

    /// <summary>Pruned weights (true: held at 0), or null.</summary>
    public bool[]? Mask { get; set; }

    /// <summary>The centroids the values are tied to (cluster-preserving), or null.</summary>
    public TiedWeights? Ties { get; set; }
}

/// <summary>
/// Trains a float TFLite model's weights (CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED weights
/// and biases) on labeled data with softmax cross-entropy and Adam, optionally quantization-aware.
/// The forward pass is the host's float reference itself (<see cref="FloatModel"/>, recompiled
/// from the current weights each step); <see cref="Gradients"/> adds the backward pass.
/// Quantization-aware: each step's forward pass uses the weights as the int8 quantizer will store
/// them (<see cref="QuantizationParameters.Weights"/>: symmetric, per output channel for
/// convolutions) and rounds every activation the device quantizes to its int8 grid
/// (<see cref="QuantizationParameters.Activation"/> of a range tracked as an exponential moving
/// average of each step's min and max, as TF MOT's moving-average quantizer; SOFTMAX, LOGISTIC
/// and TANH at TFLite's fixed ranges; operators that keep their input's quantization at the
/// input's); gradients pass straight through the rounding (straight-through estimator), and are 0
/// where a value was clamped to the range. Deterministic: the sample order comes from the seed, and
/// each step's samples are split between two workers in a fixed way and their sums added in order.
/// </summary>
public sealed class Trainer
{
    private const int Workers = 2;
    private readonly FloatModel _base;
    private readonly float[]?[] _constants;
    private readonly Parameter[] _parameters;
    private readonly OutputRule[] _rules;
    private readonly double[] _rangeMin, _rangeMax;
    private readonly bool[] _rangeSeen;
    private readonly (float Scale, int ZeroPoint)?[] _quantization;
    private readonly int _lossOperator;
    private FloatModel _current;
    private long _steps;

    // The steps of the current Fit (the learning-rate schedule's span): the first is _fitStart + 1.
    private long _fitStart, _fitSteps;

    // KeepQuantizerGrid: the clustered model training started from, each parameter's values then, and its activations' quantization.
    private QuantizedModel? _grid;
    private float[][]? _gridStart;
    private (float Scale, int ZeroPoint)?[]? _gridActivations;

    // DistillationTeacher.Int8: the soft targets' logits (rows of _taughtLength per sample) and the samples they are for.
    private float[]? _taughtLogits;
    private SampleSet? _taughtSamples;
    private int _taughtLength;

    private enum OutputRule
    {
        /// <summary>Not quantized on its own (not an activation, or the float softmax the loss reads).</summary>
        None,
        Range,
        SameAsInput,
        Fixed,
    }

    private Trainer(FloatModel model, TrainingOptions options)
    {
        _base = model;
        Options = options;
        var tensors = model.Model.Tensors;
        _constants = (float[]?[])model.Constants.Clone();
        var parameters = new Dictionary<int, Parameter>();
        foreach (var op in model.Operators)
        {
            var inputs = op.Source.Inputs;
            int? dimension = op switch
            {
                Conv2DOperator => 0,
                DepthwiseConv2DOperator => 3,
                FullyConnectedOperator => options.PerChannelFullyConnected ? 0 : -1,
                _ => null,
            };
            if (dimension is null)
            {
                continue;
            }

            for (int slot = 1; slot < Math.Min(inputs.Length, 3); slot++)
            {
                int t = inputs[slot];
                if (t >= 0 && model.Constants[t] is { } values && !parameters.ContainsKey(t))
                {
                    parameters[t] = new Parameter(tensors[t], (float[])values.Clone(), slot == 1 ? dimension : null);
                }
            }
        }

        _parameters = parameters.Values.OrderBy(p => p.Tensor.Index).ToArray();
        if (_parameters.Length == 0)
        {
            throw new UnsupportedModelException("the model has no float weights to train (no CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED with float32 constant weights)");
        }

        if (options.Clusters is not null || options.Sparsity is not null)
        {
            // Clustering ties, and pruning zeros, the tensors the palette stores: the others (a small first layer,
            // tensors too small for a table to pay) stay int8 as they are, where neither would save a byte.
            int clusters = options.Clusters ?? DefaultPruningClusters;
            foreach (var (_, weights, axis, shared) in WeightClustering.Plan(model.Model, clusters, perTensor: options.ClusterPerTensor,
                t => parameters.TryGetValue(t.Index, out var p) && p.QuantizationDimension is not null))
            {
                parameters[weights].Table = (axis, shared);
            }

            if (!_parameters.Any(p => p.Table is not null))
            {
                throw new UnsupportedModelException($"no weight tensor of the model is large enough for a {clusters}-entry palette to pay, so {(options.Clusters is null ? "pruning" : "clustering")} would save no byte");
            }

            if (options.Clusters is not null && options.Sparsity is null)
            {
                Tie();
            }
        }

        Freeze(model, parameters);
        int output = model.Model.Outputs[0];
        _lossOperator = model.Operators.LastOrDefault(o => o.Source.Outputs.Contains(output)) is SoftmaxOperator softmax ? softmax.Source.Index : -1;
        _rules = new OutputRule[tensors.Count];
        foreach (int input in model.Model.Inputs)
        {
            _rules[input] = OutputRule.Range;
        }

        foreach (var op in model.Operators)
        {
            var rule = op.Source.Index == _lossOperator ? OutputRule.None : op.Source.Code switch
            {
                BuiltinOperator.Softmax or BuiltinOperator.Logistic or BuiltinOperator.Tanh => OutputRule.Fixed,
                BuiltinOperator.Relu6 or BuiltinOperator.AveragePool2d or BuiltinOperator.MaxPool2d or BuiltinOperator.Reshape
                    or BuiltinOperator.Squeeze or BuiltinOperator.Pad or BuiltinOperator.Padv2 => OutputRule.SameAsInput,
                _ => OutputRule.Range,
            };
            foreach (int t in op.Source.Outputs)
            {
                _rules[t] = rule;
            }
        }

        _rangeMin = new double[tensors.Count];
        _rangeMax = new double[tensors.Count];
        _rangeSeen = new bool[tensors.Count];
        _quantization = new (float, int)?[tensors.Count];
        _current = Refresh();
    }

    public TrainingOptions Options { get; }

    /// <summary>The palette size pruning plans for without <see cref="TrainingOptions.Clusters"/> (4-bit indices).</summary>
    public const int DefaultPruningClusters = 16;

    /// <summary>
    /// The epoch whose weights the last <see cref="Fit"/> with a selection slice kept (the best on the slice), or null
    /// without one (the last epoch's weights).
    /// </summary>
    public int? SelectedEpoch { get; private set; }

    /// <summary>The pruning schedule of the last <see cref="Fit"/> (null: no pruning).</summary>
    public PruningSchedule? Pruning { get; private set; }

    /// <summary>The checked float model (hybrid weights dequantized) the trainer started from.</summary>
    public FloatModel Source => _base;

    /// <summary>Classes of the model's output 0 (the length of its last dimension).</summary>
    public int Classes => _base.Model.Tensors[_base.Model.Outputs[0]].Shape is { Length: > 0 } shape ? shape[^1] : 1;

    internal IReadOnlyList<Parameter> Parameters => _parameters;

    internal FloatModel Current => _current;

    /// <summary>Builds a trainer for a float model; one error names the first operator the trainer cannot differentiate, or a model with nothing to train.</summary>
    public static Trainer Create(TfLiteModel model, TrainingOptions options)
    {
        options.Validate();
        var floatModel = FloatModel.Create(model);
        foreach (var op in floatModel.Operators)
        {
            if (!Gradients.Supported.Contains(op.Source.Code))
            {
                throw new UnsupportedModelException(
                    $"{op.Source}: the trainer has no gradient for {op.Source.Name}, so the model cannot be fine-tuned. It trains {string.Join(", ", Gradients.Supported.Select(BuiltinOperators.Name).Order())}");
            }
        }

        if (floatModel.Model.Outputs.Length == 0 || floatModel.Model.Inputs.Length == 0)
        {
            throw new UnsupportedModelException("the model has no input or no output");
        }

        if (options.Augmentation != Augmentation.None && (floatModel.Model.Inputs.Length != 1 || ImageShape(floatModel.Model) is null))
        {
            throw new UnsupportedModelException(
                $"image augmentation needs one image input of shape [1, height, width, channels]; the model has {floatModel.Model.Inputs.Length} input(s), the first [{string.Join(", ", floatModel.Model.Tensors[floatModel.Model.Inputs[0]].Shape)}]");
        }

        return new Trainer(floatModel, options);
    }

    /// <summary>Height, width and channels of input 0 when it is one NHWC image ([1, H, W, C]), else null.</summary>
    private static (int Height, int Width, int Channels)? ImageShape(TfLiteModel model) =>
        model.Tensors[model.Inputs[0]].Shape is [1, > 0 and var height, > 0 and var width, > 0 and var channels] ? (height, width, channels) : null;

    /// <summary>
    /// Trains for <see cref="TrainingOptions.Epochs"/> epochs, reporting each epoch (with validation accuracy when
    /// <paramref name="validation"/> is given). With a <paramref name="selection"/> slice (early stopping: samples
    /// carved out of the training data, never trained on) the fake-quantized model is measured on it after every epoch
    /// and the weights of the epoch with the best top-1 on it (the lower loss between equal top-1, the earlier between
    /// equal both) are the ones kept (<see cref="SelectedEpoch"/>); with pruning, only epochs that end at the target sparsity.
    /// </summary>
    public IReadOnlyList<EpochResult> Fit(LabeledSamples training, LabeledSamples? validation, Action<EpochResult>? epochDone = null, IProgress<int>? progress = null,
        LabeledSamples? selection = null)
    {
        CheckData(training, "training");
        if (validation is not null)
        {
            CheckData(validation, "validation");
        }

        if (selection is not null)
        {
            CheckData(selection, "selection");
        }

        _fitStart = _steps;
        _fitSteps = (long)Options.Epochs * ((training.Count + Options.BatchSize - 1) / Options.BatchSize);
        SelectedEpoch = null;
        TrainedState? best = null;
        (double Accuracy, double Loss) bestFigure = (double.NegativeInfinity, double.PositiveInfinity);

        var random = new Random(Options.Seed);
        var order = Enumerable.Range(0, training.Count).ToArray();
        if (Options.Sparsity is { } sparsity)
        {
            Pruning = PruningSchedule.For(sparsity, _steps + _fitSteps);
        }

        var results = new List<EpochResult>();
        for (int epoch = 1; epoch <= Options.Epochs; epoch++)
        {
            var stopwatch = Stopwatch.StartNew();
            random.Shuffle(order);
            double loss = 0;
            int correct = 0;
            for (int start = 0; start < order.Length; start += Options.BatchSize)
            {
                var batch = order.AsSpan(start, Math.Min(Options.BatchSize, order.Length - start)).ToArray();
                AugmentedView[]? views = null;
                if (Options.Augmentation != Augmentation.None)
                {
                    views = new AugmentedView[batch.Length];
                    for (int i = 0; i < views.Length; i++)
                    {
                        views[i] = ImageAugmentation.Draw(random, Options.Augmentation);
                    }
                }

                var (batchLoss, batchCorrect) = Step(training, batch, views);
                loss += batchLoss;
                correct += batchCorrect;
                progress?.Report(start + batch.Length);
            }

            var trainingTime = stopwatch.Elapsed;
            stopwatch.Restart();
            double? validationLoss = null, validationAccuracy = null;
            if (validation is not null)
            {
                var (l, a) = Evaluate(validation);
                (validationLoss, validationAccuracy) = (l, a);
            }

            var result = new EpochResult(epoch, loss / training.Count, (double)correct / training.Count, validationLoss, validationAccuracy, trainingTime, stopwatch.Elapsed);
            if (selection is not null)
            {
                var (selectionLoss, selectionAccuracy) = Evaluate(selection);
                result = result with { SelectionLoss = selectionLoss, SelectionAccuracy = selectionAccuracy };

                // While pruning still rises to its target (and ties its clusters at the end) an epoch is no candidate.
                bool pruned = Pruning is not { } schedule || _steps >= schedule.EndStep;
                if (pruned && (selectionAccuracy > bestFigure.Accuracy || (selectionAccuracy == bestFigure.Accuracy && selectionLoss < bestFigure.Loss)))
                {
                    bestFigure = (selectionAccuracy, selectionLoss);
                    SelectedEpoch = epoch;
                    best = CaptureState();
                }
            }

            results.Add(result);
            epochDone?.Invoke(result);
        }

        if (best is not null && SelectedEpoch != Options.Epochs)
        {
            RestoreState(best);
        }

        _fitSteps = 0;
        return results;
    }

    /// <summary>What the model after an epoch is made of: each parameter's values and centroids, the activation ranges.</summary>
    private sealed record TrainedState(float[][] Values, float[][] Centroids, double[] RangeMin, double[] RangeMax, bool[] RangeSeen);

    private TrainedState CaptureState() => new(
        _parameters.Select(p => (float[])p.Values.Clone()).ToArray(),
        _parameters.Select(p => (float[]?)p.Ties?.Values.Clone() ?? []).ToArray(),
        (double[])_rangeMin.Clone(), (double[])_rangeMax.Clone(), (bool[])_rangeSeen.Clone());

    /// <summary>Back to <paramref name="state"/>'s weights, centroids and activation ranges: the model measured then, exactly.</summary>
    private void RestoreState(TrainedState state)
    {
        state.RangeMin.CopyTo(_rangeMin, 0);
        state.RangeMax.CopyTo(_rangeMax, 0);
        state.RangeSeen.CopyTo(_rangeSeen, 0);
        for (int n = 0; n < _parameters.Length; n++)
        {
            state.Values[n].CopyTo(_parameters[n].Values, 0);
            if (_parameters[n].Ties is { } ties)
            {
                state.Centroids[n].CopyTo(ties.Values, 0);
            }
        }

        _current = Refresh();
    }

    /// <summary>
    /// Fixes the soft targets of <see cref="DistillationTeacher.Int8"/> for the training samples <paramref name="samples"/>
    /// (the very set <see cref="Fit"/> is then given): <paramref name="deviceModel"/>'s logits per sample
    /// (<see cref="Int8Teacher"/>), × the final softmax's beta when the trained model ends with one, as the float teacher's are.
    /// </summary>
    public void TeachFrom(byte[] deviceModel, SampleSet samples)
    {
        var logits = Int8Teacher.Logits(deviceModel, samples, out int length);
        if (length != _base.Model.Tensors[_base.Model.Outputs[0]].ElementCount)
        {
            throw new ArgumentException($"the teacher's logits hold {length} values per sample, the model's output {_base.Model.Tensors[_base.Model.Outputs[0]].ElementCount}");
        }

        if (_lossOperator >= 0)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(logits, ((SoftmaxOperator)_base.Operators[_lossOperator]).Beta, logits);
        }

        (_taughtLogits, _taughtSamples, _taughtLength) = (logits, samples, length);
    }

    /// <summary>The int8 teacher's logits for training sample <paramref name="sample"/> (after <see cref="TeachFrom"/>).</summary>
    internal float[] Taught(int sample) => _taughtLogits!.AsSpan(sample * _taughtLength, _taughtLength).ToArray();

    /// <summary>Mean cross-entropy and top-1 accuracy over <paramref name="data"/> with the current weights (fake-quantized when quantization-aware).</summary>
    public (double Loss, double Accuracy) Evaluate(LabeledSamples data)
    {
        CheckData(data, "evaluation");
        var workers = new Worker[Workers];
        Parallel.For(0, Workers, w =>
        {
            var worker = new Worker(this);
            var (from, to) = Share(data.Count, w);
            for (int s = from; s < to; s++)
            {
                worker.Forward(data.Samples, s, collectRanges: false);
                worker.Loss(data.Labels[s], 0f);
            }

            workers[w] = worker;
        });
        return (workers.Sum(w => w.LossSum) / data.Count, (double)workers.Sum(w => w.Correct) / data.Count);
    }

    /// <summary>The model with the trained float weights: the source model (hybrid weights dequantized) with each trained tensor's data replaced.</summary>
    public TfLiteModel TrainedModel()
    {
        var source = _base.Model;
        var tensors = source.Tensors.ToArray();
        foreach (var p in _parameters)
        {
            var bytes = new byte[p.Values.Length * 4];
            for (int i = 0; i < p.Values.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), p.Values[i]);
            }

            tensors[p.Tensor.Index] = p.Tensor with { Data = bytes };
        }

        return source.WithTensors(tensors);
    }

    private void CheckData(LabeledSamples data, string what)
    {
        if (data.Labels.Length != data.Count)
        {
            throw new ArgumentException($"{data.Labels.Length} {what} labels for {data.Count} samples");
        }

        int outside = Array.FindIndex(data.Labels, l => l < 0 || l >= Classes);
        if (outside >= 0)
        {
            throw new ArgumentException($"{what} label {data.Labels[outside]} of sample {outside} is outside the model's {Classes} classes (0..{Classes - 1})");
        }
    }

    private static (int From, int To) Share(int count, int worker)
    {
        int half = (count + 1) / 2;
        return worker == 0 ? (0, half) : (half, count);
    }

    /// <summary>
    /// One step of Adam over <paramref name="batch"/>, each sample shown as its entry of <paramref name="views"/> (null: as it is);
    /// returns the summed loss and the correct predictions.
    /// </summary>
    internal (double Loss, int Correct) Step(LabeledSamples data, int[] batch, AugmentedView[]? views = null)
    {
        bool taught = Options.DistillTemperature is not null && Options.DistillTeacher == DistillationTeacher.Int8;
        if (taught && !ReferenceEquals(_taughtSamples, data.Samples))
        {
            throw new InvalidOperationException("the int8 teacher's soft targets are not for these training samples: call TeachFrom with them first");
        }

        var workers = new Worker[Workers];
        float scale = 1f / batch.Length;
        Parallel.For(0, Workers, w =>
        {
            var worker = new Worker(this);
            var (from, to) = Share(batch.Length, w);
            for (int i = from; i < to; i++)
            {
                int s = batch[i];
                worker.Forward(data.Samples, s, collectRanges: Options.QuantizationAware, views?[i]);
                float[]? teacher = Options.DistillTemperature is null ? null
                    : taught ? Taught(s) : worker.Teach();
                worker.Loss(data.Labels[s], scale, teacher);
                worker.Backward();
            }

            workers[w] = worker;
        });

        _steps++;
        double decay = Options.Schedule.Factor(_steps - 1 - _fitStart, _fitSteps);
        double rate = Options.LearningRate * decay;
        const double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7;
        double correction1 = 1 - Math.Pow(beta1, _steps), correction2 = 1 - Math.Pow(beta2, _steps);
        double centroidRate = (Options.CentroidLearningRate ?? Options.LearningRate) * decay;
        void Adam(float[] values, float[] first, float[] second, int i, double g, double rate)
        {
            first[i] = (float)((beta1 * first[i]) + ((1 - beta1) * g));
            second[i] = (float)((beta2 * second[i]) + ((1 - beta2) * g * g));
            values[i] -= (float)(rate * (first[i] / correction1) / (Math.Sqrt(second[i] / correction2) + epsilon));
        }

        foreach (var p in _parameters.Where(p => !p.Frozen))
        {
            int t = p.Tensor.Index;
            var g0 = workers[0].Gradients[t];
            var g1 = workers[1].Gradients[t];
            if (p.Ties is { } ties)
            {
                var g = ties.Gradient(g0, g1);
                for (int k = 0; k < ties.Centroids; k++)
                {
                    if (!ties.Pinned(k))
                    {
                        Adam(ties.Values, ties.First, ties.Second, k, g[k], centroidRate);
                    }
                }

                ties.Write(p.Values);
                continue;
            }

            for (int i = 0; i < p.Values.Length; i++)
            {
                Adam(p.Values, p.First, p.Second, i, (double)g0[i] + g1[i], rate);
            }

            if (p.Mask is { } mask)
            {
                for (int i = 0; i < mask.Length; i++)
                {
                    if (mask[i])
                    {
                        p.Values[i] = p.First[i] = p.Second[i] = 0f;
                    }
                }
            }
        }

        if (Pruning is { } pruning && pruning.Updates(_steps))
        {
            Prune(pruning.SparsityAt(_steps));
            if (_steps == pruning.EndStep && Options.Clusters is not null)
            {
                Tie();
            }
        }

        if (Options.QuantizationAware && _gridActivations is null)
        {
            UpdateRanges(workers);
        }

        _current = Refresh();
        return (workers.Sum(w => w.LossSum), workers.Sum(w => w.Correct));
    }

    /// <summary>
    /// Starts cluster-preserving training where <c>convert --cluster</c> ends: each palette tensor's weights and
    /// every bias take the values of <paramref name="clustered"/> (the quantizer's clustering of this model:
    /// importance-weighted, biases corrected), and the weights are tied to its centroids and scales.
    /// </summary>
    internal void StartFrom(QuantizedModel clustered)
    {
        foreach (var p in _parameters)
        {
            int index = clustered.Int8Tensors.TryGetValue(p.Tensor.Index, out int q) ? q : p.Tensor.Index;
            if (clustered.Model.Tensors[index] is not { Data: { } data, Quantization: { } quantization } tensor || (p.Table is null && p.QuantizationDimension is not null))
            {
                continue;
            }

            int channels = quantization.Scales.Length;
            int inner = p.Tensor.Shape.Skip(quantization.Dimension + 1).Aggregate(1, (a, b) => a * b);
            bool weights = tensor.Type == TfLiteType.Int8 && data.Length == p.Values.Length;
            if (!weights && !(tensor.Type == TfLiteType.Int32 && data.Length == p.Values.Length * 4))
            {
                continue;
            }

            for (int i = 0; i < p.Values.Length; i++)
            {
                float scale = quantization.Scales[channels == 1 ? 0 : (i / inner) % channels];
                int value = weights ? unchecked((sbyte)data[i]) : BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(i * 4));
                p.Values[i] = (float)((double)value * scale);
            }

            if (weights && p.Table is { } table)
            {
                bool sameGroups = channels == (p.QuantizationDimension < 0 ? 1 : p.Tensor.Shape[p.QuantizationDimension!.Value]);
                p.Ties = TiedWeights.Create(p.Values, p.Tensor.Shape, p.QuantizationDimension!.Value, table.Axis, table.Shared, Options.Clusters!.Value, null,
                    sameGroups ? quantization.Scales : null, fixedScales: Options.KeepQuantizerGrid && sameGroups);
                p.Ties.Write(p.Values);
            }
        }

        if (Options.KeepQuantizerGrid)
        {
            _grid = clustered;
            _gridStart = _parameters.Select(p => (float[])p.Values.Clone()).ToArray();
            _gridActivations = new (float, int)?[_rules.Length];
            for (int t = 0; t < _rules.Length; t++)
            {
                if (_rules[t] != OutputRule.None && clustered.Int8Tensors.TryGetValue(t, out int q)
                    && clustered.Model.Tensors[q] is { Type: TfLiteType.Int8, Quantization: { } activation })
                {
                    _gridActivations[t] = (activation.Scale, activation.ZeroPoint);
                }
            }
        }

        _current = Refresh();
    }

    /// <summary>
    /// With <see cref="TrainingOptions.KeepQuantizerGrid"/> after <see cref="StartFrom"/>: the clustered model training
    /// started from with each trained weight and bias written back on its int8 grid: its start value + the change in
    /// training in units of its scale, rounded (int8 weights clamped to ±127). Null without a grid.
    /// </summary>
    public QuantizedModel? OnQuantizerGrid()
    {
        if (_grid is null || _gridStart is null)
        {
            return null;
        }

        var tensors = _grid.Model.Tensors.ToArray();
        for (int n = 0; n < _parameters.Length; n++)
        {
            var p = _parameters[n];
            int index = _grid.Int8Tensors.TryGetValue(p.Tensor.Index, out int q) ? q : p.Tensor.Index;
            if (tensors[index] is not { Data: { } data, Quantization: { } quantization } tensor)
            {
                continue;
            }

            bool weights = tensor.Type == TfLiteType.Int8 && data.Length == p.Values.Length;
            if (!weights && !(tensor.Type == TfLiteType.Int32 && data.Length == p.Values.Length * 4))
            {
                continue;
            }

            int channels = quantization.Scales.Length;
            int inner = p.Tensor.Shape.Skip(quantization.Dimension + 1).Aggregate(1, (a, b) => a * b);
            var bytes = (byte[])data.Clone();
            for (int i = 0; i < p.Values.Length; i++)
            {
                double scale = quantization.Scales[channels == 1 ? 0 : (i / inner) % channels];
                long change = (long)Math.Round((p.Values[i] - (double)_gridStart[n][i]) / scale, MidpointRounding.AwayFromZero);
                if (weights)
                {
                    bytes[i] = unchecked((byte)(sbyte)Math.Clamp(unchecked((sbyte)data[i]) + change, -127, 127));
                }
                else
                {
                    long value = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(i * 4)) + change;
                    BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), (int)Math.Clamp(value, int.MinValue, int.MaxValue));
                }
            }

            tensors[index] = tensor with { Data = bytes };
        }

        var model = _grid.Model;
        return new QuantizedModel
        {
            Model = model.WithTensors(tensors),
            Int8Tensors = _grid.Int8Tensors,
        };
    }

    /// <summary>Zeros the smallest-magnitude <paramref name="sparsity"/> of each pruned tensor's weights, and keeps them zero from now on.</summary>
    private void Prune(double sparsity)
    {
        foreach (var p in _parameters.Where(p => p.Table is not null && !p.Frozen))
        {
            p.Mask ??= new bool[p.Values.Length];
            PruningSchedule.Mask(p.Values, p.Mask, sparsity);
            for (int i = 0; i < p.Mask.Length; i++)
            {
                if (p.Mask[i])
                {
                    p.Values[i] = p.First[i] = p.Second[i] = 0f;
                }
            }
        }
    }

    /// <summary>Marks the parameters of the layers <see cref="TrainingOptions.Frozen"/> names.</summary>
    private void Freeze(FloatModel model, Dictionary<int, Parameter> parameters)
    {
        var frozen = Options.Frozen;
        if (frozen == FrozenLayers.None)
        {
            return;
        }

        var layers = model.Operators.Where(op => op is Conv2DOperator or DepthwiseConv2DOperator or FullyConnectedOperator).ToArray();
        foreach (var (layer, index) in layers.Select((op, i) => (op, i)))
        {
            bool whole = (frozen.HasFlag(FrozenLayers.First) && index == 0) || (frozen.HasFlag(FrozenLayers.Last) && index == layers.Length - 1);
            var inputs = layer.Source.Inputs;
            for (int slot = 1; slot < Math.Min(inputs.Length, 3); slot++)
            {
                if (inputs[slot] >= 0 && parameters.TryGetValue(inputs[slot], out var p)
                    && (whole || (slot == 1 && frozen.HasFlag(FrozenLayers.Unclustered) && p.Table is null)))
                {
                    p.Frozen = true;
                }
            }
        }
    }

    /// <summary>Ties each palette tensor's weights to their centroids (pruned weights to a zero one), from their current values.</summary>
    private void Tie()
    {
        foreach (var p in _parameters)
        {
            if (p.Table is { } table)
            {
                p.Ties = TiedWeights.Create(p.Values, p.Tensor.Shape, p.QuantizationDimension!.Value, table.Axis, table.Shared, Options.Clusters!.Value, p.Mask);
                p.Ties.Write(p.Values);
            }
        }
    }

    /// <summary>Exponential moving averages of each quantized activation's batch min and max (the first batch sets them).</summary>
    private void UpdateRanges(Worker[] workers)
    {
        double decay = Options.RangeDecay;
        for (int t = 0; t < _rules.Length; t++)
        {
            if (_rules[t] != OutputRule.Range)
            {
                continue;
            }

            float min = Math.Min(workers[0].Min[t], workers[1].Min[t]);
            float max = Math.Max(workers[0].Max[t], workers[1].Max[t]);
            if (min > max)
            {
                continue;
            }

            if (!_rangeSeen[t])
            {
                (_rangeMin[t], _rangeMax[t], _rangeSeen[t]) = (min, max, true);
            }
            else
            {
                _rangeMin[t] = (decay * _rangeMin[t]) + ((1 - decay) * min);
                _rangeMax[t] = (decay * _rangeMax[t]) + ((1 - decay) * max);
            }
        }
    }

    /// <summary>The moving-average range of an activation tensor, or null before the first step (or for tensors not quantized from their own range).</summary>
    internal (double Min, double Max)? Range(int tensor) => _rangeSeen[tensor] ? (_rangeMin[tensor], _rangeMax[tensor]) : null;

    /// <summary>The int8 quantization the forward pass rounds an activation tensor to (null: none).</summary>
    internal (float Scale, int ZeroPoint)? ActivationQuantization(int tensor) => _quantization[tensor];

    /// <summary>Recompiles the forward model after the parameters' values were changed from outside (tests).</summary>
    internal void Reload() => _current = Refresh();

    /// <summary>The forward model for the current weights (fake-quantized when quantization-aware), and each activation's quantization.</summary>
    internal FloatModel Refresh()
    {
        foreach (var p in _parameters)
        {
            if (Options.QuantizationAware && p.QuantizationDimension is { } dimension && p.Ties is not { OnGrid: true })
            {
                var (values, scales) = QuantizationParameters.Weights(p.Values, p.Tensor.Shape, dimension);
                int channels = scales.Length;
                int inner = dimension < 0 ? values.Length : p.Tensor.Shape.Skip(dimension + 1).Aggregate(1, (a, b) => a * b);
                var forward = new float[values.Length];
                for (int i = 0; i < values.Length; i++)
                {
                    forward[i] = values[i] * scales[dimension < 0 ? 0 : (i / inner) % channels];
                }

                _constants[p.Tensor.Index] = forward;
            }
            else
            {
                _constants[p.Tensor.Index] = (float[])p.Values.Clone();
            }
        }

        Array.Fill(_quantization, null);
        if (Options.QuantizationAware)
        {
            foreach (int input in _base.Model.Inputs)
            {
                SetQuantization(input, null);
            }

            foreach (var op in _base.Operators)
            {
                foreach (int t in op.Source.Outputs)
                {
                    SetQuantization(t, op);
                }
            }
        }

        return _base.WithConstants((float[]?[])_constants.Clone());
    }

    private void SetQuantization(int tensor, FloatOperator? op)
    {
        if (_gridActivations is not null)
        {
            _quantization[tensor] = _gridActivations[tensor];
            return;
        }

        _quantization[tensor] = _rules[tensor] switch
        {
            OutputRule.Range when _rangeSeen[tensor] => QuantizationParameters.Activation(_rangeMin[tensor], _rangeMax[tensor]),
            OutputRule.SameAsInput => _quantization[op!.Source.Inputs[0]],
            OutputRule.Fixed => op!.Source.Code == BuiltinOperator.Tanh ? (1f / 128, 0) : (1f / 256, -128),
            _ => null,
        };
    }

    /// <summary>One thread's state for a step: a run of the current model, raw outputs, gradients, range statistics, loss.</summary>
    internal sealed class Worker
    {
        private readonly Trainer _trainer;
        private readonly FloatRun _run;
        private readonly float[][] _raw;
        private readonly BackwardState _state;
        private readonly bool[] _isParameter;
        private FloatRun? _teacher;

        public Worker(Trainer trainer)
        {
            _trainer = trainer;
            _run = trainer._current.CreateRun();
            var tensors = trainer._base.Model.Tensors;
            _raw = new float[tensors.Count][];
            Gradients = new float[tensors.Count][];
            _isParameter = new bool[tensors.Count];
            foreach (var p in trainer._parameters)
            {
                _isParameter[p.Tensor.Index] = true;
            }

            for (int t = 0; t < tensors.Count; t++)
            {
                int length = tensors[t].Type == TfLiteType.Float32 ? tensors[t].ElementCount : 0;
                _raw[t] = new float[_run.Values[t].Length == 0 ? 0 : length];
                Gradients[t] = new float[length];
            }

            Min = Enumerable.Repeat(float.PositiveInfinity, tensors.Count).ToArray();
            Max = Enumerable.Repeat(float.NegativeInfinity, tensors.Count).ToArray();
            int scratch = trainer._current.Operators.Max(Training.Gradients.ScratchLength);
            _state = new BackwardState(_run.Values, _raw, Gradients, new float[scratch]);
        }

        public float[][] Gradients { get; }

        public float[] Min { get; }

        public float[] Max { get; }

        public double LossSum { get; private set; }

        public int Correct { get; private set; }

        public FloatRun Run => _run;

        /// <summary>
        /// Runs sample <paramref name="sample"/> forward (input 0 shown as <paramref name="view"/> when given), fake-quantizing
        /// activations with the current ranges.
        /// </summary>
        public void Forward(SampleSet data, int sample, bool collectRanges, AugmentedView? view = null)
        {
            var model = _trainer._base.Model;
            for (int i = 0; i < model.Inputs.Length; i++)
            {
                if (view is { } shown && ImageShape(model) is var (height, width, channels))
                {
                    ImageAugmentation.Apply(data.Sample(i, sample), _run.Input(i), height, width, channels, shown);
                }
                else
                {
                    data.Sample(i, sample).CopyTo(_run.Input(i));
                }

                Quantize(model.Inputs[i], collectRanges);
            }

            foreach (var op in _trainer._current.Operators)
            {
                op.Invoke(_run);
                foreach (int t in op.Source.Outputs)
                {
                    Quantize(t, collectRanges);
                }
            }
        }

        /// <summary>
        /// The float teacher's logits for the inputs of the last <see cref="Forward(SampleSet, int, bool, AugmentedView?)"/>
        /// (as given, before any fake quantization): the source model's softmax input × its beta, or its output when it ends without a softmax.
        /// </summary>
        public float[] Teach()
        {
            var source = _trainer._base;
            _teacher ??= source.CreateRun();
            for (int i = 0; i < source.Model.Inputs.Length; i++)
            {
                _raw[source.Model.Inputs[i]].CopyTo(_teacher.Input(i));
            }

            foreach (var op in source.Operators)
            {
                op.Invoke(_teacher);
            }

            if (_trainer._lossOperator < 0)
            {
                return _teacher.Values[source.Model.Outputs[0]].ToArray();
            }

            var softmax = (SoftmaxOperator)source.Operators[_trainer._lossOperator];
            var logits = _teacher.Values[softmax.Source.Inputs[0]].ToArray();
            System.Numerics.Tensors.TensorPrimitives.Multiply(logits, softmax.Beta, logits);
            return logits;
        }

        /// <summary>Runs the inputs forward (tests: gradient checks).</summary>
        internal void Forward(float[][] inputs)
        {
            var model = _trainer._base.Model;
            for (int i = 0; i < model.Inputs.Length; i++)
            {
                inputs[i].CopyTo(_run.Input(i));
                Quantize(model.Inputs[i], false);
            }

            foreach (var op in _trainer._current.Operators)
            {
                op.Invoke(_run);
                foreach (int t in op.Source.Outputs)
                {
                    Quantize(t, false);
                }
            }
        }

        /// <summary>Keeps the raw value, collects its range, and rounds it to its int8 grid when it has one.</summary>
        private void Quantize(int tensor, bool collectRanges)
        {
            var values = _run.Values[tensor];
            values.CopyTo(_raw[tensor], 0);
            if (collectRanges && _trainer._rules[tensor] == OutputRule.Range)
            {
                Min[tensor] = Math.Min(Min[tensor], System.Numerics.Tensors.TensorPrimitives.Min(values));
                Max[tensor] = Math.Max(Max[tensor], System.Numerics.Tensors.TensorPrimitives.Max(values));
            }

            if (_trainer._quantization[tensor] is { } q)
            {
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = QuantizationParameters.Dequantize(QuantizationParameters.Quantize(values[i], q.Scale, q.ZeroPoint), q.Scale, q.ZeroPoint);
                }
            }
        }

        /// <summary>
        /// Softmax cross-entropy of output 0 against <paramref name="label"/> — with <paramref name="teacherLogits"/>, weighted
        /// 1 − α and plus α × the distillation loss (<see cref="TrainingOptions.DistillTemperature"/>) — ; seeds the output
        /// gradient scaled by <paramref name="scale"/> (0: loss only).
        /// </summary>
        public void Loss(int label, float scale, float[]? teacherLogits = null)
        {
            var model = _trainer._base;
            int output = model.Model.Outputs[0];
            ClearActivationGradients();
            float[] probabilities;
            float beta = 1f;
            int seed;
            if (_trainer._lossOperator >= 0)
            {
                var softmax = (SoftmaxOperator)_trainer._current.Operators[_trainer._lossOperator];
                probabilities = _raw[output];
                beta = softmax.Beta;
                seed = softmax.Source.Inputs[0];
            }
            else
            {
                var logits = _run.Values[output];
                probabilities = new float[logits.Length];
                float max = System.Numerics.Tensors.TensorPrimitives.Max(logits);
                for (int c = 0; c < logits.Length; c++)
                {
                    probabilities[c] = MathF.Exp(logits[c] - max);
                }

                float sum = System.Numerics.Tensors.TensorPrimitives.Sum(probabilities);
                System.Numerics.Tensors.TensorPrimitives.Divide(probabilities, sum, probabilities);
                seed = output;
            }

            int classes = _trainer.Classes;
            int rows = probabilities.Length / classes;
            var options = _trainer.Options;
            float hardWeight = teacherLogits is null ? 1f : (float)(1 - options.DistillWeight);
            float softWeight = teacherLogits is null ? 0f : (float)options.DistillWeight;
            float temperature = (float)(options.DistillTemperature ?? 1);
            var student = new float[classes];
            var teacher = new float[classes];
            for (int r = 0; r < rows; r++)
            {
                var p = probabilities.AsSpan(r * classes, classes);
                double rowLoss = hardWeight * -Math.Log(Math.Max(p[label], 1e-30f));
                if (teacherLogits is not null)
                {
                    // The trained model's logits are beta × its softmax input (the fake-quantized values the softmax read).
                    var input = _run.Values[seed].AsSpan(r * classes, classes);
                    for (int c = 0; c < classes; c++)
                    {
                        student[c] = beta * input[c];
                    }

                    rowLoss += softWeight * Distillation.Loss(student, teacherLogits.AsSpan(r * classes, classes), temperature, teacher);
                    Distillation.Gradient(student, teacher, temperature, student);
                }

                LossSum += rowLoss / rows;
                if (System.Numerics.Tensors.TensorPrimitives.IndexOfMax(p) == label)
                {
                    Correct++;
                }

                if (scale != 0f)
                {
                    var g = Gradients[seed].AsSpan(r * classes, classes);
                    for (int c = 0; c < classes; c++)
                    {
                        float hard = p[c] - (c == label ? 1f : 0f);
                        float soft = teacherLogits is null ? 0f : student[c];
                        g[c] = beta * ((hardWeight * hard) + (softWeight * soft)) * scale / rows;
                    }
                }
            }
        }

        /// <summary>Seeds the gradient of output 0 directly (tests: the loss Σ weights·output, through every operator).</summary>
        internal void SeedOutput(float[] weights)
        {
            ClearActivationGradients();
            weights.CopyTo(Gradients[_trainer._base.Model.Outputs[0]], 0);
        }

        /// <summary>Runs every operator backward (from the last), adding into the parameters' gradients.</summary>
        public void Backward(bool throughLossOperator = false)
        {
            var operators = _trainer._current.Operators;
            for (int k = operators.Count - 1; k >= 0; k--)
            {
                var op = operators[k];
                if (op.Source.Index == _trainer._lossOperator && !throughLossOperator)
                {
                    continue;
                }

                int output = op.Source.Outputs[0];
                if (_trainer._quantization[output] is { } q)
                {
                    // Straight-through estimator: the rounding passes the gradient, the clamp to the int8 range does not.
                    var (low, high) = QuantizationParameters.Covered(q.Scale, q.ZeroPoint);
                    var g = Gradients[output];
                    var raw = _raw[output];
                    for (int i = 0; i < g.Length; i++)
                    {
                        if (raw[i] < low || raw[i] > high)
                        {
                            g[i] = 0f;
                        }
                    }
                }

                Training.Gradients.Backward(op, _state);
            }
        }

        private void ClearActivationGradients()
        {
            for (int t = 0; t < Gradients.Length; t++)
            {
                if (!_isParameter[t])
                {
                    Array.Clear(Gradients[t]);
                }
            }
        }
    }
}
