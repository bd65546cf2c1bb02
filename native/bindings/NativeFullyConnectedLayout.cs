namespace NanoQuant
{
    /// <summary>Native FULLY_CONNECTED parameters (NQ_FC_* in nanoquant_kernels.h; a test compares the two).</summary>
    internal static class NativeFullyConnectedLayout
    {
        internal const int Batches = NativeCallLayout.First;
        internal const int Depth = NativeCallLayout.First + 1;
        internal const int Units = NativeCallLayout.First + 2;
        internal const int PerChannel = NativeCallLayout.First + 3;
        internal const int OutputOffset = NativeCallLayout.First + 4;
        internal const int ActivationMin = NativeCallLayout.First + 5;
        internal const int ActivationMax = NativeCallLayout.First + 6;
        internal const int Count = NativeCallLayout.First + 7;
    }
}
