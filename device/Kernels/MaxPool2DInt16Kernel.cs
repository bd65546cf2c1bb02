namespace NanoQuant
{
    /// <summary>
    /// MAX_POOL_2D, int16 (TFLM reference_integer_ops::MaxPool on int16): the largest in-bounds value of
    /// each window, clamped to the activation range, on little-endian int16 elements. Input and output
    /// share one quantization. Inputs: 0 input int16 NHWC. Output: int16 NHWC. Parameters: see
    /// <see cref="PoolGeometry"/>.
    /// The window walk is <see cref="PoolingKernel"/>'s; this kernel computes one window's channels. The locals at the
    /// top of <c>Window</c> repeat the other pooling kernels' on purpose: <c>Window</c> runs once per output position,
    /// and copying the fields into locals there is what keeps its channel loop to local loads on nanoCLR.
    /// </summary>
    internal sealed class MaxPool2DInt16Kernel : PoolingKernel
    {
        internal MaxPool2DInt16Kernel(OperatorDefinition op, Tensor[] tensors)
            : base(op, tensors)
        {
        }

        protected override void Window(int windowStart, int rows, int columns, int rowStride, int outIndex)
        {
            sbyte[] input = _g.Input.data;
            sbyte[] output = _g.Output.data;
            int step = 2 * _g.Depth;
            int min = _g.ActivationMin;
            int max = _g.ActivationMax;
            int rowLength = columns * step;
            int rowSkip = rowStride - rowLength;
            int o = outIndex;
            int outEnd = outIndex + step;
            while (o < outEnd)
            {
                int best = -32768;
                int p = windowStart + (o - outIndex);
                for (int y = 0; y < rows; y++)
                {
                    int end = p + rowLength;
                    while (p < end)
                    {
                        int v = (input[p] & 0xFF) | (input[p + 1] << 8);
                        if (v > best)
                        {
                            best = v;
                        }

                        p += step;
                    }

                    p += rowSkip;
                }

                best = best < min ? min : (best > max ? max : best);
                output[o] = (sbyte)best;
                output[o + 1] = (sbyte)(best >> 8);
                o += 2;
            }
        }
    }
}
