namespace NanoQuant.Format
{
    /// <summary>Element type of a device model tensor.</summary>
    public enum TensorType : byte
    {
        /// <summary>Signed 8-bit integers: the activations of int8 models, every weight.</summary>
        Int8 = 1,

        /// <summary>Signed 32-bit integers: biases, requantization multipliers and shifts (constants only).</summary>
        Int32 = 2,

        /// <summary>Signed 16-bit integers, little-endian: the activations of 16x8 models (arena or constant).</summary>
        Int16 = 3,

        /// <summary>Signed 64-bit integers, little-endian: the biases of 16x8 convolutions and fully connected layers (constants only).</summary>
        Int64 = 4,
    }
}
