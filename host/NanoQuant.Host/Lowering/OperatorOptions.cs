using NanoQuant.Host.Conversion;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering;

/// <summary>An operator's builtin options table; an absent table reads as all defaults.</summary>
public readonly struct OperatorOptions(TfLiteTable? table)
{
    public int GetInt(int id, int defaultValue = 0) => table?.GetInt(id, defaultValue) ?? defaultValue;
    public byte GetByte(int id, byte defaultValue = 0) => table?.GetByte(id, defaultValue) ?? defaultValue;
    public bool GetBool(int id, bool defaultValue = false) => table?.GetBool(id, defaultValue) ?? defaultValue;
    public float GetFloat(int id, float defaultValue = 0) => table?.GetFloat(id, defaultValue) ?? defaultValue;
    public int[]? GetIntArray(int id) => table?.GetIntArray(id, $"field {id}");
    public FusedActivation GetActivation(int id) => (FusedActivation)GetByte(id);
}
