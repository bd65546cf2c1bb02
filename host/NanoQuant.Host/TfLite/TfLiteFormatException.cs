namespace NanoQuant.Host.TfLite;

/// <summary>A .tflite file that is not a well-formed TensorFlow Lite FlatBuffer.</summary>
public sealed class TfLiteFormatException(string message) : Exception(message);
