using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering;

/// <summary>
/// Turns one kind of TFLite operator into device operators: checks what the device kernel
/// supports, computes every multiplier, shift and clamp range, and emits the operator.
/// One class per operator and activation type (int8 here, 16x8 in <c>Int16/</c>), beside the device
/// kernel it targets; <see cref="Lowerings"/> finds them all.
/// </summary>
public interface IOperatorLowering
{
    /// <summary>The TFLite builtin operators this lowering handles.</summary>
    IReadOnlyList<BuiltinOperator> Operators { get; }

    /// <summary>The activation type it lowers: int8, or int16 for 16x8 (int16 activations, int8 weights).</summary>
    TfLiteType Activations => TfLiteType.Int8;

    /// <summary>Emits the device operators for <paramref name="op"/>, or throws <see cref="Conversion.UnsupportedModelException"/>.</summary>
    void Lower(LoweringContext context, TfLiteOperator op);
}
