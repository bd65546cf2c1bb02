namespace NanoQuant.Host.DeviceModels;

/// <summary>When the writer stores an int8 constant as a (lossless) palette.</summary>
public enum PaletteMode
{
    /// <summary>Never: every int8 constant is plain int8 bytes (a model any format-2 runtime reads with no decoding).</summary>
    Off,

    /// <summary>When the palette block is at most three quarters of the plain bytes (the converter's default).</summary>
    WhenSmaller,

    /// <summary>Whenever the values fit a palette (≤ 128 per tensor or channel), even if larger — to exercise decoding in tests.</summary>
    Always,
}
