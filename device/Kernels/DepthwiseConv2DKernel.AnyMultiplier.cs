namespace NanoQuant
{
    /// <summary>
    /// The variant of <see cref="DepthwiseConv2DKernel"/> for any other depth multiplier: one output channel at a time
    /// (3×3 filters unrolled). Its loops repeat the other variants' shape (loads, multiply-accumulates, the inlined
    /// requantization, clamp, store) on purpose: on nanoCLR's IL interpreter a helper called per output or per tap is a
    /// dispatched call, so each variant stays flat (docs/architecture.md, "Still written twice"); the goldens,
    /// tests/Kernels and InlinedRequantizationTests guard each copy.
    /// </summary>
    internal sealed partial class DepthwiseConv2DKernel
    {
        /// <summary><paramref name="count"/> interior outputs of one row, any filter size.</summary>
        private void InteriorRowAnyFilter(int pixel, int count, int outIndex)
        {
            sbyte[] input = _input.data;
            sbyte[] filter = _filter.data;
            sbyte[] output = _output.data;
            int[] foldedBias = _foldedBias;
            int[] multipliers = _multipliers;
            int[] shifts = _shifts;
            int[] tapStarts = _tapStarts;
            int taps = _taps;
            int inDepth = _window.InputDepth;
            int multiplier = _multiplier;
            int filterStart = _filter.offset;
            int pixelStep = _window.StrideWidth * inDepth;
            int outputOffset = _window.OutputOffset;
            int min = _window.ActivationMin;
            int max = _window.ActivationMax;
            for (int p = 0; p < count; p++)
            {
                int w = filterStart;
                int channel = 0;
                for (int ic = 0; ic < inDepth; ic++)
                {
                    int x = pixel + ic;
                    for (int m = 0; m < multiplier; m++)
                    {
                        int acc = foldedBias[channel];
                        for (int t = 0; t < taps; t++)
                        {
                            acc += input[x + tapStarts[t]] * filter[w++];
                        }

                        acc = QuantizedMath.MultiplyByQuantizedMultiplier(acc, multipliers[channel], shifts[channel]) + outputOffset;
                        output[outIndex++] = (sbyte)(acc < min ? min : (acc > max ? max : acc));
                        channel++;
                    }
                }

                pixel += pixelStep;
            }
        }

        /// <summary><paramref name="count"/> interior outputs of one row of a 9-tap (3×3) filter, fully unrolled.</summary>
        private void InteriorRow3x3(int pixel, int count, int outIndex)
        {
            sbyte[] input = _input.data;
            sbyte[] filter = _filter.data;
            sbyte[] output = _output.data;
            int[] foldedBias = _foldedBias;
            int[] multipliers = _multipliers;
            int[] shifts = _shifts;
            int[] tapStarts = _tapStarts;
            int d1 = tapStarts[1];
            int d2 = tapStarts[2];
            int d3 = tapStarts[3];
            int d4 = tapStarts[4];
            int d5 = tapStarts[5];
            int d6 = tapStarts[6];
            int d7 = tapStarts[7];
            int d8 = tapStarts[8];
            int inDepth = _window.InputDepth;
            int multiplier = _multiplier;
            int filterStart = _filter.offset;
            int pixelStep = _window.StrideWidth * inDepth;
            int outputOffset = _window.OutputOffset;
            int min = _window.ActivationMin;
            int max = _window.ActivationMax;
            for (int p = 0; p < count; p++)
            {
                int w = filterStart;
                int channel = 0;
                int x = pixel;
                int xEnd = pixel + inDepth;
                while (x < xEnd)
                {
                    for (int m = 0; m < multiplier; m++)
                    {
                        int acc = foldedBias[channel]
                            + (input[x] * filter[w]) + (input[x + d1] * filter[w + 1]) + (input[x + d2] * filter[w + 2])
                            + (input[x + d3] * filter[w + 3]) + (input[x + d4] * filter[w + 4]) + (input[x + d5] * filter[w + 5])
                            + (input[x + d6] * filter[w + 6]) + (input[x + d7] * filter[w + 7]) + (input[x + d8] * filter[w + 8]);
                        w += 9;
                        acc = QuantizedMath.MultiplyByQuantizedMultiplier(acc, multipliers[channel], shifts[channel]) + outputOffset;
                        output[outIndex++] = (sbyte)(acc < min ? min : (acc > max ? max : acc));
                        channel++;
                    }

                    x++;
                }

                pixel += pixelStep;
            }
        }

        /// <summary>
        /// One border output position, any depth multiplier (see <see cref="BorderPixel"/>).
        /// </summary>
        private void BorderPixelAnyMultiplier(int batchBase, int inY, int inX, int outIndex)
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
            int multiplier = _multiplier;
            int taps = _taps;
            int[] bias = _bias;
            int[] multipliers = _multipliers;
            int[] shifts = _shifts;
            int kyFirst = ConvWindow.FirstTap(inY, dilationHeight, kernelHeight);
            int kyEnd = ConvWindow.EndTap(inY, dilationHeight, kernelHeight, window.InputHeight);
            int kxFirst = ConvWindow.FirstTap(inX, dilationWidth, kernelWidth);
            int kxEnd = ConvWindow.EndTap(inX, dilationWidth, kernelWidth, inputWidth);
            int rows = kyEnd - kyFirst;
            int columns = kxEnd - kxFirst;
            bool any = rows > 0 && columns > 0;
            int inputRowStep = dilationHeight * inputWidth * inDepth;
            int inputColumnStep = dilationWidth * inDepth;

            // Input index of tap (kyFirst, kxFirst) in channel 0; offset of that tap in a channel's filter row.
            int firstTap = any ? batchBase + ((((inY + (kyFirst * dilationHeight)) * inputWidth) + inX + (kxFirst * dilationWidth)) * inDepth) : 0;
            int firstWeight = _filter.offset + (kyFirst * kernelWidth) + kxFirst;
            int channel = 0;
            for (int ic = 0; ic < inDepth; ic++)
            {
                for (int m = 0; m < multiplier; m++)
                {
                    int acc = bias[channel];
                    if (any)
                    {
                        int rowInput = firstTap + ic;
                        int rowWeight = firstWeight + (channel * taps);
                        for (int r = 0; r < rows; r++)
                        {
                            int i = rowInput;
                            int w = rowWeight;
                            int end = w + columns;
                            while (w < end)
                            {
                                acc += (input[i] + inputOffset) * filter[w++];
                                i += inputColumnStep;
                            }

                            rowInput += inputRowStep;
                            rowWeight += kernelWidth;
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
