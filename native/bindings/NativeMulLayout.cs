namespace NanoQuant
{
    /// <summary>Native MUL parameters after the broadcast plan (NQ_MUL_* in nanoquant_kernels.h; a test compares the two).</summary>
    internal static class NativeMulLayout
    {
        internal const int ZeroPoint1 = NativeBroadcastLayout.End;
        internal const int ZeroPoint2 = NativeBroadcastLayout.End + 1;
        internal const int OutputOffset = NativeBroadcastLayout.End + 2;
        internal const int Multiplier = NativeBroadcastLayout.End + 3;
        internal const int Shift = NativeBroadcastLayout.End + 4;
        internal const int ActivationMin = NativeBroadcastLayout.End + 5;
        internal const int ActivationMax = NativeBroadcastLayout.End + 6;
        internal const int Count = NativeBroadcastLayout.End + 7;
    }
}
