namespace NanoQuant
{
    /// <summary>Native MEAN parameters: three kept and three reduced levels, outermost first (NQ_MEAN_* in nanoquant_kernels.h; a test compares the two).</summary>
    internal static class NativeMeanLayout
    {
        /// <summary>Levels of each kind.</summary>
        internal const int Levels = 3;

        internal const int KeptCounts = NativeCallLayout.First;
        internal const int KeptStrides = KeptCounts + Levels;
        internal const int ReducedCounts = KeptStrides + Levels;
        internal const int ReducedStrides = ReducedCounts + Levels;
        internal const int Correction = ReducedStrides + Levels;
        internal const int Multiplier = Correction + 1;
        internal const int Shift = Correction + 2;
        internal const int OutputOffset = Correction + 3;
        internal const int Count = Correction + 4;
    }
}
