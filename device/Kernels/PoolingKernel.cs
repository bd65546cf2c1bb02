namespace NanoQuant
{
    /// <summary>
    /// Base of the four pooling kernels (MAX_POOL_2D and AVERAGE_POOL_2D, int8 and int16): walks the
    /// output in NHWC order, clips each window to the input and hands the derived kernel one window
    /// (all its channels) at a time. The walk costs one call per output position, never per element.
    /// Indices are byte indices into the tensors' arrays (an int16 element is two bytes).
    /// </summary>
    internal abstract class PoolingKernel : Kernel
    {
        /// <summary>The checked geometry: shapes, strides, filter, padding, activation range.</summary>
        protected readonly PoolGeometry _g;

        protected PoolingKernel(OperatorDefinition op, Tensor[] tensors)
        {
            _g = new PoolGeometry(op, tensors);
        }

        /// <summary>
        /// Computes all channels of one output position: its window's in-bounds part is
        /// <paramref name="rows"/> × <paramref name="columns"/> input positions, the first of them (channel 0)
        /// at byte <paramref name="windowStart"/>; channel c's output goes to byte
        /// <paramref name="outIndex"/> + c × element size; <paramref name="rowStride"/> is the bytes from one
        /// input row to the next.
        /// </summary>
        protected abstract void Window(int windowStart, int rows, int columns, int rowStride, int outIndex);

        internal override void Invoke()
        {
            PoolGeometry g = _g;
            int inputHeight = g.InputHeight;
            int inputWidth = g.InputWidth;
            int outputHeight = g.OutputHeight;
            int outputWidth = g.OutputWidth;
            int strideHeight = g.StrideHeight;
            int strideWidth = g.StrideWidth;
            int filterHeight = g.FilterHeight;
            int filterWidth = g.FilterWidth;
            // Bytes per element, 1 (int8) or 2 (int16): read once per Invoke rather than kept in a field per kernel.
            int pixelSize = g.Depth * (g.Input.type == Format.TensorType.Int16 ? 2 : 1);
            int rowStride = inputWidth * pixelSize;
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

                    int rowStart = batchBase + (y0 * rowStride);
                    for (int ox = 0; ox < outputWidth; ox++)
                    {
                        int originX = (ox * strideWidth) - g.PadLeft;
                        int x0 = originX < 0 ? 0 : originX;
                        int x1 = originX + filterWidth;
                        if (x1 > inputWidth)
                        {
                            x1 = inputWidth;
                        }

                        Window(rowStart + (x0 * pixelSize), y1 - y0, x1 - x0, rowStride, o);
                        o += pixelSize;
                    }
                }

                batchBase += imageSize;
            }
        }
    }
}
