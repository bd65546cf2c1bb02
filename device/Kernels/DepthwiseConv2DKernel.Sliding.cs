namespace NanoQuant
{
    /// <summary>
    /// The sliding 3×3 variant of <see cref="DepthwiseConv2DKernel"/>: whole output rows, the window sliding along the
    /// row. Its loops repeat the other variants' shape (loads, multiply-accumulates, the inlined requantization, clamp,
    /// store) on purpose: on nanoCLR's IL interpreter a helper called per output or per tap is a dispatched call, so
    /// each variant stays flat (docs/architecture.md, "Still written twice"); the goldens, tests/Kernels and
    /// InlinedRequantizationTests guard each copy.
    /// </summary>
    internal sealed partial class DepthwiseConv2DKernel
    {
        /// <summary>
        /// One output row of a 3×3 filter, multiplier 1, dilation width 1, stride width 1 or 2, whose
        /// three filter rows lie inside the input (<paramref name="rowBase"/> indexes the first one's
        /// first value). Channel by channel, the nine weights and the output stage stay in locals and
        /// the window slides along the row, so each output loads only its new input columns (3 values
        /// at stride 1, 6 at stride 2, instead of 9 input and 9 filter values). Columns left or right
        /// of the input read as the input zero point (x + input offset = 0), which adds exactly what
        /// TFLM's skipped taps add: the folded bias's input offset × w for those taps is cancelled by
        /// their (−input offset) × w. So left and right border pixels need no separate path.
        /// </summary>
        private void SlidingRow(int rowBase, int outIndex)
        {
            sbyte[] input = _input.data;
            sbyte[] filter = _filter.data;
            sbyte[] output = _output.data;
            ConvWindow window = _window;
            int depth = window.InputDepth;
            int width = window.InputWidth;
            int row1 = window.DilationHeight * width * depth;
            int row2 = 2 * row1;
            int pad = -window.InputOffset;
            int outputWidth = window.OutputWidth;
            int firstColumn = -window.PadLeft;
            bool stride1 = _slidingStride == 1;
            int outputOffset = window.OutputOffset;
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
                int bias = _foldedBias[c];
                int multiplier = _multipliers[c];
                int left = _leftShifts[c];
                int right = _rightShifts[c];
                int rounding = _roundings[c];
                int cx = firstColumn;
                int x = rowBase + (cx * depth) + c;
                int a0, a1, a2, b0, b1, b2, n0, n1, n2;
                if ((uint)cx < (uint)width)
                {
                    a0 = input[x];
                    a1 = input[x + row1];
                    a2 = input[x + row2];
                }
                else
                {
                    a0 = pad;
                    a1 = pad;
                    a2 = pad;
                }

                cx++;
                x += depth;

                if (stride1)
                {
                    if ((uint)cx < (uint)width)
                    {
                        b0 = input[x];
                        b1 = input[x + row1];
                        b2 = input[x + row2];
                    }
                    else
                    {
                        b0 = pad;
                        b1 = pad;
                        b2 = pad;
                    }

                    cx++;
                    x += depth;
                }
                else
                {
                    b0 = 0;
                    b1 = 0;
                    b2 = 0;
                }

                int o = outIndex + c;
                int end = o + (outputWidth * depth);
                while (o < end)
                {
                    if (!stride1)
                    {
                        if ((uint)cx < (uint)width)
                        {
                            b0 = input[x];
                            b1 = input[x + row1];
                            b2 = input[x + row2];
                        }
                        else
                        {
                            b0 = pad;
                            b1 = pad;
                            b2 = pad;
                        }

                        cx++;
                        x += depth;
                    }

                    if ((uint)cx < (uint)width)
                    {
                        n0 = input[x];
                        n1 = input[x + row1];
                        n2 = input[x + row2];
                    }
                    else
                    {
                        n0 = pad;
                        n1 = pad;
                        n2 = pad;
                    }

                    cx++;
                    x += depth;

                    int acc = bias + (a0 * f0) + (b0 * f1) + (n0 * f2) + (a1 * f3) + (b1 * f4) + (n1 * f5) + (a2 * f6) + (b2 * f7) + (n2 * f8);
                    long high = (((long)(acc << left) * multiplier) + 0x40000000L) >> 31;
                    acc = (int)(high >= 0 ? (high + rounding) >> right : -((rounding - high) >> right)) + outputOffset;
                    output[o] = (sbyte)(acc < min ? min : (acc > max ? max : acc));
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

                    o += depth;
                }
            }
        }
    }
}
