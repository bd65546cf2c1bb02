namespace NanoQuant.Format
{
    /// <summary>Element type of a device model tensor.</summary>
    public enum TensorType : byte
    {
        /// <summary>Signed 8-bit integers: every activation, every weight.</summary>
        Int8 = 1,

        /// <summary>Signed 32-bit integers: biases, requantization multipliers and shifts (constants only).</summary>
        Int32 = 2,
    }
}
