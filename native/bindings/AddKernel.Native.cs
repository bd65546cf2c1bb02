namespace NanoQuant
{
    /// <summary>ADD's (and SUB's) native binding: native/kernels/add.c with this kernel's two rescaling tables.</summary>
    internal partial class AddKernel
    {
        internal override Kernel BindTo(KernelBackend backend)
        {
            int[] p = _broadcast.NativeParameters(NativeAddLayout.Count);
            p[NativeAddLayout.OutputOffset] = _outputOffset;
            p[NativeAddLayout.Multiplier] = _outputMultiplier;
            p[NativeAddLayout.Shift] = _outputShift;
            p[NativeAddLayout.ActivationMin] = _activationMin;
            p[NativeAddLayout.ActivationMax] = _activationMax;
            return new NativeKernel(this, backend, NativeOperator.Add, p, _input1, _input2, _output, _table1, _table2, null, null);
        }
    }
}
