using NanoQuant.Host.Npy;

namespace NanoQuant.Tests.Cli;

/// <summary>
/// A sweep of bad inputs across every command (issue 21): each kind gets exit code 1, exactly one
/// `error:` line naming the problem, no stack trace or .NET wording, and nothing written. The commands
/// are kept here, one line each; {T} is the test's own folder (must stay empty), {S} a folder of
/// fixtures made once (bad data files, converted models).
/// </summary>
public sealed class BadInputSweepTests : CliHarness
{
    private static readonly Lazy<string> Fixtures = new(MakeFixtures);

    /// <summary>(kind, what the error line must contain, the command line).</summary>
    public static readonly (string Kind, string Says, string Command)[] Cases =
    [
        // convert: the model and the output path
        ("convert: model missing", "does not exist", "convert {T}/none.tflite -o {T}/x.nq"),
        ("convert: model is a folder", "is a folder", "convert {S}/dir -o {T}/x.nq"),
        ("convert: model is .npy", "NumPy", "convert {S}/sine_in.npy -o {T}/x.nq"),
        ("convert: model is text", "text.tflite", "convert {S}/text.tflite -o {T}/x.nq"),
        ("convert: model is empty", "empty.tflite", "convert {S}/empty.tflite -o {T}/x.nq"),
        ("convert: model is a .nq", "not a TensorFlow Lite model", "convert {S}/hw.nq -o {T}/x.nq"),
        ("convert: model truncated", "damaged", "convert {S}/trunc.tflite -o {T}/x.nq"),
        ("convert: output named .tflite", "name it x.nq", "convert {hw} -o {T}/x.tflite"),
        ("convert: output folder missing", "does not exist", "convert {hw} -o {T}/nodir/x.nq"),
        ("convert: output under a file", "is a file, not a folder", "convert {hw} -o {S}/afile/x.nq"),
        ("convert: output is a folder", "is a folder", "convert {hw} -o {T}"),
        ("convert: --cluster 1", "--cluster must lie in [2, 128]", "convert {hw} --cluster 1 -o {T}/x.nq"),
        ("convert: --cluster 129", "--cluster must lie in [2, 128]", "convert {hw} --cluster 129 -o {T}/x.nq"),
        ("convert: --cluster -3", "--cluster must lie in [2, 128]", "convert {hw} --cluster -3 -o {T}/x.nq"),
        ("convert: --cluster text", "Cannot parse argument 'many' for option '--cluster' as a whole number", "convert {hw} --cluster many -o {T}/x.nq"),
        ("convert: no -o", "Option '--output' is required. (nanoquant convert --help lists the options)", "convert {hw}"),
        ("convert: unknown option", "Unrecognized command or argument '--bogus'", "convert {hw} -o {T}/x.nq --bogus"),
        ("convert: two models", "Unrecognized", "convert {hw} {hw} -o {T}/x.nq"),

        // convert: float models and calibration data
        ("convert: float model without data", "--calibration", "convert {sine} -o {T}/x.nq"),
        ("convert: constant calibration data", "every value of model input 0 is 0", "convert {sine} -c {S}/zeros.npy -o {T}/x.nq"),
        ("convert: NaN in calibration data", "NaN", "convert {sine} -c {S}/nan.npy -o {T}/x.nq"),
        ("convert: infinity in calibration data", "must be finite", "convert {sine} -c {S}/inf.npy -o {T}/x.nq"),
        ("convert: calibration data of the wrong shape", "has shape (3, 2)", "convert {sine} -c {S}/wide.npy -o {T}/x.nq"),
        ("convert: integer data without its scale", "--input-quantization-from", "convert {sine} -c {S}/int8.npy -o {T}/x.nq"),
        ("convert: --input-scale alone", "go together", "convert {sine} -c {S}/int8.npy --input-scale 1 -o {T}/x.nq"),
        ("convert: --input-offset alone", "go together", "convert {sine} -c {S}/int8.npy --input-offset 0 -o {T}/x.nq"),
        ("convert: --input-scale 0", "finite and positive", "convert {sine} -c {S}/int8.npy --input-scale 0 --input-offset 0 -o {T}/x.nq"),
        ("convert: --input-scale -1", "finite and positive", "convert {sine} -c {S}/int8.npy --input-scale -1 --input-offset 0 -o {T}/x.nq"),
        ("convert: --input-scale NaN", "finite and positive", "convert {sine} -c {S}/int8.npy --input-scale NaN --input-offset 0 -o {T}/x.nq"),
        ("convert: --input-offset infinity", "finite", "convert {sine} -c {S}/int8.npy --input-scale 1 --input-offset Infinity -o {T}/x.nq"),
        ("convert: float data with --input-scale", "already float32", "convert {sine} -c {cal} --input-scale 1 --input-offset 0 -o {T}/x.nq"),
        ("convert: --samples 0", "--samples must be at least 1", "convert {sine} -c {cal} --samples 0 -o {T}/x.nq"),
        ("convert: --samples -5", "--samples must be at least 1", "convert {sine} -c {cal} --samples -5 -o {T}/x.nq"),
        ("convert: --samples past the data", "--samples 501", "convert {sine} -c {cal} --samples 501 -o {T}/x.nq"),
        ("convert: --method unknown", "bogus", "convert {sine} -c {cal} --method bogus -o {T}/x.nq"),
        ("convert: --percentile 50", "--percentile must lie in (50, 100]", "convert {sine} -c {cal} --method percentile --percentile 50 -o {T}/x.nq"),
        ("convert: --percentile 101", "--percentile must lie in (50, 100]", "convert {sine} -c {cal} --method percentile --percentile 101 -o {T}/x.nq"),
        ("convert: --percentile NaN", "--percentile must lie in (50, 100]", "convert {sine} -c {cal} --method percentile --percentile NaN -o {T}/x.nq"),
        ("convert: --io unknown", "bogus", "convert {sine} -c {cal} --io bogus -o {T}/x.nq"),
        ("convert: --io uint8 with int16", "--io uint8 goes with int8 activations", "convert {sine} -c {cal} --io uint8 --activations int16 -o {T}/x.nq"),
        ("convert: --io int16 with int8", "does not fit --activations int8", "convert {sine} -c {cal} --io int16 -o {T}/x.nq"),
        ("convert: --io int8 with int16", "does not fit --activations int16", "convert {sine} -c {cal} --io int8 --activations int16 -o {T}/x.nq"),
        ("convert: --activations int32", "Argument 'int32' not recognized. Must be one of: 'int8', 'int16'", "convert {sine} -c {cal} --activations int32 -o {T}/x.nq"),
        ("convert: --compare-int8 without int16", "--compare-int8 needs --activations int16", "convert {sine} -c {cal} --compare-int8 --report {T}/r.md -o {T}/x.nq"),
        ("convert: --compare-int8 without report", "--compare-int8 needs", "convert {sine} -c {cal} --activations int16 --compare-int8 -o {T}/x.nq"),
        ("convert: --no-bias-correction with int8", "--no-bias-correction needs --activations int16", "convert {sine} -c {cal} --no-bias-correction -o {T}/x.nq"),
        ("convert: report named .txt", "name it r.md (Markdown) or r.html (HTML)", "convert {sine} -c {cal} --report {T}/r.txt -o {T}/x.nq"),
        ("convert: report folder missing", "does not exist", "convert {sine} -c {cal} --report {T}/nodir/r.md -o {T}/x.nq"),
        ("convert: --save-tflite named .nq", "name it q.tflite", "convert {sine} -c {cal} --save-tflite {T}/q.nq -o {T}/x.nq"),
        ("convert: two data files for one input", "1 input(s) and 2 data file(s)", "convert {sine} -c {cal} -c {cal} -o {T}/x.nq"),
        ("convert: data folder without .npy", "holds no .npy files", "convert {sine} -c {S}/dir -o {T}/x.nq"),
        ("convert: data of no samples", "holds no samples", "convert {sine} -c {S}/none.npy -o {T}/x.nq"),
        ("convert: bool data", "is bool", "convert {sine} -c {S}/bool.npy -o {T}/x.nq"),
        ("convert: model given as data", "is a TensorFlow Lite model", "convert {sine} -c {hw} -o {T}/x.nq"),
        ("convert: damaged .npy", "text.npy", "convert {sine} -c {S}/text.npy -o {T}/x.nq"),
        ("convert: data missing", "does not exist", "convert {sine} -c {T}/none.npy -o {T}/x.nq"),
        ("convert: 16x8 LSTM", "no 16x8", "convert {lstm} -c {lstm_in} --activations int16 -o {T}/x.nq"),
        ("convert: --input-quantization-from a float model", "is a float model", "convert {sine} -c {S}/int8.npy --input-quantization-from {sine} -o {T}/x.nq"),
        ("convert: --input-quantization-from missing", "does not exist", "convert {sine} -c {S}/int8.npy --input-quantization-from {T}/none.tflite -o {T}/x.nq"),
        ("convert: --input-quantization-from .npy", "NumPy", "convert {sine} -c {S}/int8.npy --input-quantization-from {S}/int8.npy -o {T}/x.nq"),
        ("convert: --input-quantization-from and --input-scale", "not both", "convert {sine} -c {S}/int8.npy --input-quantization-from {hw} --input-scale 1 --input-offset 0 -o {T}/x.nq"),

        // convert: quantization options for a model that is not quantized here
        ("convert: --report for an int8 model", "--report applies only", "convert {hw} --report {T}/r.md -o {T}/x.nq"),
        ("convert: --save-tflite for an int8 model", "--save-tflite applies only", "convert {hw} --save-tflite {T}/q.tflite -o {T}/x.nq"),
        ("convert: --method for an int8 model", "--method applies only", "convert {hw} --method mse -o {T}/x.nq"),
        ("convert: --samples for an int8 model", "--samples applies only", "convert {hw} --samples 3 -o {T}/x.nq"),
        ("convert: --io float for an int8 model", "--io applies only", "convert {hw} --io float -o {T}/x.nq"),
        ("convert: --activations int16 for an int8 model", "--activations applies only", "convert {hw} --activations int16 -o {T}/x.nq"),
        ("convert: --no-bias-correction for an int8 model", "--no-bias-correction applies only", "convert {hw} --no-bias-correction -o {T}/x.nq"),
        ("convert: --compare-int8 for an int8 model", "--compare-int8 applies only", "convert {hw} --compare-int8 -o {T}/x.nq"),
        ("convert: --per-channel-fc for an int8 model", "--per-channel-fc applies only", "convert {hw} --per-channel-fc -o {T}/x.nq"),
        ("convert: --input-quantization-from for an int8 model", "--input-quantization-from applies only", "convert {hw} --input-quantization-from {hw} -o {T}/x.nq"),
        ("convert: --method for a float model without data", "add --calibration", "convert {sine} --method mse -o {T}/x.nq"),

        // run
        ("run: model missing", "does not exist", "run {T}/none.nq --input {sine_in}"),
        ("run: model is a .tflite", "is a TensorFlow Lite model, not a nanoQuant device model", "run {hw} --input {hw_in}"),
        ("run: model is .npy", "NumPy", "run {hw_in} --input {hw_in}"),
        ("run: model truncated", "trunc.nq", "run {S}/trunc.nq --input {hw_in}"),
        ("run: model is empty", "empty.nq", "run {S}/empty.nq --input {hw_in}"),
        ("run: model is a folder", "is a folder", "run {S}/dir --input {hw_in}"),
        ("run: input missing", "does not exist", "run {S}/hw.nq --input {T}/none.npy"),
        ("run: NaN input", "is NaN", "run {S}/sine.nq --input {S}/nan.npy"),
        ("run: +infinity input", "+infinity", "run {S}/sine.nq --input {S}/inf.npy"),
        ("run: -infinity input", "-infinity", "run {S}/sine.nq --input {S}/neginf.npy"),
        ("run: input of the wrong shape", "(3, 2)", "run {S}/sine.nq --input {S}/wide.npy"),
        ("run: bool input", "is Bool", "run {S}/sine.nq --input {S}/bool.npy"),
        ("run: two inputs for one", "the model has 1 input(s), 2 given", "run {S}/hw.nq --input {hw_in} --input {hw_in}"),
        ("run: no input", "--input", "run {S}/hw.nq"),
        ("run: output named .nq", "name it y.npy", "run {S}/hw.nq --input {hw_in} -o {T}/y.nq"),
        ("run: two outputs for one", "1 output(s), 2 --output given", "run {S}/hw.nq --input {hw_in} -o {T}/a.npy -o {T}/b.npy"),
        ("run: output folder missing", "does not exist", "run {S}/hw.nq --input {hw_in} -o {T}/nodir/y.npy"),
        ("run: --runtime unknown", "bogus", "run {S}/hw.nq --input {hw_in} --runtime bogus"),
        ("run: --reset-state on nanoCLR", "--reset-state is available with --runtime dotnet only", "run {S}/hw.nq --input {hw_in} --runtime nanoclr --reset-state"),
        ("run: nanoCLR kit missing", "nanoCLR kit not found", "run {S}/hw.nq --input {hw_in} --runtime nanoclr --nanoclr-kit {T}/nokit"),
        ("run: a model as input", "is a TensorFlow Lite model, not a NumPy .npy file", "run {S}/hw.nq --input {hw}"),
        ("run: empty input file", "empty.npy", "run {S}/hw.nq --input {S}/empty.npy"),
        ("run: input is a folder", "is a folder", "run {S}/hw.nq --input {S}/dir"),
        ("run: input with no samples", "has shape (0, 1)", "run {S}/sine.nq --input {S}/none.npy"),

        // eval
        ("eval: labels missing", "does not exist", "eval {kws} --input {S}/kws4.npy --labels {T}/none.npy"),
        ("eval: fewer labels than samples", "3 labels for 4 samples", "eval {kws} --input {S}/kws4.npy --labels {S}/labels3.npy"),
        ("eval: label outside the classes", "label 12 of sample 1", "eval {kws} --input {S}/kws4.npy --labels {S}/labels_out.npy"),
        ("eval: label rows of another width", "rows of 10 columns", "eval {kws} --input {S}/kws4.npy --labels {S}/labels_wide.npy"),
        ("eval: fractional labels", "whole numbers", "eval {kws} --input {S}/kws4.npy --labels {S}/labels_frac.npy"),
        ("eval: labels of rank 3", "labels have shape (4, 3, 4)", "eval {kws} --input {S}/kws4.npy --labels {S}/labels3d.npy"),
        ("eval: --skip -1", "--skip must be 0 or more", "eval {kws} --input {S}/kws4.npy --labels {S}/labels4.npy --skip -1"),
        ("eval: --skip past the data", "--skip 4 leaves no samples", "eval {kws} --input {S}/kws4.npy --labels {S}/labels4.npy --skip 4"),
        ("eval: --count 0", "--count 0", "eval {kws} --input {S}/kws4.npy --labels {S}/labels4.npy --count 0"),
        ("eval: --count past the data", "--count 5", "eval {kws} --input {S}/kws4.npy --labels {S}/labels4.npy --count 5"),
        ("eval: --float is an int8 model", "is not a float model", "eval {S}/kws.nq --input {S}/kws4.npy --labels {S}/labels4.npy --float {kws}"),
        ("eval: --float of other shapes", "does not fit device model", "eval {S}/kws.nq --input {S}/kws4.npy --labels {S}/labels4.npy --float {hw_float}"),
        ("eval: --float is a .nq", "is a nanoQuant device model", "eval {S}/kws.nq --input {S}/kws4.npy --labels {S}/labels4.npy --float {S}/kws.nq"),
        ("eval: --input-scale alone", "go together", "eval {kws} --input {S}/kws4.npy --labels {S}/labels4.npy --input-scale 1"),
        ("eval: float model on int8 data", "--input-quantization-from", "eval {kws_float} --input {S}/kws4.npy --labels {S}/labels4.npy"),
        ("eval: NaN input", "NaN", "eval {S}/sine.nq --input {S}/nan.npy --labels {S}/labels3.npy"),
        ("eval: --format unknown", "bogus", "eval {kws} --input {S}/kws4.npy --labels {S}/labels4.npy --format bogus"),
        ("eval: model missing", "does not exist", "eval {T}/none.nq --input {S}/kws4.npy --labels {S}/labels4.npy"),
        ("eval: model is .npy", "NumPy", "eval {S}/kws4.npy --input {S}/kws4.npy --labels {S}/labels4.npy"),
        ("eval: input of the wrong shape", "has shape", "eval {kws} --input {S}/wide.npy --labels {S}/labels3.npy"),
        ("eval: no labels", "--labels", "eval {kws} --input {S}/kws4.npy"),

        // validate
        ("validate: --float missing", "does not exist", "validate {S}/sine.nq --float {T}/none.tflite --input {sine_in}"),
        ("validate: --float is an int8 model", "is not a float model", "validate {S}/sine.nq --float {hw} --input {sine_in}"),
        ("validate: --float of other shapes", "does not fit device model", "validate {S}/kws.nq --float {hw_float} --input {S}/kws4.npy"),
        ("validate: NaN input", "NaN", "validate {S}/sine.nq --float {sine} --input {S}/nan.npy"),
        ("validate: --count 0", "--count 0", "validate {S}/sine.nq --float {sine} --input {sine_in} --count 0"),
        ("validate: --count past the data", "--count 5000", "validate {S}/sine.nq --float {sine} --input {sine_in} --count 5000"),
        ("validate: report named .md", "name it r.html", "validate {S}/sine.nq --float {sine} --input {sine_in} --report {T}/r.md"),
        ("validate: labels of another count", "labels for", "validate {S}/sine.nq --float {sine} --input {sine_in} --labels {S}/labels3.npy"),
        ("validate: --input-scale alone", "go together", "validate {S}/sine.nq --float {sine} --input {sine_in} --input-scale 2"),
        ("validate: model truncated", "trunc.nq", "validate {S}/trunc.nq --float {sine} --input {sine_in}"),
        ("validate: --float is a .nq", "is a nanoQuant device model", "validate {S}/sine.nq --float {S}/sine.nq --input {sine_in}"),
        ("validate: no --float", "--float", "validate {S}/sine.nq --input {sine_in}"),

        // inspect, analyze
        ("inspect: model missing", "does not exist", "inspect {T}/none.nq"),
        ("inspect: model is .npy", "NumPy", "inspect {hw_in}"),
        ("inspect: model is empty", "empty.tflite", "inspect {S}/empty.tflite"),
        ("inspect: model truncated", "damaged", "inspect {S}/trunc.tflite"),
        ("inspect: model is a folder", "is a folder", "inspect {S}/dir"),
        ("analyze: model missing", "does not exist", "analyze {T}/none.nq"),
        ("analyze: unknown board", "bogus", "analyze {S}/hw.nq --board bogus"),
        ("analyze: model is .npy", "NumPy", "analyze {hw_in}"),
        ("analyze: --format unknown", "bogus", "analyze {S}/hw.nq --format bogus"),
        ("analyze: model truncated", "trunc.nq", "analyze {S}/trunc.nq"),

        // embed
        ("embed: --class a keyword", "not a C# keyword", "embed {S}/hw.nq --namespace My.App --class class -o {T}/out"),
        ("embed: --class starts with a digit", "--class '1bad'", "embed {S}/hw.nq --namespace My.App --class 1bad -o {T}/out"),
        ("embed: --class with a dot", "--class 'A.B'", "embed {S}/hw.nq --namespace My.App --class A.B -o {T}/out"),
        ("embed: --namespace with an empty part", "--namespace 'My..App'", "embed {S}/hw.nq --namespace My..App -o {T}/out"),
        ("embed: --namespace a keyword", "--namespace 'int'", "embed {S}/hw.nq --namespace int -o {T}/out"),
        ("embed: --namespace with a keyword part", "--namespace 'My.class.App'", "embed {S}/hw.nq --namespace My.class.App -o {T}/out"),
        ("embed: -o is a file", "is a file", "embed {S}/hw.nq --namespace My.App -o {S}/afile"),
        ("embed: model is a .tflite", "is a TensorFlow Lite model", "embed {hw} --namespace My.App -o {T}/out"),
        ("embed: model missing", "does not exist", "embed {T}/none.nq --namespace My.App -o {T}/out"),
        ("embed: no namespace", "--namespace", "embed {S}/hw.nq -o {T}/out"),

        // bench
        ("bench: --seconds 0", "--seconds must be more than 0", "bench --shared {shared} -m hello_world_int8 --seconds 0"),
        ("bench: --seconds -1", "--seconds must be more than 0", "bench --shared {shared} -m hello_world_int8 --seconds -1"),
        ("bench: --seconds NaN", "--seconds must be more than 0", "bench --shared {shared} -m hello_world_int8 --seconds NaN"),
        ("bench: --runs 0 on nanoCLR", "--runs must lie in [1, 100000]", "bench --shared {shared} --runtime nanoclr -m hello_world_int8 --runs 0"),
        ("bench: --runs on dotnet", "--runs applies to --runtime nanoclr", "bench --shared {shared} -m hello_world_int8 --runs 3"),
        ("bench: --seconds on nanoCLR", "--seconds applies to --runtime dotnet", "bench --shared {shared} --runtime nanoclr -m hello_world_int8 --seconds 2"),
        ("bench: unknown model name", "known names are", "bench --shared {shared} -m kws"),
        ("bench: model file missing", "does not exist", "bench --shared {shared} -m {T}/none.nq"),
        ("bench: no golden folder", "no golden folder", "bench --shared {T}/noshared"),
        ("bench: --per-op on dotnet", "--per-op needs --runtime nanoclr, nanoclr-native, cortex-m7 or cortex-m4", "bench --shared {shared} -m hello_world_int8 --per-op"),
        ("bench: --all on dotnet", "--all applies to --runtime nanoclr", "bench --shared {shared} --all"),
        ("bench: --all with --model", "give one of them", "bench --shared {shared} --runtime nanoclr --all -m hello_world_int8"),
        ("bench: --runtime unknown", "bogus", "bench --shared {shared} --runtime bogus"),
        ("bench: a float model", "could not be benchmarked", "bench --shared {shared} -m hello_world_float --seconds 0.01"),

        // fuzz, sample
        ("fuzz: model missing", "none.nq", "fuzz {T}/none.nq -n 10"),
        ("fuzz: -n 0", "--cases must be at least 1", "fuzz {S}/hw.nq -n 0"),
        ("sample: unknown sample", "bogus", "sample bogus -o {T}/out"),
        ("sample: -o is a file", "afile", "sample sine -o {S}/afile"),
    ];

    public static TheoryData<string> Kinds() => new(Cases.Select(c => c.Kind));

    [Fact]
    public void The_sweep_covers_at_least_120_kinds_over_every_command()
    {
        Assert.True(Cases.Length >= 120, $"{Cases.Length} kinds");
        Assert.Equal(Cases.Length, Cases.Select(c => c.Kind).Distinct().Count());
        foreach (string command in new[] { "convert", "run", "eval", "validate", "inspect", "analyze", "embed", "bench", "fuzz", "sample" })
        {
            Assert.Contains(Cases, c => c.Command.StartsWith(command + " ", StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_bad_input_is_one_error_line_and_exit_1(string kind)
    {
        var (_, says, command) = Cases.Single(c => c.Kind == kind);
        string s = Fixtures.Value;
        string line = command
            .Replace("{T}", Folder, StringComparison.Ordinal)
            .Replace("{S}", s, StringComparison.Ordinal)
            .Replace("{shared}", SharedResources.Root, StringComparison.Ordinal)
            .Replace("{hw}", SharedResources.ModelPath("hello_world_int8"), StringComparison.Ordinal)
            .Replace("{hw_float}", SharedResources.ModelPath("hello_world_float"), StringComparison.Ordinal)
            .Replace("{hw_in}", Path.Combine(SharedResources.Golden, "hello_world_int8", "input_0_0.npy"), StringComparison.Ordinal)
            .Replace("{kws_float}", SharedResources.ModelPath("kws_ref_model_float32"), StringComparison.Ordinal)
            .Replace("{kws}", SharedResources.ModelPath("kws_ref_model_int8"), StringComparison.Ordinal)
            .Replace("{lstm_in}", Path.Combine(SharedResources.Golden, "trained_lstm", "input_0_0.npy"), StringComparison.Ordinal)
            .Replace("{lstm}", SharedResources.ModelPath("trained_lstm"), StringComparison.Ordinal)
            .Replace("{sine_in}", Sample("input.npy"), StringComparison.Ordinal)
            .Replace("{sine}", Sample("sine_float.tflite"), StringComparison.Ordinal)
            .Replace("{cal}", Sample("calibration.npy"), StringComparison.Ordinal);
        AssertOneError(says, line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    private static string MakeFixtures()
    {
        string s = Directory.CreateTempSubdirectory("nq-sweep").FullName;
        void Save(string name, NpyArray array) => File.WriteAllBytes(Path.Combine(s, name), array.ToBytes());
        Directory.CreateDirectory(Path.Combine(s, "dir"));
        File.WriteAllText(Path.Combine(s, "afile"), "a file");
        File.WriteAllText(Path.Combine(s, "text.tflite"), "this is not a model\n");
        File.WriteAllText(Path.Combine(s, "text.npy"), "this is not an array\n");
        File.WriteAllBytes(Path.Combine(s, "empty.tflite"), []);
        File.WriteAllBytes(Path.Combine(s, "empty.nq"), []);
        File.WriteAllBytes(Path.Combine(s, "empty.npy"), []);
        File.Copy(Sample("input.npy"), Path.Combine(s, "sine_in.npy"));
        byte[] hw = File.ReadAllBytes(SharedResources.ModelPath("hello_world_int8"));
        File.WriteAllBytes(Path.Combine(s, "trunc.tflite"), hw[..500]);
        Save("zeros.npy", NpyArray.FromFloats(new float[10], [10, 1]));
        Save("nan.npy", NpyArray.FromFloats([1f, float.NaN, 2f], [3, 1]));
        Save("inf.npy", NpyArray.FromFloats([1f, float.PositiveInfinity, 2f], [3, 1]));
        Save("neginf.npy", NpyArray.FromFloats([float.NegativeInfinity, 1f, 2f], [3, 1]));
        Save("wide.npy", NpyArray.FromFloats(new float[6], [3, 2]));
        Save("int8.npy", NpyArray.FromSBytes([1, 2, 3, 4, 5], [5, 1]));
        Save("bool.npy", new NpyArray(NpyType.Bool, [3, 1], [1, 0, 1]));
        Save("none.npy", NpyArray.FromFloats([], [0, 1]));
        Save("labels3.npy", Labels([1, 2, 3], [3]));
        Save("labels4.npy", Labels([1, 2, 3, 4], [4]));
        Save("labels_out.npy", Labels([1, 12, 3, 4], [4]));
        Save("labels_wide.npy", NpyArray.FromFloats(new float[40], [4, 10]));
        Save("labels_frac.npy", NpyArray.FromFloats([0.5f, 1f, 2f, 3f], [4]));
        Save("labels3d.npy", NpyArray.FromFloats(new float[48], [4, 3, 4]));
        var features = NpyArray.Load(Path.Combine(SharedResources.Data, "kws", "features_int8.npy"));
        int perSample = features.Data.Length / features.Shape[0];
        Save("kws4.npy", new NpyArray(features.Type, [4, .. features.Shape[1..]], features.Data[..(4 * perSample)]));

        var output = new StringWriter();
        Assert.Equal(0, NanoQuant.Cli.CliApp.Run(["convert", SharedResources.ModelPath("hello_world_int8"), "-o", Path.Combine(s, "hw.nq")], output, output));
        Assert.Equal(0, NanoQuant.Cli.CliApp.Run(["convert", SharedResources.ModelPath("kws_ref_model_int8"), "-o", Path.Combine(s, "kws.nq")], output, output));
        Assert.Equal(0, NanoQuant.Cli.CliApp.Run(["convert", Sample("sine_float.tflite"), "-c", Sample("calibration.npy"), "--io", "float", "--method", "minmax", "-o", Path.Combine(s, "sine.nq")], output, output));
        File.WriteAllBytes(Path.Combine(s, "trunc.nq"), File.ReadAllBytes(Path.Combine(s, "hw.nq"))[..100]);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(s, recursive: true);
        return s;
    }

    private static NpyArray Labels(long[] values, int[] shape) => new(NpyType.Int64, shape, values.SelectMany(BitConverter.GetBytes).ToArray());
}
