namespace NanoQuant
{
    /// <summary>Native SOFTMAX parameters (NQ_SOFTMAX_* in nanoquant_kernels.h; a test compares the two).</summary>
    internal static class NativeSoftmaxLayout
    {
        internal const int Rows = NativeCallLayout.First;
        internal const int Depth = NativeCallLayout.First + 1;
        internal const int Count = NativeCallLayout.First + 2;
    }
}
