using System.Buffers.Binary;
using System.IO.Compression;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Quantization;
using NanoQuant.Host.TfLite;
using NanoQuant.Host.Training;

namespace NanoQuant.Host.Samples;

/// <summary>Fashion-MNIST images (28×28, one channel, scaled to [0, 1]) and their labels (0..9).</summary>
public sealed record FashionData(float[] Images, byte[] Labels)
{
    public const int Side = 28;
    public const int Classes = 10;

    public int Count => Labels.Length;

    public NpyArray ImagesNpy() => NpyArray.FromFloats(Images, [Count, Side, Side, 1]);

    public NpyArray LabelsNpy() => new(NpyType.UInt8, [Count], Labels);

    /// <summary>The first <paramref name="count"/> samples.</summary>
    public FashionData Take(int count) => new(Images.AsSpan(0, count * Side * Side).ToArray(), Labels.AsSpan(0, count).ToArray());

    /// <summary>As labeled samples for a model whose input is [1, 28, 28, 1].</summary>
    public LabeledSamples ToSamples(TfLiteModel model) =>
        new(SampleSet.FromArrays(InputSpec.Of(model), [("fashion-mnist", ImagesNpy())]), Labels.Select(l => (int)l).ToArray());
}

/// <summary>The files of the Fashion-MNIST sample: the trained float CNN and the data as .npy.</summary>
public sealed record FashionSampleFiles(byte[] Model, FashionData Train, FashionData Test, IReadOnlyList<EpochResult> Epochs);

/// <summary>
/// A small float CNN for Fashion-MNIST that nanoQuant trains itself with its own trainer
/// (<see cref="Trainer"/>, plain float training): CONV 3×3×16 + ReLU → MAX_POOL 2 → CONV 3×3×32
/// + ReLU → MAX_POOL 2 → RESHAPE → FULLY_CONNECTED 10 → SOFTMAX, He-uniform initialization from
/// a seed, written as a float .tflite. The data comes from Debian's dataset-fashion-mnist package
/// (IDX files, gzip-compressed, in <see cref="DefaultFolder"/>).
/// </summary>
public static class FashionSample
{
    public const string DefaultFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>True when the four IDX files are in <paramref name="folder"/>.</summary>
    public static bool IsAvailable(string folder = DefaultFolder) =>
        Files.All(f => File.Exists(Path.Combine(folder, f)));

    private static readonly string[] Files = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

    /// <summary>The 60,000 training or the 10,000 test images and labels (only the first <paramref name="count"/> when given: less to decompress).</summary>
    public static FashionData Load(string folder, bool train, int? count = null)
    {
        if (!IsAvailable(folder))
        {
            throw new ArgumentException($"Fashion-MNIST is not in '{folder}' (expected {string.Join(", ", Files)}): install it with 'apt-get install dataset-fashion-mnist', or give the folder holding these files");
        }

        string prefix = train ? "train" : "t10k";
        var images = ReadIdx(Path.Combine(folder, $"{prefix}-images-idx3-ubyte.gz"), 3, count);
        var labels = ReadIdx(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte.gz"), 1, count);
        if (images.Length != labels.Length * FashionData.Side * FashionData.Side)
        {
            throw new ArgumentException($"'{folder}': {images.Length} image bytes for {labels.Length} labels");
        }

        var floats = new float[images.Length];
        for (int i = 0; i < images.Length; i++)
        {
            floats[i] = images[i] / 255f;
        }

        return new FashionData(floats, labels);
    }

    /// <summary>The values of a gzip-compressed IDX file of unsigned bytes with <paramref name="rank"/> dimensions (the first <paramref name="items"/> items when given).</summary>
    private static byte[] ReadIdx(string path, int rank, int? items)
    {
        using var stream = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        int headerLength = 4 + (4 * rank);
        var header = new byte[headerLength];
        stream.ReadAtLeast(header, headerLength, throwOnEndOfStream: false);
        if (header[2] != 0x08 || header[3] != rank)
        {
            throw new ArgumentException($"'{path}' is not an IDX file of {rank}-dimensional unsigned bytes");
        }

        int stored = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4));
        long itemSize = 1;
        for (int d = 1; d < rank; d++)
        {
            itemSize *= BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4 + (4 * d)));
        }

        if (items > stored)
        {
            throw new ArgumentException($"'{path}' holds {stored} items, not {items}");
        }

        var values = new byte[checked((int)((items ?? stored) * itemSize))];
        if (stream.ReadAtLeast(values, values.Length, throwOnEndOfStream: false) != values.Length)
        {
            throw new ArgumentException($"'{path}' is shorter than its header says ({stored} items of {itemSize} bytes)");
        }

        return values;
    }

    /// <summary>The untrained CNN (He-uniform weights from <paramref name="seed"/>, zero biases).</summary>
    public static TfLiteModel Initial(int seed)
    {
        var random = new Random(seed);
        float[] He(int count, int fanIn)
        {
            double limit = Math.Sqrt(6.0 / fanIn);
            return Enumerable.Range(0, count).Select(_ => (float)(((2 * random.NextDouble()) - 1) * limit)).ToArray();
        }

        var g = new GraphBuilder();
        int x = g.Input("image", 1, FashionData.Side, FashionData.Side, 1);
        int c1 = g.Conv2D(x, He(16 * 9, 9), new float[16], 16, 3, 3, activation: FusedActivation.Relu, name: "conv1");
        int p1 = g.Pool(c1, average: false, size: 2, stride: 2, name: "pool1");
        int c2 = g.Conv2D(p1, He(32 * 9 * 16, 9 * 16), new float[32], 32, 3, 3, activation: FusedActivation.Relu, name: "conv2");
        int p2 = g.Pool(c2, average: false, size: 2, stride: 2, name: "pool2");
        int flat = g.Reshape(p2, [1, 7 * 7 * 32], "flatten");
        int logits = g.FullyConnected(flat, He(10 * 7 * 7 * 32, 7 * 7 * 32), new float[10], FashionData.Classes, name: "logits");
        int y = g.Softmax(logits, name: "probabilities");
        return g.Build("nanoQuant Fashion-MNIST sample: CNN 16-32 trained by nanoquant sample fashion", y);
    }

    /// <summary>Trains the CNN on the first <paramref name="trainSamples"/> training images (float, Adam) and returns it with the data.</summary>
    public static FashionSampleFiles Create(string folder, int seed, int epochs, int trainSamples, Action<EpochResult>? epochDone = null, IProgress<int>? progress = null)
    {
        var train = Load(folder, train: true);
        var test = Load(folder, train: false);
        if (trainSamples < 1 || trainSamples > train.Count)
        {
            throw new ArgumentException($"the training samples must lie in [1, {train.Count}], not {trainSamples}");
        }

        train = train.Take(trainSamples);
        var model = Initial(seed);
        var trainer = Trainer.Create(model, new TrainingOptions { Epochs = epochs, Seed = seed, QuantizationAware = false, BatchSize = 32, LearningRate = 1e-3 });
        var results = trainer.Fit(train.ToSamples(model), test.ToSamples(model), epochDone, progress);
        return new FashionSampleFiles(TfLiteWriter.Write(trainer.TrainedModel()), train, test, results);
    }
}
