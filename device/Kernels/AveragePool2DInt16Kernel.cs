namespace NanoQuant
{
    /// <summary>
    /// AVERAGE_POOL_2D, int16 (TFLM reference_integer_ops::AveragePool on int16): the int8 kernel's
    /// arithmetic (in-bounds sum in int32, divided by the count rounding half away from zero, clamped)
    /// on little-endian int16 elements. Input and output share one quantization.
    /// Inputs: 0 input int16 NHWC. Output: int16 NHWC. Parameters: see <see cref="PoolGeometry"/>.
    /// The window walk is <see cref="PoolingKernel"/>'s; this kernel computes one window's channels. The locals at the
    /// top of <c>Window</c> repeat the other pooling kernels' on purpose: <c>Window</c> runs once per output position,
    /// and copying the fields into locals there is what keeps its channel loop to local loads on nanoCLR.
    /// </summary>
    internal sealed class AveragePool2DInt16Kernel : PoolingKernel
    {
        internal AveragePool2DInt16Kernel(OperatorDefinition op, Tensor[] tensors)
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
            int count = rows * columns;
            int half = count / 2;
            int o = outIndex;
            int outEnd = outIndex + step;
            while (o < outEnd)
            {
                int acc = 0;
                int p = windowStart + (o - outIndex);
                for (int y = 0; y < rows; y++)
                {
                    int end = p + rowLength;
                    while (p < end)
                    {
                        acc += (input[p] & 0xFF) | (input[p + 1] << 8);
                        p += step;
                    }

                    p += rowSkip;
                }

                acc = acc > 0 ? (acc + half) / count : (acc - half) / count;
                acc = acc < min ? min : (acc > max ? max : acc);
                output[o] = (sbyte)acc;
                output[o + 1] = (sbyte)(acc >> 8);
                o += 2;
            }
        }
    }
}
