using NanoQuant.Format;
using NanoQuant.Host.DeviceModels;

namespace NanoQuant.Host.Analysis;

/// <summary>One operator of a device model as `nanoquant analyze` reports it.</summary>
/// <param name="Index">Position in the model (the order operators run in).</param>
/// <param name="Operator">The device operator's name (Conv2D, FullyConnected, …).</param>
/// <param name="OutputShape">Shape of its (first) output.</param>
/// <param name="Macs">Multiply-accumulates per invoke, as the device kernel counts them.</param>
/// <param name="WeightBytes">Bytes of the constants it reads: int8 weights, int32 biases, multipliers and shifts.</param>
/// <param name="ArenaBytesAlive">Bytes of activation tensors alive while it runs (its inputs, outputs and every tensor kept for later).</param>
public sealed record LayerAnalysis(int Index, string Operator, int[] OutputShape, long Macs, long WeightBytes, long ArenaBytesAlive);

/// <summary>Whether a model fits a board's managed heap, loaded into RAM or with its weights streamed from storage.</summary>
public sealed record BoardVerdict(Board Board, bool FitsInRam, bool FitsStreamed)
{
    /// <summary>The model file fits the board's flash (true when its flash is not known).</summary>
    public bool FitsFlash { get; init; } = true;

    /// <summary>fits, streamed (fits only with weights streamed from storage), or no (RAM or flash too small).</summary>
    public string Verdict => !FitsFlash ? "no" : FitsInRam ? "fits" : FitsStreamed ? "streamed" : "no";
}

/// <summary>
/// What a device model needs and does, layer by layer and in total, in the terms of `stm32ai
/// analyze`: MACs, flash (the device model file), and RAM: the managed heap the interpreter takes on
/// a board's 32-bit nanoCLR (arena, constants copied to RAM, and every object and array the loader creates, counted by
/// <see cref="NanoClrHeap"/> as nanoCLR allocates them in <see cref="NanoClrHeapLayout.Board32"/>; hardware/ram-table.md
/// measures the same on the emulated Cortex-M7) plus <see cref="Boards.ApplicationBytes"/> for the application itself.
/// The 64-bit Linux nanoCLR's figures (<see cref="Linux"/>) are given beside them.
/// </summary>
/// <param name="ModelBytes">The device model file: what the board stores (flash, or an SD card).</param>
/// <param name="ArenaBytes">The activation arena the memory plan needs.</param>
/// <param name="ArenaLowerBound">The largest total of activation tensors alive at once: no plan can use less.</param>
/// <param name="ConstantPoolBytes">int8 constants (weights) in the model, which streaming leaves on storage.</param>
/// <param name="StreamBufferBytes">With streamed weights: the buffer holding the largest operator's int8 weights plus the 1 KiB read chunk.</param>
/// <param name="OverheadBytes">Loaded into RAM: the heap beyond the arena and the constants (tensors, kernels, operator tables, per-kernel tables, object headers).</param>
/// <param name="HeapWithWeightsInRam">The interpreter's heap on a board's 32-bit nanoCLR loaded into RAM (the model's byte[] not counted: it can be released after the load).</param>
/// <param name="HeapWithWeightsStreamed">The interpreter's heap on a board's 32-bit nanoCLR with its int8 weights streamed from storage (the stream not counted).</param>
/// <param name="RamWithWeightsInRam"><paramref name="HeapWithWeightsInRam"/> + <see cref="Boards.ApplicationBytes"/>.</param>
/// <param name="RamWithWeightsStreamed"><paramref name="HeapWithWeightsStreamed"/> + <see cref="Boards.ApplicationBytes"/>.</param>
public sealed record ModelAnalysis(
    IReadOnlyList<LayerAnalysis> Layers,
    long TotalMacs,
    long ModelBytes,
    long ArenaBytes,
    long ArenaLowerBound,
    long ConstantPoolBytes,
    long StreamBufferBytes,
    long OverheadBytes,
    long HeapWithWeightsInRam,
    long HeapWithWeightsStreamed,
    long RamWithWeightsInRam,
    long RamWithWeightsStreamed)
{
    /// <summary>
    /// With palette (clustered) weights: the same model written with plain int8 weights — its file bytes and
    /// heap in both load modes — so the flash palettes save and the RAM they cost (the loader's palette tables
    /// and decode buffers, beyond the decoded weights the plain model holds too) can be shown. Null without palettes.
    /// </summary>
    public (long ModelBytes, long HeapWithWeightsInRam, long HeapWithWeightsStreamed)? Plain { get; init; }

    /// <summary>The nanoCLR the heap figures model: a board's 32-bit one.</summary>
    public static NanoClrHeapLayout HeapLayout => NanoClrHeapLayout.Board32;

    /// <summary>The same heap on the 64-bit Linux nanoCLR (<see cref="NanoClrHeapLayout.Linux64"/>), loaded into RAM and streamed: what the desktop tests measure.</summary>
    public (long HeapWithWeightsInRam, long HeapWithWeightsStreamed) Linux { get; init; }

    /// <summary>The 1 KiB chunk the loader reads files in, allocated in both load modes.</summary>
    public const int ReadChunkBytes = 1024;

    /// <summary>Analyzes a device model (the bytes of a .nq).</summary>
    public static ModelAnalysis Of(byte[] deviceModel)
    {
        using var interpreter = new Interpreter(deviceModel);
        var model = DeviceModelReader.Read(deviceModel);
        var alive = ArenaAlive(model);
        var layers = new List<LayerAnalysis>();
        for (int o = 0; o < model.Operators.Count; o++)
        {
            var op = model.Operators[o];
            long weights = op.Inputs.Where(i => i >= 0).Distinct().Select(i => model.Tensors[i]).Where(t => !t.IsArena).Sum(t => (long)t.ByteLength);
            int[] shape = op.Outputs.Length > 0 ? model.Tensors[op.Outputs[0]].Shape : [];
            layers.Add(new LayerAnalysis(o, OperatorNames.Get(op.Type), shape, interpreter.GetOperatorMacCount(o), weights, alive[o]));
        }

        long streamBuffer = LargestOperatorInt8Constants(model) + ReadChunkBytes;
        long heapInRam = NanoClrHeap.InRam(deviceModel, HeapLayout);
        long heapStreamed = NanoClrHeap.Streamed(deviceModel, HeapLayout);
        var linux = (NanoClrHeap.InRam(deviceModel, NanoClrHeapLayout.Linux64), NanoClrHeap.Streamed(deviceModel, NanoClrHeapLayout.Linux64));
        long overhead = heapInRam - interpreter.ArenaBytes - interpreter.ConstantPoolBytes - interpreter.Int32ConstantBytes;
        var intervals = ArenaIntervals(model);
        long lowerBound = Enumerable.Range(-1, model.Operators.Count + 2)
            .Max(step => intervals.Where(t => t.First <= step && step <= t.Last).Sum(t => (long)t.Bytes));
        (long, long, long)? plain = null;
        if (model.Tensors.Any(t => t.Palette is not null))
        {
            bool compact = model.Tensors.Any(t => t.NarrowBytes > 0 || t.IsDerived);
            byte[] plainBytes = DeviceModelWriter.Write(DeviceModelReader.Read(deviceModel), PaletteMode.Off, compact);
            plain = (plainBytes.Length, NanoClrHeap.InRam(plainBytes, HeapLayout), NanoClrHeap.Streamed(plainBytes, HeapLayout));
        }

        return new ModelAnalysis(layers, layers.Sum(l => l.Macs), deviceModel.Length, interpreter.ArenaBytes, lowerBound,
            interpreter.ConstantPoolBytes, streamBuffer, overhead, heapInRam, heapStreamed,
            heapInRam + Boards.ApplicationBytes, heapStreamed + Boards.ApplicationBytes) { Plain = plain, Linux = linux };
    }

    /// <summary>The verdict for one board.</summary>
    public BoardVerdict On(Board board) => new(board, RamWithWeightsInRam <= board.HeapBytes, RamWithWeightsStreamed <= board.HeapBytes)
    {
        FitsFlash = board.FlashBytes is not { } flash || ModelBytes <= flash,
    };

    /// <summary>The bytes of int8 constants of the operator that reads the most: the streaming loader's weight buffer, less its read chunk.</summary>
    public static long LargestOperatorInt8Constants(DeviceModel model) =>
        model.Operators.Select(op => op.Inputs.Where(i => i >= 0).Distinct().Select(i => model.Tensors[i])
            .Where(t => t.Storage == TensorStorage.Constant && t.Type == TensorType.Int8).Sum(t => (long)t.ByteLength))
            .DefaultIfEmpty(0).Max();

    /// <summary>
    /// Per operator step, the bytes of arena tensors alive: a tensor lives from the operator that
    /// writes it (model inputs: from the start) to the last that reads it (model outputs: to the end),
    /// as the memory planner counts it.
    /// </summary>
    public static long[] ArenaAlive(DeviceModel model)
    {
        var intervals = ArenaIntervals(model);
        var alive = new long[model.Operators.Count];
        for (int step = 0; step < alive.Length; step++)
        {
            alive[step] = intervals.Where(t => t.First <= step && step <= t.Last).Sum(t => (long)model.Tensors[t.Tensor].ByteLength);
        }

        return alive;
    }

    /// <summary>Each arena tensor's lifetime in operator steps, as the memory planner sees it, with its place in the arena.</summary>
    public static IReadOnlyList<(int Tensor, int First, int Last, int Offset, int Bytes)> ArenaIntervals(DeviceModel model) =>
        Planning.MemoryPlanner.Lifetimes(model)
            .Where(l => l.Size > 0)
            .Select(l => (l.Index, l.First, l.Last, model.Tensors[l.Index].ArenaOffset, l.Size))
            .ToList();
}
