namespace NanoQuant
{
    /// <summary>Writes the parameter blocks several native operators share (layouts in nanoquant_kernels.h, named in Native*Layout).</summary>
    internal static class NativeParameters
    {
        /// <summary>CONV_2D / DEPTHWISE_CONV_2D: the window; <paramref name="filterDepth"/> is the conv's channels per group or the depthwise multiplier.</summary>
        internal static int[] ForWindow(ConvWindow w, int filterDepth)
        {
            int[] p = new int[NativeConvLayout.Count];
            p[NativeConvLayout.Batches] = w.Batches;
            p[NativeConvLayout.InputHeight] = w.InputHeight;
            p[NativeConvLayout.InputWidth] = w.InputWidth;
            p[NativeConvLayout.InputDepth] = w.InputDepth;
            p[NativeConvLayout.OutputHeight] = w.OutputHeight;
            p[NativeConvLayout.OutputWidth] = w.OutputWidth;
            p[NativeConvLayout.OutputDepth] = w.OutputDepth;
            p[NativeConvLayout.KernelHeight] = w.KernelHeight;
            p[NativeConvLayout.KernelWidth] = w.KernelWidth;
            p[NativeConvLayout.FilterDepth] = filterDepth;
            p[NativeConvLayout.StrideHeight] = w.StrideHeight;
            p[NativeConvLayout.StrideWidth] = w.StrideWidth;
            p[NativeConvLayout.DilationHeight] = w.DilationHeight;
            p[NativeConvLayout.DilationWidth] = w.DilationWidth;
            p[NativeConvLayout.PadTop] = w.PadTop;
            p[NativeConvLayout.PadLeft] = w.PadLeft;
            p[NativeConvLayout.InputOffset] = w.InputOffset;
            p[NativeConvLayout.OutputOffset] = w.OutputOffset;
            p[NativeConvLayout.ActivationMin] = w.ActivationMin;
            p[NativeConvLayout.ActivationMax] = w.ActivationMax;
            return p;
        }

        /// <summary>AVERAGE_POOL_2D / MAX_POOL_2D.</summary>
        internal static int[] ForPool(PoolGeometry g)
        {
            int[] p = new int[NativePoolLayout.Count];
            p[NativePoolLayout.Batches] = g.Batches;
            p[NativePoolLayout.InputHeight] = g.InputHeight;
            p[NativePoolLayout.InputWidth] = g.InputWidth;
            p[NativePoolLayout.Depth] = g.Depth;
            p[NativePoolLayout.OutputHeight] = g.OutputHeight;
            p[NativePoolLayout.OutputWidth] = g.OutputWidth;
            p[NativePoolLayout.StrideHeight] = g.StrideHeight;
            p[NativePoolLayout.StrideWidth] = g.StrideWidth;
            p[NativePoolLayout.FilterHeight] = g.FilterHeight;
            p[NativePoolLayout.FilterWidth] = g.FilterWidth;
            p[NativePoolLayout.PadTop] = g.PadTop;
            p[NativePoolLayout.PadLeft] = g.PadLeft;
            p[NativePoolLayout.ActivationMin] = g.ActivationMin;
            p[NativePoolLayout.ActivationMax] = g.ActivationMax;
            return p;
        }
    }
}
