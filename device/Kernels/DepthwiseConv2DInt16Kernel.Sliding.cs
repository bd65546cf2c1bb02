namespace NanoQuant
{
    /// <summary>The sliding 3×3 variant of <see cref="DepthwiseConv2DInt16Kernel"/>: whole output rows, the window sliding along the row.</summary>
    internal sealed partial class DepthwiseConv2DInt16Kernel
    {
        /// <summary>
        /// One output row of a 3×3 filter, multiplier 1, dilation width 1, stride width 1 or 2, whose three
        /// filter rows lie inside the input (<paramref name="rowByte"/> is the first one's first byte).
        /// Channel by channel, the nine weights stay in locals and the window slides along the row, so each
        /// output decodes only its new input columns (3 values at stride 1, 6 at stride 2, instead of 9 input
        /// and 9 filter values). Columns left or right of the input read as 0, the int16 zero point, which
        /// adds nothing, as TFLM's skipped taps do. The nine products sum exactly in int32 (each at most 2^22
        /// in magnitude), and the 64-bit sum with the bias is the same whatever the order.
        /// The walk is the int8 kernel's (DepthwiseConv2DKernel.Sliding.cs) with two-byte elements and the 64-bit
        /// output stage, and the three-column decode is written out at each place it is needed: a shared walk or
        /// a decode helper would cost a call per output or per column on nanoCLR; the goldens and
        /// ConvInt16KernelTests guard both copies.
        /// </summary>
        private void SlidingRow(int rowByte, int outByte)
        {
            sbyte[] input = _input.data;
            sbyte[] filter = _filter.data;
            sbyte[] output = _output.data;
            long[] bias = _bias;
            ConvWindow window = _window;
            int depth = window.InputDepth;
            int width = window.InputWidth;
            int pixelBytes = 2 * depth;
            int row1 = 2 * window.DilationHeight * width * depth;
            int row2 = 2 * row1;
            int outputWidth = window.OutputWidth;
            int firstColumn = -window.PadLeft;
            bool stride1 = _slidingStride == 1;
            int min = window.ActivationMin;
            int max = window.ActivationMax;
            int w = _filter.offset;
            for (int c = 0; c < depth; c++)
            {
                int f0 = filter[w];
                int f1 = filter[w + 1];
                int f2 = filter[w + 2];
                int f3 = filter[w + 3];
                int f4 = filter[w + 4];
                int f5 = filter[w + 5];
                int f6 = filter[w + 6];
                int f7 = filter[w + 7];
                int f8 = filter[w + 8];
                w += 9;
                long channelBias = bias != null ? bias[c] : 0;
                int multiplier = _multipliers[c];
                int shift = _shifts[c];
                int cx = firstColumn;
                int x = rowByte + (cx * pixelBytes) + (2 * c);
                int a0 = 0;
                int a1 = 0;
                int a2 = 0;
                if ((uint)cx < (uint)width)
                {
                    a0 = (input[x] & 0xFF) | (input[x + 1] << 8);
                    a1 = (input[x + row1] & 0xFF) | (input[x + row1 + 1] << 8);
                    a2 = (input[x + row2] & 0xFF) | (input[x + row2 + 1] << 8);
                }

                cx++;
                x += pixelBytes;
                int b0 = 0;
                int b1 = 0;
                int b2 = 0;
                if (stride1)
                {
                    if ((uint)cx < (uint)width)
                    {
                        b0 = (input[x] & 0xFF) | (input[x + 1] << 8);
                        b1 = (input[x + row1] & 0xFF) | (input[x + row1 + 1] << 8);
                        b2 = (input[x + row2] & 0xFF) | (input[x + row2 + 1] << 8);
                    }

                    cx++;
                    x += pixelBytes;
                }

                int o = outByte + (2 * c);
                int end = o + (outputWidth * pixelBytes);
                while (o < end)
                {
                    if (!stride1)
                    {
                        b0 = 0;
                        b1 = 0;
                        b2 = 0;
                        if ((uint)cx < (uint)width)
                        {
                            b0 = (input[x] & 0xFF) | (input[x + 1] << 8);
                            b1 = (input[x + row1] & 0xFF) | (input[x + row1 + 1] << 8);
                            b2 = (input[x + row2] & 0xFF) | (input[x + row2 + 1] << 8);
                        }

                        cx++;
                        x += pixelBytes;
                    }

                    int n0 = 0;
                    int n1 = 0;
                    int n2 = 0;
                    if ((uint)cx < (uint)width)
                    {
                        n0 = (input[x] & 0xFF) | (input[x + 1] << 8);
                        n1 = (input[x + row1] & 0xFF) | (input[x + row1 + 1] << 8);
                        n2 = (input[x + row2] & 0xFF) | (input[x + row2 + 1] << 8);
                    }

                    cx++;
                    x += pixelBytes;

                    int sum = (a0 * f0) + (b0 * f1) + (n0 * f2) + (a1 * f3) + (b1 * f4) + (n1 * f5) + (a2 * f6) + (b2 * f7) + (n2 * f8);
                    Int16Math.Store(output, o, channelBias + sum, multiplier, shift, 0, min, max);
                    if (stride1)
                    {
                        a0 = b0;
                        a1 = b1;
                        a2 = b2;
                        b0 = n0;
                        b1 = n1;
                        b2 = n2;
                    }
                    else
                    {
                        a0 = n0;
                        a1 = n1;
                        a2 = n2;
                    }

                    o += pixelBytes;
                }
            }
        }
    }
}
