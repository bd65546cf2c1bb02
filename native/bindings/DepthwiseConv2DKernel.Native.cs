namespace NanoQuant
{
    /// <summary>DEPTHWISE_CONV_2D's native binding: native/kernels/depthwise_conv_2d.c.</summary>
    internal sealed partial class DepthwiseConv2DKernel
    {
        internal override Kernel BindTo(KernelBackend backend)
        {
            int[] p = NativeParameters.ForWindow(_window, _multiplier);
            return new NativeKernel(this, backend, NativeOperator.DepthwiseConv2D, p, _input, _filter, _output, _bias, _foldedBias, _multipliers, _shifts);
        }
    }
}
