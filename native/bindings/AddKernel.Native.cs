namespace NanoQuant
{
    /// <summary>ADD's (and SUB's) native binding: native/kernels/add.c with this kernel's two rescaling tables.</summary>
    internal partial class AddKernel
    {
        internal override Kernel BindTo(KernelBackend backend)
        {
            int[] p = _broadcast.NativeParameters(5);
            int i = Broadcast.NativeEnd;
            p[i++] = _outputOffset;
            p[i++] = _outputMultiplier;
            p[i++] = _outputShift;
            p[i++] = _activationMin;
            p[i] = _activationMax;
            return new NativeKernel(this, backend, NativeOperator.Add, p, _input1, _input2, _output, _table1, _table2, null, null);
        }
    }
}
