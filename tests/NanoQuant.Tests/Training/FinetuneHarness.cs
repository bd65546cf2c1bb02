using NanoQuant.Host.Npy;
using NanoQuant.Host.TfLite;
using NanoQuant.Tests.Cli;

namespace NanoQuant.Tests.Training;

/// <summary>The `finetune` tests' files: the synthetic MLP as .tflite, 512 training and 256 validation samples with labels.</summary>
public abstract class FinetuneHarness : CliHarness
{
    protected readonly string _model, _x, _y, _vx, _vy;

    protected FinetuneHarness()
    {
        _model = Write("mlp.tflite", TfLiteWriter.Write(TrainingData.Mlp()));
        var (x, y) = TrainingData.Linear(512, 4);
        var (vx, vy) = TrainingData.Linear(256, 5);
        _x = Write("x.npy", NpyArray.FromFloats(x, [y.Length, TrainingData.Features]).ToBytes());
        _y = Write("y.npy", Labels(y));
        _vx = Write("vx.npy", NpyArray.FromFloats(vx, [vy.Length, TrainingData.Features]).ToBytes());
        _vy = Write("vy.npy", Labels(vy));
    }

    protected string Write(string name, byte[] bytes)
    {
        File.WriteAllBytes(Temp(name), bytes);
        return Temp(name);
    }

    protected static byte[] Labels(int[] y) => new NpyArray(NpyType.Int32, [y.Length], y.SelectMany(BitConverter.GetBytes).ToArray()).ToBytes();
}
