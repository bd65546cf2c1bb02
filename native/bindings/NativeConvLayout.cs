namespace NanoQuant
{
    /// <summary>Native CONV_2D and DEPTHWISE_CONV_2D parameters (NQ_CONV_* in nanoquant_kernels.h; a test compares the two).</summary>
    internal static class NativeConvLayout
    {
        internal const int Batches = NativeCallLayout.First;
        internal const int InputHeight = NativeCallLayout.First + 1;
        internal const int InputWidth = NativeCallLayout.First + 2;
        internal const int InputDepth = NativeCallLayout.First + 3;
        internal const int OutputHeight = NativeCallLayout.First + 4;
        internal const int OutputWidth = NativeCallLayout.First + 5;
        internal const int OutputDepth = NativeCallLayout.First + 6;
        internal const int KernelHeight = NativeCallLayout.First + 7;
        internal const int KernelWidth = NativeCallLayout.First + 8;
        internal const int FilterDepth = NativeCallLayout.First + 9;
        internal const int StrideHeight = NativeCallLayout.First + 10;
        internal const int StrideWidth = NativeCallLayout.First + 11;
        internal const int DilationHeight = NativeCallLayout.First + 12;
        internal const int DilationWidth = NativeCallLayout.First + 13;
        internal const int PadTop = NativeCallLayout.First + 14;
        internal const int PadLeft = NativeCallLayout.First + 15;
        internal const int InputOffset = NativeCallLayout.First + 16;
        internal const int OutputOffset = NativeCallLayout.First + 17;
        internal const int ActivationMin = NativeCallLayout.First + 18;
        internal const int ActivationMax = NativeCallLayout.First + 19;
        internal const int Count = NativeCallLayout.First + 20;
    }
}
