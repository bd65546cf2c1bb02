using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering;

/// <summary>
/// The one registry of lowerings, keyed by operator and activation type: every <see cref="IOperatorLowering"/> of this
/// assembly, found by reflection, so a new lowering needs no registration.
/// </summary>
public static class Lowerings
{
    private static readonly Dictionary<(BuiltinOperator Operator, TfLiteType Activations), IOperatorLowering> All = typeof(IOperatorLowering).Assembly
        .GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IOperatorLowering).IsAssignableFrom(t))
        .Select(t => (IOperatorLowering)Activator.CreateInstance(t)!)
        .SelectMany(l => l.Operators.Select(op => (Key: (op, l.Activations), Lowering: l)))
        .ToDictionary(p => p.Key, p => p.Lowering);

    /// <summary>The lowering of <paramref name="op"/> with <paramref name="activations"/> (int8 or int16) activations, or null when there is none.</summary>
    public static IOperatorLowering? Find(BuiltinOperator op, TfLiteType activations) => All.GetValueOrDefault((op, activations));

    /// <summary>The operators lowered with <paramref name="activations"/> activations.</summary>
    public static IEnumerable<BuiltinOperator> Operators(TfLiteType activations) => All.Keys.Where(k => k.Activations == activations).Select(k => k.Operator);
}
