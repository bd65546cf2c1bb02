namespace NanoQuant.Host.Conversion;

/// <summary>A model the converter cannot turn into a device model; the message says what and what to do.</summary>
public sealed class UnsupportedModelException(string message) : Exception(message);
