using System.Text.Json;
using NanoQuant.Host.Npy;

namespace NanoQuant.Tests;

/// <summary>One golden folder of ../shared/golden: its manifest, cases and intermediate tensors.</summary>
public sealed class Golden
{
    /// <summary>The int8 LSTM models (UNIDIRECTIONAL_SEQUENCE_LSTM with variable state tensors); their goldens are int8 goldens too.</summary>
    public static readonly string[] LstmModels = ["trained_lstm_int8", "micro_speech_lstm", "dtln_noise_suppression"];

    /// <summary>Float models: their goldens check the host's float path (calibration), not the int8 runtime.</summary>
    public static readonly string[] FloatModels = ["hello_world_float", "vww_96_float", "pretrainedResnet_float", "ad01_fp32", "trained_lstm"];

    private Golden(string name)
    {
        Name = name;
        Directory = Path.Combine(SharedResources.Golden, name);
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "manifest.json")));
        var root = manifest.RootElement;
        ReferenceArenaBytes = root.GetProperty("reference_arena_used_bytes").GetInt32();
        ModelFile = root.GetProperty("model").GetString()!;
        InputCount = root.GetProperty("inputs").GetArrayLength();
        OutputCount = root.GetProperty("outputs").GetArrayLength();
        CaseCount = root.GetProperty("cases").GetArrayLength();
        CaseSources = root.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("source").GetString()!).ToArray();
    }

    public string Name { get; }
    public string Directory { get; }
    public string ModelFile { get; }
    public int ReferenceArenaBytes { get; }
    public int InputCount { get; }
    public int OutputCount { get; }
    public int CaseCount { get; }
    public string[] CaseSources { get; }

    public string ModelPath => SharedResources.ModelPath(Path.GetFileNameWithoutExtension(ModelFile));

    public static Golden Load(string name) => new(name);

    /// <summary>16x8 goldens (int16 activations): op16_* and the whole 16x8 models.</summary>
    public static bool IsInt16(string name) => name.StartsWith("op16_", StringComparison.Ordinal) || name.EndsWith("_16x8", StringComparison.Ordinal);

    /// <summary>Goldens of a sequence run through one interpreter (state carried): <c>*_stream</c>.</summary>
    public static bool IsStream(string name) => name.EndsWith("_stream", StringComparison.Ordinal);

    /// <summary>Every golden the int8 runtime must match byte for byte.</summary>
    public static IEnumerable<string> Int8Names() =>
        System.IO.Directory.GetDirectories(SharedResources.Golden)
            .Select(Path.GetFileName)
            .Select(n => n!)
            .Where(n => !FloatModels.Contains(n) && !IsInt16(n) && !IsStream(n))
            .Order(StringComparer.Ordinal);

    /// <summary>Every 16x8 golden (int16 activations) the runtime must match byte for byte.</summary>
    public static IEnumerable<string> Int16Names() =>
        System.IO.Directory.GetDirectories(SharedResources.Golden)
            .Select(Path.GetFileName)
            .Select(n => n!)
            .Where(n => IsInt16(n) && !IsStream(n))
            .Order(StringComparer.Ordinal);

    public NpyArray[] Inputs(int caseIndex) =>
        Enumerable.Range(0, InputCount).Select(i => NpyArray.Load(Path.Combine(Directory, $"input_{caseIndex}_{i}.npy"))).ToArray();

    public NpyArray[] Outputs(int caseIndex) =>
        Enumerable.Range(0, OutputCount).Select(i => NpyArray.Load(Path.Combine(Directory, $"output_{caseIndex}_{i}.npy"))).ToArray();

    /// <summary>Case 0's value of TFLite tensor <paramref name="index"/>, or null when the golden has none.</summary>
    public NpyArray? Layer(int index)
    {
        string path = Path.Combine(Directory, "layers", $"t{index}.npy");
        return File.Exists(path) ? NpyArray.Load(path) : null;
    }

    /// <summary>Indices of the tensors recorded in layers/ with their TFLite type names.</summary>
    public IReadOnlyList<(int Tensor, string Type)> LayerIndex()
    {
        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "layers", "index.json")));
        return index.RootElement.EnumerateArray()
            .Select(e => (e.GetProperty("tensor").GetInt32(), e.GetProperty("type").GetString()!))
            .ToList();
    }
}
