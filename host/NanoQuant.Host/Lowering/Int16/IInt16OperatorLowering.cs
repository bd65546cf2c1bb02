using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering.Int16;

/// <summary>
/// Lowers a 16x8 TFLite operator (int16 activations, int8 weights) to the device's int16 kernels:
/// applies the checks TFLite Micro's int16 kernels make (zero points 0, fixed output scales, bias
/// types) and computes their parameters. The converter routes an operator here when one of its
/// activations is int16.
/// </summary>
public interface IInt16OperatorLowering
{
    /// <summary>The TFLite builtin operators this lowering handles in 16x8 mode.</summary>
    IReadOnlyList<BuiltinOperator> Operators { get; }

    /// <summary>Emits the device operator for <paramref name="op"/>, or throws <see cref="Conversion.UnsupportedModelException"/>.</summary>
    void Lower(LoweringContext context, TfLiteOperator op);
}
