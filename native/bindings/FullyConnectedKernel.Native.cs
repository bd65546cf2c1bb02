namespace NanoQuant
{
    /// <summary>FULLY_CONNECTED's native binding: native/kernels/fully_connected.c.</summary>
    internal sealed partial class FullyConnectedKernel
    {
        internal override Kernel BindTo(KernelBackend backend)
        {
            int[] p = new int[NativeOperator.First + 7];
            int i = NativeOperator.First;
            p[i++] = _batches;
            p[i++] = _depth;
            p[i++] = _units;
            p[i++] = _perChannel ? 1 : 0;
            p[i++] = _outputOffset;
            p[i++] = _activationMin;
            p[i] = _activationMax;
            return new NativeKernel(this, backend, NativeOperator.FullyConnected, p, _input, _filter, _output, _bias, _multipliers, _shifts, null);
        }
    }
}
