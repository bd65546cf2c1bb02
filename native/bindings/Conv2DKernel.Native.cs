namespace NanoQuant
{
    /// <summary>CONV_2D's native binding: native/kernels/conv_2d.c with this kernel's window, biases, multipliers and shifts.</summary>
    internal sealed partial class Conv2DKernel
    {
        internal override Kernel BindTo(KernelBackend backend)
        {
            int[] p = NativeParameters.ForWindow(_window, _filterDepth);
            return new NativeKernel(this, backend, NativeOperator.Conv2D, p, _input, _filter, _output, _bias, _foldedBias, _multipliers, _shifts);
        }
    }
}
