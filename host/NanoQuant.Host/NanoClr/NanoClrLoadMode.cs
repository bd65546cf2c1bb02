namespace NanoQuant.Host.NanoClr;

/// <summary>How the nanoCLR program loads a job's model (the model reaches nanoCLR as a resource of the run-data assembly).</summary>
public enum NanoClrLoadMode
{
    /// <summary>Whole model as one byte[] into <c>new Interpreter(byte[])</c> when it fits in one nanoCLR array, else <see cref="ResourceStreamWeights"/>.</summary>
    Auto,

    /// <summary>The model as one byte[] (from the resource) into <c>new Interpreter(byte[])</c>: the in-RAM loader.</summary>
    Ram,

    /// <summary>The model byte[] wrapped in a stream over the array (nanoclr/runner/ByteArrayStream.cs), loaded with <c>ModelLoadMode.CopyToRam</c>: the stream loader.</summary>
    StreamCopyToRam,

    /// <summary>The model byte[] wrapped in a stream over the array (nanoclr/runner/ByteArrayStream.cs), loaded with <c>ModelLoadMode.StreamWeights</c>: weights streamed per operator.</summary>
    StreamWeights,

    /// <summary>A Stream that reads the resource piece by piece, with <c>ModelLoadMode.StreamWeights</c>: the model is never whole in RAM.</summary>
    ResourceStreamWeights,
}
