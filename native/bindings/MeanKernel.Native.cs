namespace NanoQuant
{
    /// <summary>MEAN's native binding: native/kernels/mean.c with this kernel's three kept and three reduced levels.</summary>
    internal sealed partial class MeanKernel
    {
        internal override Kernel BindTo(KernelBackend backend)
        {
            if (_wide)
            {
                return null; // native/kernels/mean.c is int8; the int16 MEAN stays managed
            }

            int[] p = new int[NativeMeanLayout.Count];
            for (int level = 0; level < Levels; level++)
            {
                p[NativeMeanLayout.KeptCounts + level] = _keptCounts[level];
                p[NativeMeanLayout.KeptStrides + level] = _keptStrides[level];
                p[NativeMeanLayout.ReducedCounts + level] = _reducedCounts[level];
                p[NativeMeanLayout.ReducedStrides + level] = _reducedStrides[level];
            }

            p[NativeMeanLayout.Correction] = _correction;
            p[NativeMeanLayout.Multiplier] = _multiplier;
            p[NativeMeanLayout.Shift] = _shift;
            p[NativeMeanLayout.OutputOffset] = _outputZeroPoint;
            return new NativeKernel(this, backend, NativeOperator.Mean, p, _input, null, _output, null, null, null, null);
        }
    }
}
