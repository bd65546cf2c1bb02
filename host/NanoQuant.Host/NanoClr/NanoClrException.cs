namespace NanoQuant.Host.NanoClr;

/// <summary>
/// Running on nanoCLR failed: the kit is missing or broken, the nanoFramework build failed, nanoCLR
/// crashed or timed out, the model exceeds what nanoCLR can hold, or what came back is not what the
/// model produces. The message names the problem (an <see cref="IOException"/>, so command-line callers
/// report it as one error line).
/// </summary>
public sealed class NanoClrException(string message) : IOException(message);
