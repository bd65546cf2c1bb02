using NanoQuant.Host.FloatReference;
using NanoQuant.Host.Quantization;
using NanoQuant.Host.Runtime;

namespace NanoQuant.Host.Evaluation;

/// <summary>Top-1 accuracy of one model on labelled samples.</summary>
public sealed record Top1Result(string Model, int Correct, int Total, int[] Predictions, float[] Outputs)
{
    public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;
}

/// <summary>Top-1 accuracy of a device model (through the device runtime) or of a float model (through the float reference), on model output 0.</summary>
public static class Top1Evaluator
{
    public static Top1Result Device(string name, byte[] deviceModel, SampleSet samples, IReadOnlyList<int> labels, IProgress<int>? progress = null) =>
        Score(name, BatchRunner.RunDevice(deviceModel, samples, progress)[0], samples.SampleCount, labels);

    /// <summary>Top-1 accuracy of a device model on <paramref name="runtime"/> (<see cref="BatchRunner.RunDevice(byte[], SampleSet, IModelRuntime, IProgress{int}?)"/>).</summary>
    public static Top1Result Device(string name, byte[] deviceModel, SampleSet samples, IReadOnlyList<int> labels, IModelRuntime runtime, IProgress<int>? progress = null) =>
        Score(name, BatchRunner.RunDevice(deviceModel, samples, runtime, progress)[0], samples.SampleCount, labels);

    public static Top1Result Float(string name, FloatModel model, SampleSet samples, IReadOnlyList<int> labels, IProgress<int>? progress = null) =>
        Score(name, BatchRunner.RunFloat(model, samples, progress)[0], samples.SampleCount, labels);

    /// <summary>The input shapes of a device model, for checking data against it.</summary>
    public static IReadOnlyList<InputSpec> Inputs(byte[] deviceModel)
    {
        var interpreter = new Interpreter(deviceModel);
        return Enumerable.Range(0, interpreter.InputCount).Select(i => new InputSpec($"input {i}", interpreter.GetInput(i).GetShape())).ToList();
    }

    private static Top1Result Score(string name, float[] outputs, int samples, IReadOnlyList<int> labels)
    {
        if (labels.Count != samples)
        {
            throw new ArgumentException($"{labels.Count} labels for {samples} samples");
        }

        int classes = outputs.Length / Math.Max(samples, 1);
        var predictions = Metrics.ArgMax(outputs, classes);
        int correct = predictions.Where((p, i) => p == labels[i]).Count();
        return new Top1Result(name, correct, samples, predictions, outputs);
    }
}
