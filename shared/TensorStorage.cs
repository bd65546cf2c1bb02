namespace NanoQuant.Format
{
    /// <summary>Where a tensor's bytes live at run time.</summary>
    public enum TensorStorage : byte
    {
        /// <summary>In the activation arena, at the offset the host's memory plan chose.</summary>
        Arena = 0,

        /// <summary>In the model's constant section.</summary>
        Constant = 1,

        /// <summary>
        /// An int8 constant stored as a palette in the constant section: value tables (one per tensor or
        /// per channel, 2^k entries each) and packed k-bit indices; the runtime decodes it before use.
        /// </summary>
        Palette = 2,

        /// <summary>
        /// An int32 constant stored narrow: each element as 1, 2 or 3 little-endian bytes (the byte length
        /// gives the width), sign-extended to int32 at load. Format version 3.
        /// </summary>
        Narrow = 3,

        /// <summary>
        /// An int32 constant with no stored bytes that its operator computes at load: the folded bias
        /// (input 3) of an int8 CONV_2D or DEPTHWISE_CONV_2D, bias + input offset × Σ weights of the
        /// channel. Byte length and data offset are 0. Format version 3.
        /// </summary>
        Derived = 4,
    }
}
