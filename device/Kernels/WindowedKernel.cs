namespace NanoQuant
{
    /// <summary>
    /// Base of CONV_2D and DEPTHWISE_CONV_2D: walks the output in NHWC order and splits each row into
    /// border pixels (some filter tap falls outside the input: bounds-checked, exactly TFLM) and one
    /// run of interior pixels (every tap inside: the fast loop with the input zero point folded into
    /// the bias). The derived kernel computes one border pixel or one interior run; the walk costs a
    /// call per border pixel and per row, never per multiply-accumulate.
    /// </summary>
    internal abstract class WindowedKernel : Kernel
    {
        /// <summary>Computes all output channels of <paramref name="count"/> interior pixels of one row.</summary>
        /// <param name="pixel">Index of the first input value of the first pixel's window.</param>
        /// <param name="count">Number of consecutive interior output pixels.</param>
        /// <param name="outIndex">Index of the first output value.</param>
        protected abstract void InteriorRow(int pixel, int count, int outIndex);

        /// <summary>Computes all output channels of one border pixel whose window starts at (<paramref name="inY"/>, <paramref name="inX"/>).</summary>
        protected abstract void BorderPixel(int batchBase, int inY, int inX, int outIndex);

        /// <summary>Runs the whole output of <paramref name="window"/>.</summary>
        protected void Walk(ConvWindow window, int inputOffset, int outputOffset)
        {
            int inputWidth = window.InputWidth;
            int inDepth = window.InputDepth;
            int outputHeight = window.OutputHeight;
            int outputWidth = window.OutputWidth;
            int outDepth = window.OutputDepth;
            int strideHeight = window.StrideHeight;
            int strideWidth = window.StrideWidth;
            int padTop = window.PadTop;
            int padLeft = window.PadLeft;
            int top = window.InteriorTop;
            int bottom = window.InteriorBottom;
            int left = window.InteriorLeft;
            int right = window.InteriorRight;
            int batchSize = window.InputHeight * inputWidth * inDepth;
            int batchBase = inputOffset;
            int outIndex = outputOffset;
            for (int b = 0; b < window.Batches; b++)
            {
                for (int oy = 0; oy < outputHeight; oy++)
                {
                    int inY = (oy * strideHeight) - padTop;
                    int ox = 0;
                    if (oy >= top && oy < bottom)
                    {
                        for (; ox < left; ox++)
                        {
                            BorderPixel(batchBase, inY, (ox * strideWidth) - padLeft, outIndex);
                            outIndex += outDepth;
                        }

                        int count = right - left;
                        InteriorRow(batchBase + (((inY * inputWidth) + (left * strideWidth) - padLeft) * inDepth), count, outIndex);
                        outIndex += count * outDepth;
                        ox = right;
                    }

                    for (; ox < outputWidth; ox++)
                    {
                        BorderPixel(batchBase, inY, (ox * strideWidth) - padLeft, outIndex);
                        outIndex += outDepth;
                    }
                }

                batchBase += batchSize;
            }
        }
    }
}
