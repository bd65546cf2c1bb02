namespace NanoQuant
{
    /// <summary>FULLY_CONNECTED's native binding: native/kernels/fully_connected.c.</summary>
    internal sealed partial class FullyConnectedKernel
    {
        internal override Kernel BindTo(KernelBackend backend)
        {
            int[] p = new int[NativeFullyConnectedLayout.Count];
            p[NativeFullyConnectedLayout.Batches] = _batches;
            p[NativeFullyConnectedLayout.Depth] = _depth;
            p[NativeFullyConnectedLayout.Units] = _units;
            p[NativeFullyConnectedLayout.PerChannel] = _perChannel ? 1 : 0;
            p[NativeFullyConnectedLayout.OutputOffset] = _outputOffset;
            p[NativeFullyConnectedLayout.ActivationMin] = _activationMin;
            p[NativeFullyConnectedLayout.ActivationMax] = _activationMax;
            return new NativeKernel(this, backend, NativeOperator.FullyConnected, p, _input, _filter, _output, _bias, _multipliers, _shifts, null);
        }
    }
}
