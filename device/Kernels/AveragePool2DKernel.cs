namespace NanoQuant
{
    /// <summary>
    /// AVERAGE_POOL_2D, int8 (TFLM reference_integer_ops::AveragePool). For each output element the
    /// in-bounds part of the window is summed and divided by the number of in-bounds elements,
    /// rounding half away from zero, then clamped to the activation range. Input and output share
    /// one quantization (TFLM requires it), so there is no rescaling.
    /// Inputs: 0 input int8 NHWC. Output: int8 NHWC. Parameters: see <see cref="PoolGeometry"/>
    /// (0 stride h, 1 stride w, 2 filter h, 3 filter w, 4 pad top, 5 pad bottom, 6 pad left,
    /// 7 pad right, 8 activation min, 9 activation max).
    /// The window walk is <see cref="PoolingKernel"/>'s; this kernel computes one window's channels. The locals at the
    /// top of <c>Window</c> repeat the other pooling kernels' on purpose: <c>Window</c> runs once per output position,
    /// and copying the fields into locals there is what keeps its channel loop to local loads on nanoCLR.
    /// </summary>
    internal sealed partial class AveragePool2DKernel : PoolingKernel
    {
        internal AveragePool2DKernel(OperatorDefinition op, Tensor[] tensors)
            : base(op, tensors)
        {
        }

        protected override void Window(int windowStart, int rows, int columns, int rowStride, int outIndex)
        {
            sbyte[] input = _g.Input.data;
            sbyte[] output = _g.Output.data;
            int depth = _g.Depth;
            int min = _g.ActivationMin;
            int max = _g.ActivationMax;
            int rowLength = columns * depth;
            int rowSkip = rowStride - rowLength;
            int count = rows * columns;
            int half = count / 2;
            int o = outIndex;
            for (int c = 0; c < depth; c++)
            {
                int acc = 0;
                int p = windowStart + c;
                for (int y = 0; y < rows; y++)
                {
                    int end = p + rowLength;
                    while (p < end)
                    {
                        acc += input[p];
                        p += depth;
                    }

                    p += rowSkip;
                }

                acc = acc > 0 ? (acc + half) / count : (acc - half) / count;
                output[o++] = (sbyte)(acc < min ? min : (acc > max ? max : acc));
            }
        }
    }
}
