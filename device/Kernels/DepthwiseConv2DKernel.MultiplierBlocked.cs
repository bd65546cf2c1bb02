namespace NanoQuant
{
    /// <summary>
    /// The variant of <see cref="DepthwiseConv2DKernel"/> for depth multipliers that are multiples of four (and of
    /// eight): output channels of one input channel in blocks. Its loops repeat the other variants' shape (loads,
    /// multiply-accumulates, the inlined requantization, clamp, store) on purpose: on nanoCLR's IL interpreter a helper
    /// called per output or per tap is a dispatched call, so each variant stays flat (docs/architecture.md, "Still
    /// written twice"); the goldens, tests/Kernels and InlinedRequantizationTests guard each copy.
    /// </summary>
    internal sealed partial class DepthwiseConv2DKernel
    {
        /// <summary>
        /// <paramref name="count"/> interior outputs of one row when the depth multiplier is a multiple of
        /// four: the output channels of one input channel share its input values, so each value is
        /// loaded once and multiplied into four accumulators (output-channel blocking).
        /// </summary>
        private void InteriorRowMultiplierBlocked(int pixel, int count, int outIndex)
        {
            sbyte[] input = _input.data;
            sbyte[] filter = _filter.data;
            sbyte[] output = _output.data;
            int[] foldedBias = _foldedBias;
            int[] multipliers = _multipliers;
            int[] leftShifts = _leftShifts;
            int[] rightShifts = _rightShifts;
            int[] roundings = _roundings;
            ConvWindow window = _window;
            int kernelHeight = window.KernelHeight;
            int kernelWidth = window.KernelWidth;
            int inDepth = window.InputDepth;
            int outDepth = window.OutputDepth;
            int columnStep = window.DilationWidth * inDepth;
            int rowStep = window.DilationHeight * window.InputWidth * inDepth;
            int multiplier = _multiplier;
            int taps = _taps;
            int d1 = taps;
            int d2 = 2 * taps;
            int d3 = 3 * taps;
            int blockStep = 3 * taps;
            int filterStart = _filter.offset;
            int pixelStep = window.StrideWidth * inDepth;
            int outputOffset = window.OutputOffset;
            int min = window.ActivationMin;
            int max = window.ActivationMax;
            for (int p = 0; p < count; p++)
            {
                int w = filterStart;
                int channel = 0;
                int o = outIndex;
                for (int ic = 0; ic < inDepth; ic++)
                {
                    for (int m = 0; m < multiplier; m += 4)
                    {
                        int acc0 = foldedBias[channel];
                        int acc1 = foldedBias[channel + 1];
                        int acc2 = foldedBias[channel + 2];
                        int acc3 = foldedBias[channel + 3];
                        int rowInput = pixel + ic;
                        for (int ky = 0; ky < kernelHeight; ky++)
                        {
                            int i = rowInput;
                            int end = w + kernelWidth;
                            while (w < end)
                            {
                                int x = input[i];
                                acc0 += x * filter[w];
                                acc1 += x * filter[w + d1];
                                acc2 += x * filter[w + d2];
                                acc3 += x * filter[w + d3];
                                w++;
                                i += columnStep;
                            }

                            rowInput += rowStep;
                        }

                        w += blockStep;
                        long high = (((long)(acc0 << leftShifts[channel]) * multipliers[channel]) + 0x40000000L) >> 31;
                        int rounding = roundings[channel];
                        acc0 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel] : -((rounding - high) >> rightShifts[channel])) + outputOffset;
                        output[o] = (sbyte)(acc0 < min ? min : (acc0 > max ? max : acc0));
                        high = (((long)(acc1 << leftShifts[channel + 1]) * multipliers[channel + 1]) + 0x40000000L) >> 31;
                        rounding = roundings[channel + 1];
                        acc1 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel + 1] : -((rounding - high) >> rightShifts[channel + 1])) + outputOffset;
                        output[o + 1] = (sbyte)(acc1 < min ? min : (acc1 > max ? max : acc1));
                        high = (((long)(acc2 << leftShifts[channel + 2]) * multipliers[channel + 2]) + 0x40000000L) >> 31;
                        rounding = roundings[channel + 2];
                        acc2 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel + 2] : -((rounding - high) >> rightShifts[channel + 2])) + outputOffset;
                        output[o + 2] = (sbyte)(acc2 < min ? min : (acc2 > max ? max : acc2));
                        high = (((long)(acc3 << leftShifts[channel + 3]) * multipliers[channel + 3]) + 0x40000000L) >> 31;
                        rounding = roundings[channel + 3];
                        acc3 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel + 3] : -((rounding - high) >> rightShifts[channel + 3])) + outputOffset;
                        output[o + 3] = (sbyte)(acc3 < min ? min : (acc3 > max ? max : acc3));
                        o += 4;
                        channel += 4;
                    }
                }

                outIndex += outDepth;
                pixel += pixelStep;
            }
        }

        /// <summary>
        /// <paramref name="count"/> interior outputs of one row when the depth multiplier is a multiple of
        /// eight (micro_speech's first layer): as <see cref="InteriorRowMultiplierBlocked"/> with eight
        /// output channels per loaded input value, and two taps of a filter row per step, so each pair of
        /// input values feeds sixteen multiply-accumulates.
        /// </summary>
        private void InteriorRowMultiplier8(int pixel, int count, int outIndex)
        {
            sbyte[] input = _input.data;
            sbyte[] filter = _filter.data;
            sbyte[] output = _output.data;
            int[] foldedBias = _foldedBias;
            int[] multipliers = _multipliers;
            int[] leftShifts = _leftShifts;
            int[] rightShifts = _rightShifts;
            int[] roundings = _roundings;
            ConvWindow window = _window;
            int kernelHeight = window.KernelHeight;
            int kernelWidth = window.KernelWidth;
            int pairWidth = kernelWidth & ~1;
            int inDepth = window.InputDepth;
            int outDepth = window.OutputDepth;
            int columnStep = window.DilationWidth * inDepth;
            int columnStep2 = 2 * columnStep;
            int rowStep = window.DilationHeight * window.InputWidth * inDepth;
            int multiplier = _multiplier;
            int taps = _taps;
            int d1 = taps;
            int d2 = 2 * taps;
            int d3 = 3 * taps;
            int d4 = 4 * taps;
            int d5 = 5 * taps;
            int d6 = 6 * taps;
            int d7 = 7 * taps;
            int d1n = d1 + 1;
            int d2n = d2 + 1;
            int d3n = d3 + 1;
            int d4n = d4 + 1;
            int d5n = d5 + 1;
            int d6n = d6 + 1;
            int d7n = d7 + 1;
            int filterStart = _filter.offset;
            int pixelStep = window.StrideWidth * inDepth;
            int outputOffset = window.OutputOffset;
            int min = window.ActivationMin;
            int max = window.ActivationMax;
            for (int p = 0; p < count; p++)
            {
                int w = filterStart;
                int channel = 0;
                int o = outIndex;
                for (int ic = 0; ic < inDepth; ic++)
                {
                    for (int m = 0; m < multiplier; m += 8)
                    {
                        int acc0 = foldedBias[channel];
                        int acc1 = foldedBias[channel + 1];
                        int acc2 = foldedBias[channel + 2];
                        int acc3 = foldedBias[channel + 3];
                        int acc4 = foldedBias[channel + 4];
                        int acc5 = foldedBias[channel + 5];
                        int acc6 = foldedBias[channel + 6];
                        int acc7 = foldedBias[channel + 7];
                        int rowInput = pixel + ic;
                        for (int ky = 0; ky < kernelHeight; ky++)
                        {
                            int i = rowInput;
                            int end = w + pairWidth;
                            while (w < end)
                            {
                                int x0 = input[i];
                                int x1 = input[i + columnStep];
                                acc0 += (x0 * filter[w]) + (x1 * filter[w + 1]);
                                acc1 += (x0 * filter[w + d1]) + (x1 * filter[w + d1n]);
                                acc2 += (x0 * filter[w + d2]) + (x1 * filter[w + d2n]);
                                acc3 += (x0 * filter[w + d3]) + (x1 * filter[w + d3n]);
                                acc4 += (x0 * filter[w + d4]) + (x1 * filter[w + d4n]);
                                acc5 += (x0 * filter[w + d5]) + (x1 * filter[w + d5n]);
                                acc6 += (x0 * filter[w + d6]) + (x1 * filter[w + d6n]);
                                acc7 += (x0 * filter[w + d7]) + (x1 * filter[w + d7n]);
                                w += 2;
                                i += columnStep2;
                            }

                            if (pairWidth != kernelWidth)
                            {
                                int x = input[i];
                                acc0 += x * filter[w];
                                acc1 += x * filter[w + d1];
                                acc2 += x * filter[w + d2];
                                acc3 += x * filter[w + d3];
                                acc4 += x * filter[w + d4];
                                acc5 += x * filter[w + d5];
                                acc6 += x * filter[w + d6];
                                acc7 += x * filter[w + d7];
                                w++;
                            }

                            rowInput += rowStep;
                        }

                        w += d7;
                        long high = (((long)(acc0 << leftShifts[channel]) * multipliers[channel]) + 0x40000000L) >> 31;
                        int rounding = roundings[channel];
                        acc0 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel] : -((rounding - high) >> rightShifts[channel])) + outputOffset;
                        output[o] = (sbyte)(acc0 < min ? min : (acc0 > max ? max : acc0));
                        high = (((long)(acc1 << leftShifts[channel + 1]) * multipliers[channel + 1]) + 0x40000000L) >> 31;
                        rounding = roundings[channel + 1];
                        acc1 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel + 1] : -((rounding - high) >> rightShifts[channel + 1])) + outputOffset;
                        output[o + 1] = (sbyte)(acc1 < min ? min : (acc1 > max ? max : acc1));
                        high = (((long)(acc2 << leftShifts[channel + 2]) * multipliers[channel + 2]) + 0x40000000L) >> 31;
                        rounding = roundings[channel + 2];
                        acc2 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel + 2] : -((rounding - high) >> rightShifts[channel + 2])) + outputOffset;
                        output[o + 2] = (sbyte)(acc2 < min ? min : (acc2 > max ? max : acc2));
                        high = (((long)(acc3 << leftShifts[channel + 3]) * multipliers[channel + 3]) + 0x40000000L) >> 31;
                        rounding = roundings[channel + 3];
                        acc3 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel + 3] : -((rounding - high) >> rightShifts[channel + 3])) + outputOffset;
                        output[o + 3] = (sbyte)(acc3 < min ? min : (acc3 > max ? max : acc3));
                        high = (((long)(acc4 << leftShifts[channel + 4]) * multipliers[channel + 4]) + 0x40000000L) >> 31;
                        rounding = roundings[channel + 4];
                        acc4 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel + 4] : -((rounding - high) >> rightShifts[channel + 4])) + outputOffset;
                        output[o + 4] = (sbyte)(acc4 < min ? min : (acc4 > max ? max : acc4));
                        high = (((long)(acc5 << leftShifts[channel + 5]) * multipliers[channel + 5]) + 0x40000000L) >> 31;
                        rounding = roundings[channel + 5];
                        acc5 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel + 5] : -((rounding - high) >> rightShifts[channel + 5])) + outputOffset;
                        output[o + 5] = (sbyte)(acc5 < min ? min : (acc5 > max ? max : acc5));
                        high = (((long)(acc6 << leftShifts[channel + 6]) * multipliers[channel + 6]) + 0x40000000L) >> 31;
                        rounding = roundings[channel + 6];
                        acc6 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel + 6] : -((rounding - high) >> rightShifts[channel + 6])) + outputOffset;
                        output[o + 6] = (sbyte)(acc6 < min ? min : (acc6 > max ? max : acc6));
                        high = (((long)(acc7 << leftShifts[channel + 7]) * multipliers[channel + 7]) + 0x40000000L) >> 31;
                        rounding = roundings[channel + 7];
                        acc7 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel + 7] : -((rounding - high) >> rightShifts[channel + 7])) + outputOffset;
                        output[o + 7] = (sbyte)(acc7 < min ? min : (acc7 > max ? max : acc7));
                        o += 8;
                        channel += 8;
                    }
                }

                outIndex += outDepth;
                pixel += pixelStep;
            }
        }

        /// <summary>As <see cref="BorderPixelAnyMultiplier"/>, four output channels of one input channel at a time.</summary>
        private void BorderPixelMultiplierBlocked(int batchBase, int inY, int inX, int outIndex)
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
            int d1 = taps;
            int d2 = 2 * taps;
            int d3 = 3 * taps;
            int[] bias = _bias;
            int[] multipliers = _multipliers;
            int[] leftShifts = _leftShifts;
            int[] rightShifts = _rightShifts;
            int[] roundings = _roundings;
            int kyFirst = ConvWindow.FirstTap(inY, dilationHeight, kernelHeight);
            int kyEnd = ConvWindow.EndTap(inY, dilationHeight, kernelHeight, window.InputHeight);
            int kxFirst = ConvWindow.FirstTap(inX, dilationWidth, kernelWidth);
            int kxEnd = ConvWindow.EndTap(inX, dilationWidth, kernelWidth, inputWidth);
            int columns = kxEnd - kxFirst;
            int rows = columns > 0 ? kyEnd - kyFirst : 0;
            int inputRowStep = dilationHeight * inputWidth * inDepth;
            int inputColumnStep = dilationWidth * inDepth;
            int firstTap = rows > 0 ? batchBase + ((((inY + (kyFirst * dilationHeight)) * inputWidth) + inX + (kxFirst * dilationWidth)) * inDepth) : 0;
            int firstWeight = _filter.offset + (kyFirst * kernelWidth) + kxFirst;
            int channel = 0;
            int o = outIndex;
            for (int ic = 0; ic < inDepth; ic++)
            {
                for (int m = 0; m < multiplier; m += 4)
                {
                    int acc0 = bias[channel];
                    int acc1 = bias[channel + 1];
                    int acc2 = bias[channel + 2];
                    int acc3 = bias[channel + 3];
                    int rowInput = firstTap + ic;
                    int rowWeight = firstWeight + (channel * taps);
                    for (int r = 0; r < rows; r++)
                    {
                        int i = rowInput;
                        int w = rowWeight;
                        int end = w + columns;
                        while (w < end)
                        {
                            int x = input[i] + inputOffset;
                            acc0 += x * filter[w];
                            acc1 += x * filter[w + d1];
                            acc2 += x * filter[w + d2];
                            acc3 += x * filter[w + d3];
                            w++;
                            i += inputColumnStep;
                        }

                        rowInput += inputRowStep;
                        rowWeight += kernelWidth;
                    }

                    long high = (((long)(acc0 << leftShifts[channel]) * multipliers[channel]) + 0x40000000L) >> 31;
                    int rounding = roundings[channel];
                    acc0 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel] : -((rounding - high) >> rightShifts[channel])) + outputOffset;
                    output[o] = (sbyte)(acc0 < min ? min : (acc0 > max ? max : acc0));
                    high = (((long)(acc1 << leftShifts[channel + 1]) * multipliers[channel + 1]) + 0x40000000L) >> 31;
                    rounding = roundings[channel + 1];
                    acc1 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel + 1] : -((rounding - high) >> rightShifts[channel + 1])) + outputOffset;
                    output[o + 1] = (sbyte)(acc1 < min ? min : (acc1 > max ? max : acc1));
                    high = (((long)(acc2 << leftShifts[channel + 2]) * multipliers[channel + 2]) + 0x40000000L) >> 31;
                    rounding = roundings[channel + 2];
                    acc2 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel + 2] : -((rounding - high) >> rightShifts[channel + 2])) + outputOffset;
                    output[o + 2] = (sbyte)(acc2 < min ? min : (acc2 > max ? max : acc2));
                    high = (((long)(acc3 << leftShifts[channel + 3]) * multipliers[channel + 3]) + 0x40000000L) >> 31;
                    rounding = roundings[channel + 3];
                    acc3 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel + 3] : -((rounding - high) >> rightShifts[channel + 3])) + outputOffset;
                    output[o + 3] = (sbyte)(acc3 < min ? min : (acc3 > max ? max : acc3));
                    o += 4;
                    channel += 4;
                }
            }
        }
    }
}
