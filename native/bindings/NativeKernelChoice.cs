namespace NanoQuant
{
    /// <summary>
    /// Which kernel a <see cref="KernelBackend"/> gives a call (<see cref="KernelBackend.KernelFor"/>; NQ_KERNEL_* in
    /// nanoquant_kernels.h, which a test compares with these): the backend's own, or a vendor library the native build
    /// was given (dispatch.c's rule table picks it per call).
    /// </summary>
    internal static class NativeKernelChoice
    {
        internal const int Own = 0;
        internal const int CmsisNn = 1;
        internal const int EspNn = 2;

        /// <summary>The name <c>bench --per-op</c> shows: the backend's own name for <see cref="Own"/>, else the library's.</summary>
        internal static string Name(int choice, string backendName)
        {
            if (choice == CmsisNn)
            {
                return "cmsis-nn";
            }

            if (choice == EspNn)
            {
                return "esp-nn";
            }

            return backendName;
        }
    }
}
