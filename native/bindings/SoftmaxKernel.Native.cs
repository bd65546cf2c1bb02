namespace NanoQuant
{
    /// <summary>SOFTMAX's native binding: native/kernels/softmax.c with this kernel's two exp tables.</summary>
    internal sealed partial class SoftmaxKernel
    {
        internal override Kernel BindTo(KernelBackend backend)
        {
            int[] p = new int[NativeSoftmaxLayout.Count];
            p[NativeSoftmaxLayout.Rows] = _rows;
            p[NativeSoftmaxLayout.Depth] = _depth;
            return new NativeKernel(this, backend, NativeOperator.Softmax, p, _input, null, _output, _exp, _expAccumulated, null, null);
        }
    }
}
