namespace NanoQuant
{
    /// <summary>
    /// AVERAGE_POOL_2D, int16 (TFLM reference_integer_ops::AveragePool on int16): the int8 kernel's
    /// arithmetic (in-bounds sum in int32, divided by the count rounding half away from zero, clamped)
    /// on little-endian int16 elements. Input and output share one quantization.
    /// Inputs: 0 input int16 NHWC. Output: int16 NHWC. Parameters: see <see cref="PoolGeometry"/>.
    /// </summary>
    internal sealed class AveragePool2DInt16Kernel : Kernel
    {
        private readonly PoolGeometry _g;

        internal AveragePool2DInt16Kernel(OperatorDefinition op, Tensor[] tensors)
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
            int rowStride = inputWidth * depth * 2;
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
                        int windowStart = batchBase + (y0 * rowStride) + (x0 * depth * 2);
                        int rowSkip = rowStride - (columns * depth * 2);
                        for (int c = 0; c < depth; c++)
                        {
                            int acc = 0;
                            int p = windowStart + (2 * c);
                            for (int y = 0; y < rows; y++)
                            {
                                int end = p + (columns * depth * 2);
                                while (p < end)
                                {
                                    acc += (input[p] & 0xFF) | (input[p + 1] << 8);
                                    p += depth * 2;
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

                batchBase += imageSize;
            }
        }
    }
}
