namespace NanoQuant.Host.DeviceModels;

/// <summary>When the writer stores an int8 constant as a (lossless) palette.</summary>
public enum PaletteMode
{
    /// <summary>Never: every int8 constant is plain int8 bytes (a model any format-2 runtime reads with no decoding).</summary>
    Off,

    /// <summary>When the palette block is at most three quarters of the plain bytes (the converter's default).</summary>
    WhenSmaller,

    /// <summary>
    /// As <see cref="WhenSmaller"/>, and a palette may also flag its zeros (one bit for a zero, format version 4) when
    /// that is smaller: what a pruned model takes. Opt-in, so models without it keep their bytes and format version.
    /// </summary>
    WhenSmallerFlaggingZeros,

    /// <summary>Whenever the values fit a palette (≤ 128 per tensor or channel), even if larger — to exercise decoding in tests.</summary>
    Always,
}
