namespace NanoQuant
{
    /// <summary>MUL's native binding: native/kernels/mul.c.</summary>
    internal sealed partial class MulKernel
    {
        internal override Kernel BindTo(KernelBackend backend)
        {
            int[] p = _broadcast.NativeParameters(NativeMulLayout.Count);
            p[NativeMulLayout.ZeroPoint1] = _zeroPoint1;
            p[NativeMulLayout.ZeroPoint2] = _zeroPoint2;
            p[NativeMulLayout.OutputOffset] = _outputOffset;
            p[NativeMulLayout.Multiplier] = _multiplier;
            p[NativeMulLayout.Shift] = _shift;
            p[NativeMulLayout.ActivationMin] = _activationMin;
            p[NativeMulLayout.ActivationMax] = _activationMax;
            return new NativeKernel(this, backend, NativeOperator.Mul, p, _input1, _input2, _output, null, null, null, null);
        }
    }
}
