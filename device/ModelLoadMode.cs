namespace NanoQuant
{
    /// <summary>Where a model loaded from a stream or file keeps its int8 constants (weights).</summary>
    public enum ModelLoadMode
    {
        /// <summary>
        /// Every constant is copied to RAM at load (palette-stored weights decoded once, there); the file (or
        /// stream) is not needed afterwards. RAM: tables + int32 constants + int8 constants + arena.
        /// </summary>
        CopyToRam = 0,

        /// <summary>
        /// Int8 constants stay on storage: before each operator runs, its int8 constant inputs are read
        /// from the file into one reusable buffer sized for the largest operator. Int32 constants
        /// (biases, multipliers, shifts) are still copied to RAM. RAM: tables + int32 constants +
        /// weight buffer + arena. The stream must stay open and unchanged while the interpreter is used.
        /// The Data of a constant int8 tensor then holds the weights staged last (valid while its operator runs).
        /// </summary>
        StreamWeights = 1,

        /// <summary>
        /// As <see cref="CopyToRam"/>, but palette-stored weights stay encoded in RAM (a 4-bit palette takes about
        /// half the bytes) and are decoded before each operator runs into one reusable buffer sized for the
        /// largest operator. Plain int8 weights are held as with CopyToRam. Saves RAM at a cost in speed: a
        /// weight used once per Invoke (FULLY_CONNECTED) costs about as much to decode as to multiply.
        /// (<see cref="CopyToRam"/> decodes palettes once, at load.)
        /// </summary>
        CompactPalettes = 2,
    }
}
