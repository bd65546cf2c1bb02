namespace NanoQuant
{
    /// <summary>Parameters every <see cref="KernelBackend"/> call has (NQ_P_* in nanoquant_kernels.h; a test compares the two).</summary>
    internal static class NativeCallLayout
    {
        internal const int Operator = 0;
        internal const int InputStart = 1;
        internal const int SecondStart = 2;
        internal const int OutputStart = 3;
        internal const int InputLength = 4;
        internal const int SecondLength = 5;
        internal const int OutputLength = 6;

        /// <summary>The operator's own parameters start here.</summary>
        internal const int First = 7;
    }
}
