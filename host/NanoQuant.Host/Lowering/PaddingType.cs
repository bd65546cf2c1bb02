using NanoQuant.Format;

namespace NanoQuant.Host.Lowering;

/// <summary>TFLite's padding schemes (schema enum Padding); the arithmetic is <see cref="WindowPadding"/>, shared with the device.</summary>
public enum PaddingType : byte
{
    Same = WindowPadding.Same,
    Valid = WindowPadding.Valid,
}
