using NanoQuant.Cli;
using NanoQuant.Host.Npy;
using NanoQuant.Tests.Quantization;

namespace NanoQuant.Tests;

/// <summary>The command line with LSTM models: convert, run a stream of frames (state carried or reset), quantize the float LSTM.</summary>
public sealed class LstmCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nq-lstm").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Temp(string file) => Path.Combine(_folder, file);

    private static (int Exit, string Out, string Error) Cli(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = CliApp.Run(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public void Run_feeds_the_frames_of_a_batch_through_one_interpreter_or_resets_between_them()
    {
        string stream = Path.Combine(SharedResources.Golden, "dtln_noise_suppression_stream");
        var (exit, _, error) = Cli("convert", SharedResources.ModelPath("dtln_noise_suppression"), "-o", Temp("dtln.nq"));
        Assert.True(exit == 0, error);

        (exit, _, error) = Cli("run", Temp("dtln.nq"), "--input", Path.Combine(stream, "input_0_0.npy"), "--output", Temp("carried.npy"));
        Assert.True(exit == 0, error);
        var expected = NpyArray.Load(Path.Combine(stream, "output_0_0.npy"));
        var carried = NpyArray.Load(Temp("carried.npy"));
        Assert.Equal(expected.Shape, carried.Shape);
        Assert.Equal(expected.Data, carried.Data);

        (exit, _, error) = Cli("run", Temp("dtln.nq"), "--input", Path.Combine(stream, "input_0_0.npy"), "--output", Temp("reset.npy"), "--reset-state");
        Assert.True(exit == 0, error);
        Assert.Equal(NpyArray.Load(Path.Combine(stream, "output_0_0_reset.npy")).Data, NpyArray.Load(Temp("reset.npy")).Data);
    }

    [Fact]
    public void Run_help_says_how_batches_of_a_stateful_model_run()
    {
        var (_, output, _) = Cli("run", "--help");
        Assert.Contains("in order through one interpreter", output);
        Assert.Contains("--reset-state", output);
    }

    [Fact]
    public void Convert_quantizes_the_float_LSTM_with_calibration_data()
    {
        File.WriteAllBytes(Temp("calibration.npy"), LstmQuantizationTests.CalibrationImages(100).ToBytes());
        var (exit, output, error) = Cli("convert", SharedResources.ModelPath("trained_lstm"), "--calibration", Temp("calibration.npy"), "-o", Temp("lstm.nq"));
        Assert.True(exit == 0, error);
        Assert.Contains("quantized trained_lstm.tflite with 100 samples", output);
        (exit, output, error) = Cli("inspect", Temp("lstm.nq"));
        Assert.True(exit == 0, error);
        Assert.Contains("UnidirectionalSequenceLstm", output);
        Assert.Contains("variable: state kept across Invoke", output);
    }
}
