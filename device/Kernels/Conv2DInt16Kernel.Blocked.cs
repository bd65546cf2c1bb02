namespace NanoQuant
{
    /// <summary>
    /// The ungrouped variant of <see cref="Conv2DInt16Kernel"/>: output channels in blocks of four. Its loops (and the
    /// field-to-local preamble of each) repeat the int8 variant's shape on purpose: on nanoCLR's IL interpreter a helper
    /// called per output or per tap is a dispatched call, so each variant stays flat (docs/architecture.md, "Still written
    /// twice"); the goldens and tests/Kernels/ConvInt16KernelTests guard each copy.
    /// </summary>
    internal sealed partial class Conv2DInt16Kernel
    {
        // Bytes of input whose products with int8 weights sum exactly in int32 (Int16Math.Int32Products elements).
        private const int ChunkBytes = 2 * Int16Math.Int32Products;

        /// <summary>
        /// <paramref name="pairs"/> pairs of interior outputs of one row, in blocks of two output positions ×
        /// four output channels: each decoded input value feeds four accumulators and each loaded weight
        /// two. Channels left over (out channels not a multiple of four) are done one at a time for both
        /// positions. <paramref name="inByte"/> is the first input byte of the first window.
        /// </summary>
        private void InteriorPairs(int inByte, int pairs, int outByte)
        {
            sbyte[] input = _input.data;
            sbyte[] filter = _filter.data;
            sbyte[] output = _output.data;
            long[] bias = _bias;
            int[] multipliers = _multipliers;
            int[] shifts = _shifts;
            int[] runStarts = _runStarts;
            int runCount = runStarts.Length;
            int runBytes = _runBytes;
            int outDepth = _window.OutputDepth;
            int blockedDepth = outDepth & ~3;
            int rowLength = _rowLength;
            int d1 = rowLength;
            int d2 = 2 * rowLength;
            int d3 = 3 * rowLength;
            int blockStep = 3 * rowLength;
            int filterStart = _filter.offset;
            int pixelStep = 2 * _window.StrideWidth * _window.InputDepth;
            int pixelStep1 = pixelStep + 1;
            int outStep = 2 * outDepth;
            int min = _window.ActivationMin;
            int max = _window.ActivationMax;
            for (int p = 0; p < pairs; p++)
            {
                int w = filterStart;
                int channel = 0;
                int o = outByte;
                int o2 = outByte + outStep;
                while (channel < blockedDepth)
                {
                    long a0 = 0;
                    long a1 = 0;
                    long a2 = 0;
                    long a3 = 0;
                    if (bias != null)
                    {
                        a0 = bias[channel];
                        a1 = bias[channel + 1];
                        a2 = bias[channel + 2];
                        a3 = bias[channel + 3];
                    }

                    long b0 = a0;
                    long b1 = a1;
                    long b2 = a2;
                    long b3 = a3;
                    for (int r = 0; r < runCount; r++)
                    {
                        int i = inByte + runStarts[r];
                        int end = i + runBytes;
                        while (i < end)
                        {
                            // Up to Int16Math.Int32Products products per chunk sum exactly in int32 (no
                            // widening per multiply-accumulate); each chunk's sums are then added in 64 bits.
                            int chunkEnd = end - i > ChunkBytes ? i + ChunkBytes : end;
                            int s0 = 0;
                            int s1 = 0;
                            int s2 = 0;
                            int s3 = 0;
                            int t0 = 0;
                            int t1 = 0;
                            int t2 = 0;
                            int t3 = 0;
                            while (i < chunkEnd)
                            {
                                int x = (input[i] & 0xFF) | (input[i + 1] << 8);
                                int y = (input[i + pixelStep] & 0xFF) | (input[i + pixelStep1] << 8);
                                int f = filter[w];
                                s0 += x * f;
                                t0 += y * f;
                                f = filter[w + d1];
                                s1 += x * f;
                                t1 += y * f;
                                f = filter[w + d2];
                                s2 += x * f;
                                t2 += y * f;
                                f = filter[w + d3];
                                s3 += x * f;
                                t3 += y * f;
                                i += 2;
                                w++;
                            }

                            a0 += s0;
                            a1 += s1;
                            a2 += s2;
                            a3 += s3;
                            b0 += t0;
                            b1 += t1;
                            b2 += t2;
                            b3 += t3;
                        }
                    }

                    w += blockStep;
                    Int16Math.Store(output, o, a0, multipliers[channel], shifts[channel], 0, min, max);
                    Int16Math.Store(output, o + 2, a1, multipliers[channel + 1], shifts[channel + 1], 0, min, max);
                    Int16Math.Store(output, o + 4, a2, multipliers[channel + 2], shifts[channel + 2], 0, min, max);
                    Int16Math.Store(output, o + 6, a3, multipliers[channel + 3], shifts[channel + 3], 0, min, max);
                    Int16Math.Store(output, o2, b0, multipliers[channel], shifts[channel], 0, min, max);
                    Int16Math.Store(output, o2 + 2, b1, multipliers[channel + 1], shifts[channel + 1], 0, min, max);
                    Int16Math.Store(output, o2 + 4, b2, multipliers[channel + 2], shifts[channel + 2], 0, min, max);
                    Int16Math.Store(output, o2 + 6, b3, multipliers[channel + 3], shifts[channel + 3], 0, min, max);
                    o += 8;
                    o2 += 8;
                    channel += 4;
                }

                while (channel < outDepth)
                {
                    long a = bias != null ? bias[channel] : 0;
                    long b = a;
                    for (int r = 0; r < runCount; r++)
                    {
                        int i = inByte + runStarts[r];
                        int end = i + runBytes;
                        while (i < end)
                        {
                            int f = filter[w++];
                            a += ((input[i] & 0xFF) | (input[i + 1] << 8)) * f;
                            b += ((input[i + pixelStep] & 0xFF) | (input[i + pixelStep1] << 8)) * f;
                            i += 2;
                        }
                    }

                    Int16Math.Store(output, o, a, multipliers[channel], shifts[channel], 0, min, max);
                    Int16Math.Store(output, o2, b, multipliers[channel], shifts[channel], 0, min, max);
                    o += 2;
                    o2 += 2;
                    channel++;
                }

                inByte += 2 * pixelStep;
                outByte += 2 * outStep;
            }
        }

        /// <summary>
        /// All output channels of one output position, four at a time, over the filter taps rows ×
        /// columns starting at input byte <paramref name="firstTap"/> and, in channel 0's filter,
        /// weight <paramref name="firstWeight"/>. The taps form, per filter row, one run (dilation
        /// width 1) or one run per column.
        /// </summary>
        private void PixelBlocked(int firstTap, int firstWeight, int rows, int columns, int outByte)
        {
            sbyte[] input = _input.data;
            sbyte[] filter = _filter.data;
            sbyte[] output = _output.data;
            long[] bias = _bias;
            int[] multipliers = _multipliers;
            int[] shifts = _shifts;
            ConvWindow window = _window;
            int inDepth = window.InputDepth;
            int min = window.ActivationMin;
            int max = window.ActivationMax;
            int outDepth = window.OutputDepth;
            int blockedDepth = outDepth & ~3;
            int rowLength = _rowLength;
            int d1 = rowLength;
            int d2 = 2 * rowLength;
            int d3 = 3 * rowLength;
            int inputRowStep = 2 * window.DilationHeight * window.InputWidth * inDepth;
            int filterRowStep = window.KernelWidth * inDepth;
            bool merge = window.DilationWidth == 1;
            int runCount = merge ? 1 : columns;
            int runBytes = 2 * (merge ? columns * inDepth : inDepth);
            int runInputStep = 2 * window.DilationWidth * inDepth;
            int channel = 0;
            while (channel < blockedDepth)
            {
                long acc0 = 0;
                long acc1 = 0;
                long acc2 = 0;
                long acc3 = 0;
                if (bias != null)
                {
                    acc0 = bias[channel];
                    acc1 = bias[channel + 1];
                    acc2 = bias[channel + 2];
                    acc3 = bias[channel + 3];
                }

                int rowInput = firstTap;
                int rowWeight = firstWeight + (channel * rowLength);
                for (int r = 0; r < rows; r++)
                {
                    int runInput = rowInput;
                    int runWeight = rowWeight;
                    for (int k = 0; k < runCount; k++)
                    {
                        int i = runInput;
                        int w = runWeight;
                        int end = i + runBytes;
                        while (i < end)
                        {
                            int x = (input[i] & 0xFF) | (input[i + 1] << 8);
                            acc0 += x * filter[w];
                            acc1 += x * filter[w + d1];
                            acc2 += x * filter[w + d2];
                            acc3 += x * filter[w + d3];
                            i += 2;
                            w++;
                        }

                        runInput += runInputStep;
                        runWeight += inDepth;
                    }

                    rowInput += inputRowStep;
                    rowWeight += filterRowStep;
                }

                Int16Math.Store(output, outByte, acc0, multipliers[channel], shifts[channel], 0, min, max);
                Int16Math.Store(output, outByte + 2, acc1, multipliers[channel + 1], shifts[channel + 1], 0, min, max);
                Int16Math.Store(output, outByte + 4, acc2, multipliers[channel + 2], shifts[channel + 2], 0, min, max);
                Int16Math.Store(output, outByte + 6, acc3, multipliers[channel + 3], shifts[channel + 3], 0, min, max);
                outByte += 8;
                channel += 4;
            }

            while (channel < outDepth)
            {
                long acc = bias != null ? bias[channel] : 0;
                int rowInput = firstTap;
                int rowWeight = firstWeight + (channel * rowLength);
                for (int r = 0; r < rows; r++)
                {
                    int runInput = rowInput;
                    int runWeight = rowWeight;
                    for (int k = 0; k < runCount; k++)
                    {
                        int i = runInput;
                        int w = runWeight;
                        int end = i + runBytes;
                        while (i < end)
                        {
                            acc += ((input[i] & 0xFF) | (input[i + 1] << 8)) * filter[w++];
                            i += 2;
                        }

                        runInput += runInputStep;
                        runWeight += inDepth;
                    }

                    rowInput += inputRowStep;
                    rowWeight += filterRowStep;
                }

                Int16Math.Store(output, outByte, acc, multipliers[channel], shifts[channel], 0, min, max);
                outByte += 2;
                channel++;
            }
        }
    }
}
