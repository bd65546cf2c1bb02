namespace NanoQuant
{
    /// <summary>Writes the parameter blocks several native operators share (layouts in nanoquant_kernels.h).</summary>
    internal static class NativeParameters
    {
        /// <summary>CONV_2D / DEPTHWISE_CONV_2D: the window; <paramref name="filterDepth"/> is the conv's channels per group or the depthwise multiplier.</summary>
        internal static int[] ForWindow(ConvWindow w, int filterDepth)
        {
            int[] p = new int[NativeOperator.First + 20];
            int i = NativeOperator.First;
            p[i++] = w.Batches;
            p[i++] = w.InputHeight;
            p[i++] = w.InputWidth;
            p[i++] = w.InputDepth;
            p[i++] = w.OutputHeight;
            p[i++] = w.OutputWidth;
            p[i++] = w.OutputDepth;
            p[i++] = w.KernelHeight;
            p[i++] = w.KernelWidth;
            p[i++] = filterDepth;
            p[i++] = w.StrideHeight;
            p[i++] = w.StrideWidth;
            p[i++] = w.DilationHeight;
            p[i++] = w.DilationWidth;
            p[i++] = w.PadTop;
            p[i++] = w.PadLeft;
            p[i++] = w.InputOffset;
            p[i++] = w.OutputOffset;
            p[i++] = w.ActivationMin;
            p[i] = w.ActivationMax;
            return p;
        }

        /// <summary>AVERAGE_POOL_2D / MAX_POOL_2D.</summary>
        internal static int[] ForPool(PoolGeometry g)
        {
            int[] p = new int[NativeOperator.First + 14];
            int i = NativeOperator.First;
            p[i++] = g.Batches;
            p[i++] = g.InputHeight;
            p[i++] = g.InputWidth;
            p[i++] = g.Depth;
            p[i++] = g.OutputHeight;
            p[i++] = g.OutputWidth;
            p[i++] = g.StrideHeight;
            p[i++] = g.StrideWidth;
            p[i++] = g.FilterHeight;
            p[i++] = g.FilterWidth;
            p[i++] = g.PadTop;
            p[i++] = g.PadLeft;
            p[i++] = g.ActivationMin;
            p[i] = g.ActivationMax;
            return p;
        }
    }
}
