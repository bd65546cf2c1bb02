using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering;

/// <summary>
/// Turns one kind of TFLite operator into device operators: checks what the device kernel
/// supports, computes every multiplier, shift and clamp range, and emits the operator.
/// One class per operator family, beside the device kernel it targets.
/// </summary>
public interface IOperatorLowering
{
    /// <summary>The TFLite builtin operators this lowering handles.</summary>
    IReadOnlyList<BuiltinOperator> Operators { get; }

    /// <summary>Emits the device operators for <paramref name="op"/>, or throws <see cref="Conversion.UnsupportedModelException"/>.</summary>
    void Lower(LoweringContext context, TfLiteOperator op);
}
