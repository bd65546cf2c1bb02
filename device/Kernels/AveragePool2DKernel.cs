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
    /// The window walk is written out here and in <see cref="MaxPool2DKernel"/> rather than shared, so that
    /// the innermost loop carries no per-element dispatch on the IL interpreter.
    /// </summary>
    internal sealed partial class AveragePool2DKernel : Kernel
    {
        private readonly PoolGeometry _g;

        internal AveragePool2DKernel(OperatorDefinition op, Tensor[] tensors)
        {
            _g = new PoolGeometry(op, tensors);
        }

        internal override void Invoke()
        {
            PoolGeometry g = _g;
            sbyte[] input = g.Input.data;
            sbyte[] output = g.Output.data;
            int depth = g.Depth;
            int inputHeight = g.InputHeight;
            int inputWidth = g.InputWidth;
            int outputHeight = g.OutputHeight;
            int outputWidth = g.OutputWidth;
            int strideHeight = g.StrideHeight;
            int strideWidth = g.StrideWidth;
            int filterHeight = g.FilterHeight;
            int filterWidth = g.FilterWidth;
            int min = g.ActivationMin;
            int max = g.ActivationMax;
            int rowStride = inputWidth * depth;
            int imageSize = inputHeight * rowStride;
            int batchBase = g.Input.offset;
            int o = g.Output.offset;
            for (int b = 0; b < g.Batches; b++)
            {
                for (int oy = 0; oy < outputHeight; oy++)
                {
                    int originY = (oy * strideHeight) - g.PadTop;
                    int y0 = originY < 0 ? 0 : originY;
                    int y1 = originY + filterHeight;
                    if (y1 > inputHeight)
                    {
                        y1 = inputHeight;
                    }

                    for (int ox = 0; ox < outputWidth; ox++)
                    {
                        int originX = (ox * strideWidth) - g.PadLeft;
                        int x0 = originX < 0 ? 0 : originX;
                        int x1 = originX + filterWidth;
                        if (x1 > inputWidth)
                        {
                            x1 = inputWidth;
                        }

                        int rows = y1 - y0;
                        int columns = x1 - x0;
                        int count = rows * columns;
                        int half = count / 2;
                        int windowStart = batchBase + (y0 * rowStride) + (x0 * depth);
                        int rowSkip = rowStride - (columns * depth);
                        for (int c = 0; c < depth; c++)
                        {
                            int acc = 0;
                            int p = windowStart + c;
                            for (int y = 0; y < rows; y++)
                            {
                                int end = p + (columns * depth);
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

                batchBase += imageSize;
            }
        }
    }
}
