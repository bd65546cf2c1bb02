namespace NanoQuant
{
    /// <summary>
    /// MAX_POOL_2D, int8 (TFLM reference_integer_ops::MaxPool): the largest in-bounds value of each
    /// window, clamped to the activation range. Input and output share one quantization.
    /// Inputs: 0 input int8 NHWC. Output: int8 NHWC. Parameters: see <see cref="PoolGeometry"/>
    /// (0 stride h, 1 stride w, 2 filter h, 3 filter w, 4 pad top, 5 pad bottom, 6 pad left,
    /// 7 pad right, 8 activation min, 9 activation max).
    /// The window walk is written out here and in <see cref="AveragePool2DKernel"/> rather than shared, so that
    /// the innermost loop carries no per-element dispatch on the IL interpreter.
    /// </summary>
    internal sealed partial class MaxPool2DKernel : Kernel
    {
        private readonly PoolGeometry _g;

        internal MaxPool2DKernel(OperatorDefinition op, Tensor[] tensors)
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
                        int rowLength = (x1 - x0) * depth;
                        int windowStart = batchBase + (y0 * rowStride) + (x0 * depth);
                        int rowSkip = rowStride - rowLength;
                        for (int c = 0; c < depth; c++)
                        {
                            int best = -128;
                            int p = windowStart + c;
                            for (int y = 0; y < rows; y++)
                            {
                                int end = p + rowLength;
                                while (p < end)
                                {
                                    int v = input[p];
                                    if (v > best)
                                    {
                                        best = v;
                                    }

                                    p += depth;
                                }

                                p += rowSkip;
                            }

                            output[o++] = (sbyte)(best < min ? min : (best > max ? max : best));
                        }
                    }
                }

                batchBase += imageSize;
            }
        }
    }
}
