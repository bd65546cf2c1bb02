namespace NanoQuant
{
    /// <summary>AVERAGE_POOL_2D's native binding: native/kernels/average_pool_2d.c.</summary>
    internal sealed partial class AveragePool2DKernel
    {
        internal override Kernel BindTo(KernelBackend backend)
        {
            return new NativeKernel(this, backend, NativeOperator.AveragePool2D, NativeParameters.ForPool(_g), _g.Input, null, _g.Output, null, null, null, null);
        }
    }
}
