namespace NanoQuant
{
    /// <summary>
    /// The grouped variant of <see cref="Conv2DKernel"/> (input channels a multiple of the filter's): one output
    /// channel at a time. Its loops repeat the other variants' shape (loads, multiply-accumulates, the inlined
    /// requantization, clamp, store) on purpose: on nanoCLR's IL interpreter a helper called per output or per tap is a
    /// dispatched call, so each variant stays flat (docs/architecture.md, "Still written twice"); the goldens,
    /// tests/Kernels and InlinedRequantizationTests guard each copy.
    /// </summary>
    internal sealed partial class Conv2DKernel
    {
        /// <summary><paramref name="count"/> interior outputs of one row; <paramref name="pixel"/> indexes the first one's first input value.</summary>
        private void InteriorRowRuns(int pixel, int count, int outIndex)
        {
            sbyte[] input = _input.data;
            sbyte[] filter = _filter.data;
            sbyte[] output = _output.data;
            int[] foldedBias = _foldedBias;
            int[] multipliers = _multipliers;
            int[] shifts = _shifts;
            int[] runStarts = _runStarts;
            int runCount = runStarts.Length;
            int runLength = _runLength;
            int runLength4 = runLength & ~3;
            int groups = _groups;
            int filtersPerGroup = _filtersPerGroup;
            int filterDepth = _filterDepth;
            int filterStart = _filter.offset;
            int pixelStep = _window.StrideWidth * _window.InputDepth;
            int outputOffset = _window.OutputOffset;
            int min = _window.ActivationMin;
            int max = _window.ActivationMax;
            for (int p = 0; p < count; p++)
            {
                int w = filterStart;
                int channel = 0;
                int groupBase = pixel;
                for (int g = 0; g < groups; g++)
                {
                    for (int k = 0; k < filtersPerGroup; k++)
                    {
                        int acc = foldedBias[channel];
                        for (int r = 0; r < runCount; r++)
                        {
                            int i = groupBase + runStarts[r];
                            int end4 = i + runLength4;
                            int end = i + runLength;
                            while (i < end4)
                            {
                                acc += (input[i] * filter[w]) + (input[i + 1] * filter[w + 1])
                                    + (input[i + 2] * filter[w + 2]) + (input[i + 3] * filter[w + 3]);
                                i += 4;
                                w += 4;
                            }

                            while (i < end)
                            {
                                acc += input[i++] * filter[w++];
                            }
                        }

                        acc = QuantizedMath.MultiplyByQuantizedMultiplier(acc, multipliers[channel], shifts[channel]) + outputOffset;
                        output[outIndex++] = (sbyte)(acc < min ? min : (acc > max ? max : acc));
                        channel++;
                    }

                    groupBase += filterDepth;
                }

                pixel += pixelStep;
            }
        }

        /// <summary>
        /// As <see cref="InteriorRowRuns"/> when the filter is one run in one group (1×1 filters, and
        /// 1-high filters with dilation width 1): one dot product per output channel.
        /// </summary>
        private void InteriorRowSingleRun(int pixel, int count, int outIndex)
        {
            sbyte[] input = _input.data;
            sbyte[] filter = _filter.data;
            sbyte[] output = _output.data;
            int[] foldedBias = _foldedBias;
            int[] multipliers = _multipliers;
            int[] shifts = _shifts;
            int runLength = _runLength;
            int runLength4 = runLength & ~3;
            int outDepth = _window.OutputDepth;
            int filterStart = _filter.offset;
            int pixelStep = _window.StrideWidth * _window.InputDepth;
            int outputOffset = _window.OutputOffset;
            int min = _window.ActivationMin;
            int max = _window.ActivationMax;
            for (int p = 0; p < count; p++)
            {
                int w = filterStart;
                int end4 = pixel + runLength4;
                int end = pixel + runLength;
                for (int channel = 0; channel < outDepth; channel++)
                {
                    int acc = foldedBias[channel];
                    int i = pixel;
                    while (i < end4)
                    {
                        acc += (input[i] * filter[w]) + (input[i + 1] * filter[w + 1])
                            + (input[i + 2] * filter[w + 2]) + (input[i + 3] * filter[w + 3]);
                        i += 4;
                        w += 4;
                    }

                    while (i < end)
                    {
                        acc += input[i++] * filter[w++];
                    }

                    acc = QuantizedMath.MultiplyByQuantizedMultiplier(acc, multipliers[channel], shifts[channel]) + outputOffset;
                    output[outIndex++] = (sbyte)(acc < min ? min : (acc > max ? max : acc));
                }

                pixel += pixelStep;
            }
        }

        /// <summary>
        /// One output position of a grouped convolution with taps outside the input (see <see cref="BorderPixel"/>).
        /// </summary>
        private void BorderPixelAnyGroups(int batchBase, int inY, int inX, int outIndex)
        {
            sbyte[] input = _input.data;
            sbyte[] filter = _filter.data;
            sbyte[] output = _output.data;
            ConvWindow window = _window;
            int kernelHeight = window.KernelHeight;
            int kernelWidth = window.KernelWidth;
            int dilationHeight = window.DilationHeight;
            int dilationWidth = window.DilationWidth;
            int inputWidth = window.InputWidth;
            int inDepth = window.InputDepth;
            int inputOffset = window.InputOffset;
            int outputOffset = window.OutputOffset;
            int min = window.ActivationMin;
            int max = window.ActivationMax;
            int filterDepth = _filterDepth;
            int filtersPerGroup = _filtersPerGroup;
            int rowLength = _rowLength;
            int[] bias = _bias;
            int[] multipliers = _multipliers;
            int[] shifts = _shifts;
            bool merge = _mergeColumns;
            int kyFirst = ConvWindow.FirstTap(inY, dilationHeight, kernelHeight);
            int kyEnd = ConvWindow.EndTap(inY, dilationHeight, kernelHeight, window.InputHeight);
            int kxFirst = ConvWindow.FirstTap(inX, dilationWidth, kernelWidth);
            int kxEnd = ConvWindow.EndTap(inX, dilationWidth, kernelWidth, inputWidth);
            int columns = kxEnd - kxFirst;
            int inputRowStep = dilationHeight * inputWidth * inDepth;
            int inputColumnStep = dilationWidth * inDepth;
            int filterRowStep = kernelWidth * filterDepth;

            // Input index of tap (kyFirst, kxFirst), channel 0; filter index of that tap in channel 0's row.
            int firstTap = batchBase + ((((inY + (kyFirst * dilationHeight)) * inputWidth) + inX + (kxFirst * dilationWidth)) * inDepth);
            int firstWeight = _filter.offset + (((kyFirst * kernelWidth) + kxFirst) * filterDepth);
            int mergedLength = columns * filterDepth;
            int channel = 0;
            for (int g = 0; g < _groups; g++)
            {
                int groupTap = firstTap + (g * filterDepth);
                for (int k = 0; k < filtersPerGroup; k++)
                {
                    int acc = bias[channel];
                    if (columns > 0)
                    {
                        int rowInput = groupTap;
                        int rowWeight = firstWeight + (channel * rowLength);
                        for (int ky = kyFirst; ky < kyEnd; ky++)
                        {
                            if (merge)
                            {
                                int i = rowInput;
                                int w = rowWeight;
                                int end4 = i + (mergedLength & ~3);
                                int end = i + mergedLength;
                                while (i < end4)
                                {
                                    acc += ((input[i] + inputOffset) * filter[w]) + ((input[i + 1] + inputOffset) * filter[w + 1])
                                        + ((input[i + 2] + inputOffset) * filter[w + 2]) + ((input[i + 3] + inputOffset) * filter[w + 3]);
                                    i += 4;
                                    w += 4;
                                }

                                while (i < end)
                                {
                                    acc += (input[i++] + inputOffset) * filter[w++];
                                }
                            }
                            else
                            {
                                int columnInput = rowInput;
                                int w = rowWeight;
                                for (int kx = 0; kx < columns; kx++)
                                {
                                    int i = columnInput;
                                    int end4 = i + (filterDepth & ~3);
                                    int end = i + filterDepth;
                                    while (i < end4)
                                    {
                                        acc += ((input[i] + inputOffset) * filter[w]) + ((input[i + 1] + inputOffset) * filter[w + 1])
                                            + ((input[i + 2] + inputOffset) * filter[w + 2]) + ((input[i + 3] + inputOffset) * filter[w + 3]);
                                        i += 4;
                                        w += 4;
                                    }

                                    while (i < end)
                                    {
                                        acc += (input[i++] + inputOffset) * filter[w++];
                                    }

                                    columnInput += inputColumnStep;
                                }
                            }

                            rowInput += inputRowStep;
                            rowWeight += filterRowStep;
                        }
                    }

                    acc = QuantizedMath.MultiplyByQuantizedMultiplier(acc, multipliers[channel], shifts[channel]) + outputOffset;
                    output[outIndex++] = (sbyte)(acc < min ? min : (acc > max ? max : acc));
                    channel++;
                }
            }
        }
    }
}
