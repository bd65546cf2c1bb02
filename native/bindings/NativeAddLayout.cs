namespace NanoQuant
{
    /// <summary>Native ADD (and SUB) parameters after the broadcast plan (NQ_ADD_* in nanoquant_kernels.h; a test compares the two).</summary>
    internal static class NativeAddLayout
    {
        internal const int OutputOffset = NativeBroadcastLayout.End;
        internal const int Multiplier = NativeBroadcastLayout.End + 1;
        internal const int Shift = NativeBroadcastLayout.End + 2;
        internal const int ActivationMin = NativeBroadcastLayout.End + 3;
        internal const int ActivationMax = NativeBroadcastLayout.End + 4;
        internal const int Count = NativeBroadcastLayout.End + 5;
    }
}
