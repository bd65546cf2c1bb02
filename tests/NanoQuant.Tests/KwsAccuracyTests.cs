using NanoQuant.Host.Conversion;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Runtime;

namespace NanoQuant.Tests;

/// <summary>The 1,000 keyword-spotting test features through kws_ref_model_int8 on the device runtime.</summary>
public class KwsAccuracyTests
{
    /// <summary>
    /// Correct top-1 answers of TFLite Micro's reference kernels on ../shared/data/kws. The runtime is
    /// bit-exact with TFLM (every golden, every layer), so its count must be exactly this.
    /// </summary>
    public const int ReferenceCorrect = 901;

    [Fact]
    public void Top1_count_equals_the_reference()
    {
        var features = NpyArray.Load(Path.Combine(SharedResources.Data, "kws", "features_int8.npy"));
        var labels = NpyArray.Load(Path.Combine(SharedResources.Data, "kws", "labels.npy")).ToInt64s();
        var runner = new ModelRunner(Converter.ConvertFile(SharedResources.ModelPath("kws_ref_model_int8")).Bytes);
        var scores = runner.Run([features])[0].ToSBytes();
        int classes = 12;
        int correct = Enumerable.Range(0, labels.Length)
            .Count(i => Enumerable.Range(0, classes).MaxBy(k => scores[(i * classes) + k]) == labels[i]);
        Assert.Equal(1000, labels.Length);
        Assert.Equal(ReferenceCorrect, correct);
    }
}
