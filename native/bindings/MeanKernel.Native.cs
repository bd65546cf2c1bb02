namespace NanoQuant
{
    /// <summary>MEAN's native binding: native/kernels/mean.c with this kernel's three kept and three reduced levels.</summary>
    internal sealed partial class MeanKernel
    {
        internal override Kernel BindTo(KernelBackend backend)
        {
            int[] p = new int[NativeOperator.First + 16];
            int i = NativeOperator.First;
            for (int level = 0; level < Levels; level++)
            {
                p[i + level] = _keptCounts[level];
                p[i + 3 + level] = _keptStrides[level];
                p[i + 6 + level] = _reducedCounts[level];
                p[i + 9 + level] = _reducedStrides[level];
            }

            i += 12;
            p[i++] = _correction;
            p[i++] = _multiplier;
            p[i++] = _shift;
            p[i] = _outputZeroPoint;
            return new NativeKernel(this, backend, NativeOperator.Mean, p, _input, null, _output, null, null, null, null);
        }
    }
}
