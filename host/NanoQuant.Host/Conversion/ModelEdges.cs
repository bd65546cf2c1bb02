namespace NanoQuant.Host.Conversion;

/// <summary>What a quantized model takes and gives at its inputs and outputs (`convert --io`).</summary>
public enum ModelEdges
{
    /// <summary>Integers of the activation type: int8, or int16 with int16 activations.</summary>
    Activations,

    /// <summary>float32, with QUANTIZE after each input and DEQUANTIZE before each output.</summary>
    Float,

    /// <summary>uint8 (zero point + 128, same scale) as TFLite's inference_input_type=tf.uint8; int8 activations only.</summary>
    UInt8,
}
