namespace NanoQuant
{
    /// <summary>SOFTMAX's native binding: native/kernels/softmax.c with this kernel's two exp tables.</summary>
    internal sealed partial class SoftmaxKernel
    {
        internal override Kernel BindTo(KernelBackend backend)
        {
            int[] p = new int[NativeOperator.First + 2];
            p[NativeOperator.First] = _rows;
            p[NativeOperator.First + 1] = _depth;
            return new NativeKernel(this, backend, NativeOperator.Softmax, p, _input, null, _output, _exp, _expAccumulated, null, null);
        }
    }
}
