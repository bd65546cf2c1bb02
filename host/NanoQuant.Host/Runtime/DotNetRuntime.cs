using NanoQuant.Host.Npy;

namespace NanoQuant.Host.Runtime;

/// <summary>`--runtime dotnet`: the device library built for .NET, in this process (<see cref="ModelRunner"/>).</summary>
public sealed class DotNetRuntime : IModelRuntime
{
    public string Name => ModelRuntimes.DotNet;

    public bool InProcess => ModelRuntimes.RunsInProcess(Name);

    public RuntimeRun Run(byte[] model, IReadOnlyList<NpyArray> inputs, IProgress<int>? progress = null, bool resetState = false) =>
        new(new ModelRunner(model).Run(inputs, progress, resetState: resetState));
}
