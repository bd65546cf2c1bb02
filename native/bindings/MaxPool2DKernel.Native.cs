namespace NanoQuant
{
    /// <summary>MAX_POOL_2D's native binding: native/kernels/max_pool_2d.c.</summary>
    internal sealed partial class MaxPool2DKernel
    {
        internal override Kernel BindTo(KernelBackend backend)
        {
            return new NativeKernel(this, backend, NativeOperator.MaxPool2D, NativeParameters.ForPool(_g), _g.Input, null, _g.Output, null, null, null, null);
        }
    }
}
