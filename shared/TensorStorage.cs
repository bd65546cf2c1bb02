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
    }
}
