using NanoQuant.Host.Conversion;
using NanoQuant.Host.Evaluation;
using NanoQuant.Host.Lowering;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Quantization;
using NanoQuant.Host.Runtime;
using NanoQuant.Host.TfLite;
using Xunit.Abstractions;

namespace NanoQuant.Tests.Quantization;

/// <summary>
/// Post-training quantization of the float LSTM (trained_lstm, MNIST rows as a 28-step sequence):
/// calibrated on 500 images of the golden's own input distribution (uniform [0, 1), seeded), the
/// int8 model it makes is at least as close to the float goldens as TensorFlow's trained_lstm_int8.
/// </summary>
public class LstmQuantizationTests(ITestOutputHelper output)
{
    /// <summary>The calibration data docs/quantization.md describes: N images uniform over [0, 1), seed 1.</summary>
    public static NpyArray CalibrationImages(int count)
    {
        var random = new Random(1);
        var values = new float[count * 28 * 28];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)random.NextDouble();
        }

        return NpyArray.FromFloats(values, [count, 28, 28]);
    }

    [Fact]
    public void Our_int8_LSTM_is_at_least_as_close_to_float_as_TensorFlows()
    {
        var model = PostTrainingQuantizer.Prepare(TfLiteReader.ReadFile(SharedResources.ModelPath("trained_lstm")));
        var calibration = SampleSet.FromArrays(InputSpec.Of(model.Model), [("uniform [0, 1)", CalibrationImages(500))]);
        var result = PostTrainingQuantizer.Run(model, calibration, new CalibrationOptions(), new QuantizerOptions());

        // The quantized model follows TFLite's LSTM rules: int16 cell state with a power-of-two scale, hidden state = output.
        var lstm = result.Quantized.Model.Operators.Single(o => o.Code == BuiltinOperator.UnidirectionalSequenceLstm);
        var cell = result.Quantized.Model.Tensors[lstm.Inputs[19]];
        Assert.Equal(TfLiteType.Int16, cell.Type);
        Assert.NotNull(UnidirectionalSequenceLstmLowering.CheckedLog2(cell.Quantization!.Scale));
        Assert.Equal(0, cell.Quantization.ZeroPoint);
        var outputQuantization = result.Quantized.Model.Tensors[lstm.Outputs[0]].Quantization!;
        var hiddenQuantization = result.Quantized.Model.Tensors[lstm.Inputs[18]].Quantization!;
        Assert.Equal((outputQuantization.Scale, outputQuantization.ZeroPoint), (hiddenQuantization.Scale, hiddenQuantization.ZeroPoint));

        var golden = Golden.Load("trained_lstm");
        double ours = Sqnr(golden, result.Conversion.Bytes);
        double tensorflow = Sqnr(golden, Converter.ConvertFile(SharedResources.ModelPath("trained_lstm_int8")).Bytes);
        output.WriteLine($"output SQNR over the {golden.CaseCount} golden inputs: nanoQuant PTQ {ours:F2} dB, TensorFlow trained_lstm_int8 {tensorflow:F2} dB");
        Assert.True(ours >= tensorflow, $"nanoQuant {ours:F2} dB < TensorFlow {tensorflow:F2} dB");
    }

    /// <summary>Output SQNR of a device model against the float golden, over every case (each from reset state).</summary>
    private static double Sqnr(Golden golden, byte[] deviceModel)
    {
        var runner = new ModelRunner(deviceModel);
        var tensor = runner.Interpreter.GetOutput(0);
        var reference = new List<float>();
        var actual = new List<float>();
        for (int c = 0; c < golden.CaseCount; c++)
        {
            runner.Interpreter.ResetState();
            var q = runner.Run(golden.Inputs(c))[0];
            actual.AddRange(q.Type == NpyType.Float32 ? q.ToFloats() : q.ToSBytes().Select(v => tensor.Scale * (v - tensor.ZeroPoint)));
            reference.AddRange(golden.Outputs(c)[0].ToFloats());
        }

        return Metrics.Sqnr(reference.ToArray(), actual.ToArray());
    }
}
