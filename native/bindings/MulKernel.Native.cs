namespace NanoQuant
{
    /// <summary>MUL's native binding: native/kernels/mul.c.</summary>
    internal sealed partial class MulKernel
    {
        internal override Kernel BindTo(KernelBackend backend)
        {
            int[] p = _broadcast.NativeParameters(7);
            int i = Broadcast.NativeEnd;
            p[i++] = _zeroPoint1;
            p[i++] = _zeroPoint2;
            p[i++] = _outputOffset;
            p[i++] = _multiplier;
            p[i++] = _shift;
            p[i++] = _activationMin;
            p[i] = _activationMax;
            return new NativeKernel(this, backend, NativeOperator.Mul, p, _input1, _input2, _output, null, null, null, null);
        }
    }
}
