namespace NanoQuant
{
    /// <summary>Native AVERAGE_POOL_2D and MAX_POOL_2D parameters (NQ_POOL_* in nanoquant_kernels.h; a test compares the two).</summary>
    internal static class NativePoolLayout
    {
        internal const int Batches = NativeCallLayout.First;
        internal const int InputHeight = NativeCallLayout.First + 1;
        internal const int InputWidth = NativeCallLayout.First + 2;
        internal const int Depth = NativeCallLayout.First + 3;
        internal const int OutputHeight = NativeCallLayout.First + 4;
        internal const int OutputWidth = NativeCallLayout.First + 5;
        internal const int StrideHeight = NativeCallLayout.First + 6;
        internal const int StrideWidth = NativeCallLayout.First + 7;
        internal const int FilterHeight = NativeCallLayout.First + 8;
        internal const int FilterWidth = NativeCallLayout.First + 9;
        internal const int PadTop = NativeCallLayout.First + 10;
        internal const int PadLeft = NativeCallLayout.First + 11;
        internal const int ActivationMin = NativeCallLayout.First + 12;
        internal const int ActivationMax = NativeCallLayout.First + 13;
        internal const int Count = NativeCallLayout.First + 14;
    }
}
