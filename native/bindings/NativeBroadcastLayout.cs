namespace NanoQuant
{
    /// <summary>Native broadcast plan of ADD and MUL (NQ_BC_* and NQ_BROADCAST_MAX_OUTER in nanoquant_kernels.h; a test compares the two).</summary>
    internal static class NativeBroadcastLayout
    {
        /// <summary>Most outer axes of a plan.</summary>
        internal const int MaxOuter = 5;

        internal const int Inner = NativeCallLayout.First;
        internal const int Step1 = NativeCallLayout.First + 1;
        internal const int Step2 = NativeCallLayout.First + 2;
        internal const int OuterRank = NativeCallLayout.First + 3;

        /// <summary><see cref="MaxOuter"/> outer axis sizes, outermost first.</summary>
        internal const int Counts = NativeCallLayout.First + 4;

        /// <summary><see cref="MaxOuter"/> input 1 strides.</summary>
        internal const int Strides1 = Counts + MaxOuter;

        /// <summary><see cref="MaxOuter"/> input 2 strides.</summary>
        internal const int Strides2 = Strides1 + MaxOuter;

        /// <summary>The operator's own parameters follow the plan from here.</summary>
        internal const int End = Strides2 + MaxOuter;
    }
}
