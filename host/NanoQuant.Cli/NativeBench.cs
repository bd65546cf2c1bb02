using NanoQuant.Host.Conversion;
using NanoQuant.Host.NanoClr;
using NanoQuant.Host.Npy;
using NanoQuant.Host.Runtime;

namespace NanoQuant.Cli;

/// <summary>
/// `nanoquant bench --runtime nanoclr-native`: each model's Invoke on nanoCLR with the native kernels
/// (native/build.sh) and with the managed kernels (the kit's stock nanoCLR), each next to the plain
/// unrolled int8 dot loop measured in the same nanoCLR process; outputs of both compared with TFLM's.
/// Speeds are ratios within a run where possible: the machine may be busy.
/// </summary>
internal static class NativeBench
{
    public static void Run(CliConsole console, string shared, IReadOnlyList<string> models, int runs, Func<string, string> findModel)
    {
        var w = console.Out;
        var native = new NanoClrModelRunner(new NanoClrHost(ModelRuntimes.NanoClrOptions(ModelRuntimes.NanoClrNative, new NanoClrOptions { Progress = m => console.Error.WriteLine(m) })));
        var managed = new NanoClrModelRunner(new NanoClrHost());
        w.WriteLine("| model | MACs | native ops | native ms | native MAC/s | managed ms | managed MAC/s | dot loop MAC/s | native / managed | native / dot loop | outputs = TFLM |");
        w.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (string name in models)
        {
            try
            {
                byte[] model = Converter.ConvertFile(findModel(name)).Bytes;
                string folder = Path.Combine(shared, "golden", name);
                // Case 0 of the golden: input_0_<i>.npy, output_0_<o>.npy.
                var inputs = Enumerable.Range(0, 16).Select(i => Path.Combine(folder, $"input_0_{i}.npy")).TakeWhile(File.Exists).Select(NpyArray.Load).ToList();
                var expected = Enumerable.Range(0, 16).Select(o => Path.Combine(folder, $"output_0_{o}.npy")).TakeWhile(File.Exists).Select(NpyArray.Load).ToList();
                var n = native.Run(model, inputs, runs);
                var m = managed.Run(model, inputs, Math.Min(runs, 2));
                bool same = expected.Count == n.Outputs.Length
                    && expected.Select((e, i) => e.ToBytes().AsSpan().SequenceEqual(n.Outputs[i].ToBytes()) && e.ToBytes().AsSpan().SequenceEqual(m.Outputs[i].ToBytes())).All(x => x);
                w.WriteLine($"| {name} | {n.Job.Macs:N0} | {n.Job.NativeOperators} | {n.MillisecondsPerInvoke:F2} | {n.MacsPerSecond / 1e6:F0}M | {m.MillisecondsPerInvoke:F1} | {m.MacsPerSecond / 1e6:F1}M | {m.BaselineMacsPerSecond / 1e6:F1}M | {m.MillisecondsPerInvoke / n.MillisecondsPerInvoke:F0}× | {n.MacsPerSecond / m.BaselineMacsPerSecond:F0}× | {(same ? "yes" : "NO")} |");
            }
            catch (Exception e) when (e is UnsupportedModelException or NanoClrException)
            {
                w.WriteLine($"| {name} | not run: {e.Message} |");
            }
        }
    }
}
