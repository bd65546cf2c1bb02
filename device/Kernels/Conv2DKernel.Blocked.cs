namespace NanoQuant
{
    /// <summary>
    /// The ungrouped variant of <see cref="Conv2DKernel"/>: output channels in blocks of four (interior rows two
    /// positions at a time). Its loops repeat the other variants' shape (loads, multiply-accumulates, the inlined
    /// requantization, clamp, store) on purpose: on nanoCLR's IL interpreter a helper called per output or per tap is a
    /// dispatched call, so each variant stays flat (docs/architecture.md, "Still written twice"); the goldens,
    /// tests/Kernels and InlinedRequantizationTests guard each copy.
    /// </summary>
    internal sealed partial class Conv2DKernel
    {
        /// <summary>
        /// <paramref name="pairs"/> pairs of interior outputs of one row of an ungrouped convolution, in
        /// blocks of two output positions × four output channels: each loaded input value feeds four
        /// accumulators and each loaded weight two, a quarter of the loads per multiply-accumulate of a
        /// plain dot product's two. Channels left over (out channels not a multiple of four) are done
        /// one at a time for both positions.
        /// </summary>
        private void InteriorRowPairs(int pixel, int pairs, int outIndex)
        {
            sbyte[] input = _input.data;
            sbyte[] filter = _filter.data;
            sbyte[] output = _output.data;
            int[] foldedBias = _foldedBias;
            int[] multipliers = _multipliers;
            int[] leftShifts = _leftShifts;
            int[] rightShifts = _rightShifts;
            int[] roundings = _roundings;
            int[] runStarts = _runStarts;
            int runCount = runStarts.Length;
            int runLength = _runLength;
            int outDepth = _window.OutputDepth;
            int blockedDepth = outDepth & ~3;
            int rowLength = _rowLength;
            int d1 = rowLength;
            int d2 = 2 * rowLength;
            int d3 = 3 * rowLength;
            int blockStep = 3 * rowLength;
            int filterStart = _filter.offset;
            int pixelStep = _window.StrideWidth * _window.InputDepth;
            int outputOffset = _window.OutputOffset;
            int min = _window.ActivationMin;
            int max = _window.ActivationMax;
            for (int p = 0; p < pairs; p++)
            {
                int w = filterStart;
                int channel = 0;
                int o = outIndex;
                int o2 = outIndex + outDepth;
                long high;
                int rounding;
                while (channel < blockedDepth)
                {
                    int a0 = foldedBias[channel];
                    int a1 = foldedBias[channel + 1];
                    int a2 = foldedBias[channel + 2];
                    int a3 = foldedBias[channel + 3];
                    int b0 = a0;
                    int b1 = a1;
                    int b2 = a2;
                    int b3 = a3;
                    for (int r = 0; r < runCount; r++)
                    {
                        int i = pixel + runStarts[r];
                        int end = i + runLength;
                        while (i < end)
                        {
                            int x = input[i];
                            int y = input[i + pixelStep];
                            int f = filter[w];
                            a0 += x * f;
                            b0 += y * f;
                            f = filter[w + d1];
                            a1 += x * f;
                            b1 += y * f;
                            f = filter[w + d2];
                            a2 += x * f;
                            b2 += y * f;
                            f = filter[w + d3];
                            a3 += x * f;
                            b3 += y * f;
                            i++;
                            w++;
                        }
                    }

                    w += blockStep;
                    high = (((long)(a0 << leftShifts[channel]) * multipliers[channel]) + 0x40000000L) >> 31;
                    rounding = roundings[channel];
                    a0 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel] : -((rounding - high) >> rightShifts[channel])) + outputOffset;
                    output[o] = (sbyte)(a0 < min ? min : (a0 > max ? max : a0));
                    high = (((long)(a1 << leftShifts[channel + 1]) * multipliers[channel + 1]) + 0x40000000L) >> 31;
                    rounding = roundings[channel + 1];
                    a1 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel + 1] : -((rounding - high) >> rightShifts[channel + 1])) + outputOffset;
                    output[o + 1] = (sbyte)(a1 < min ? min : (a1 > max ? max : a1));
                    high = (((long)(a2 << leftShifts[channel + 2]) * multipliers[channel + 2]) + 0x40000000L) >> 31;
                    rounding = roundings[channel + 2];
                    a2 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel + 2] : -((rounding - high) >> rightShifts[channel + 2])) + outputOffset;
                    output[o + 2] = (sbyte)(a2 < min ? min : (a2 > max ? max : a2));
                    high = (((long)(a3 << leftShifts[channel + 3]) * multipliers[channel + 3]) + 0x40000000L) >> 31;
                    rounding = roundings[channel + 3];
                    a3 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel + 3] : -((rounding - high) >> rightShifts[channel + 3])) + outputOffset;
                    output[o + 3] = (sbyte)(a3 < min ? min : (a3 > max ? max : a3));
                    high = (((long)(b0 << leftShifts[channel]) * multipliers[channel]) + 0x40000000L) >> 31;
                    rounding = roundings[channel];
                    b0 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel] : -((rounding - high) >> rightShifts[channel])) + outputOffset;
                    output[o2] = (sbyte)(b0 < min ? min : (b0 > max ? max : b0));
                    high = (((long)(b1 << leftShifts[channel + 1]) * multipliers[channel + 1]) + 0x40000000L) >> 31;
                    rounding = roundings[channel + 1];
                    b1 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel + 1] : -((rounding - high) >> rightShifts[channel + 1])) + outputOffset;
                    output[o2 + 1] = (sbyte)(b1 < min ? min : (b1 > max ? max : b1));
                    high = (((long)(b2 << leftShifts[channel + 2]) * multipliers[channel + 2]) + 0x40000000L) >> 31;
                    rounding = roundings[channel + 2];
                    b2 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel + 2] : -((rounding - high) >> rightShifts[channel + 2])) + outputOffset;
                    output[o2 + 2] = (sbyte)(b2 < min ? min : (b2 > max ? max : b2));
                    high = (((long)(b3 << leftShifts[channel + 3]) * multipliers[channel + 3]) + 0x40000000L) >> 31;
                    rounding = roundings[channel + 3];
                    b3 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel + 3] : -((rounding - high) >> rightShifts[channel + 3])) + outputOffset;
                    output[o2 + 3] = (sbyte)(b3 < min ? min : (b3 > max ? max : b3));
                    o += 4;
                    o2 += 4;
                    channel += 4;
                }

                while (channel < outDepth)
                {
                    int a = foldedBias[channel];
                    int b = a;
                    for (int r = 0; r < runCount; r++)
                    {
                        int i = pixel + runStarts[r];
                        int end = i + runLength;
                        while (i < end)
                        {
                            int f = filter[w++];
                            a += input[i] * f;
                            b += input[i + pixelStep] * f;
                            i++;
                        }
                    }

                    high = (((long)(a << leftShifts[channel]) * multipliers[channel]) + 0x40000000L) >> 31;
                    rounding = roundings[channel];
                    a = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel] : -((rounding - high) >> rightShifts[channel])) + outputOffset;
                    output[o] = (sbyte)(a < min ? min : (a > max ? max : a));
                    high = (((long)(b << leftShifts[channel]) * multipliers[channel]) + 0x40000000L) >> 31;
                    rounding = roundings[channel];
                    b = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel] : -((rounding - high) >> rightShifts[channel])) + outputOffset;
                    output[o2] = (sbyte)(b < min ? min : (b > max ? max : b));
                    o++;
                    o2++;
                    channel++;
                }

                pixel += 2 * pixelStep;
                outIndex += 2 * outDepth;
            }
        }

        /// <summary>
        /// <paramref name="count"/> interior outputs of one row of an ungrouped convolution, four output
        /// channels at a time: each input value is loaded once into a local and multiplied into four
        /// accumulators (as CMSIS-NN's and ESP-NN's output-channel blocking), which halves the array
        /// loads per multiply-accumulate of a plain dot product — on an IL interpreter, where every
        /// load is dispatched, that is most of the cost. Channels left over (out channels not a
        /// multiple of four) take the one-channel loop.
        /// </summary>
        private void InteriorRowBlocked(int pixel, int count, int outIndex)
        {
            sbyte[] input = _input.data;
            sbyte[] filter = _filter.data;
            sbyte[] output = _output.data;
            int[] foldedBias = _foldedBias;
            int[] multipliers = _multipliers;
            int[] shifts = _shifts;
            int[] leftShifts = _leftShifts;
            int[] rightShifts = _rightShifts;
            int[] roundings = _roundings;
            int[] runStarts = _runStarts;
            int runCount = runStarts.Length;
            int runLength = _runLength;
            int runLength2 = runLength & ~1;
            int outDepth = _window.OutputDepth;
            int blockedDepth = outDepth & ~3;
            int rowLength = _rowLength;
            int d1 = rowLength;
            int d2 = 2 * rowLength;
            int d3 = 3 * rowLength;
            int d1n = d1 + 1;
            int d2n = d2 + 1;
            int d3n = d3 + 1;
            int blockStep = 3 * rowLength;
            int filterStart = _filter.offset;
            int pixelStep = _window.StrideWidth * _window.InputDepth;
            int outputOffset = _window.OutputOffset;
            int min = _window.ActivationMin;
            int max = _window.ActivationMax;
            for (int p = 0; p < count; p++)
            {
                int w = filterStart;
                int channel = 0;
                while (channel < blockedDepth)
                {
                    int acc0 = foldedBias[channel];
                    int acc1 = foldedBias[channel + 1];
                    int acc2 = foldedBias[channel + 2];
                    int acc3 = foldedBias[channel + 3];
                    for (int r = 0; r < runCount; r++)
                    {
                        int i = pixel + runStarts[r];
                        int end2 = i + runLength2;
                        while (i < end2)
                        {
                            int x0 = input[i];
                            int x1 = input[i + 1];
                            acc0 += (x0 * filter[w]) + (x1 * filter[w + 1]);
                            acc1 += (x0 * filter[w + d1]) + (x1 * filter[w + d1n]);
                            acc2 += (x0 * filter[w + d2]) + (x1 * filter[w + d2n]);
                            acc3 += (x0 * filter[w + d3]) + (x1 * filter[w + d3n]);
                            i += 2;
                            w += 2;
                        }

                        if (runLength2 != runLength)
                        {
                            int x = input[i];
                            acc0 += x * filter[w];
                            acc1 += x * filter[w + d1];
                            acc2 += x * filter[w + d2];
                            acc3 += x * filter[w + d3];
                            w++;
                        }
                    }

                    w += blockStep;

                    // Requantization written out (see Requantization.Apply): no call per output.
                    long high = (((long)(acc0 << leftShifts[channel]) * multipliers[channel]) + 0x40000000L) >> 31;
                    int rounding = roundings[channel];
                    acc0 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel] : -((rounding - high) >> rightShifts[channel])) + outputOffset;
                    output[outIndex] = (sbyte)(acc0 < min ? min : (acc0 > max ? max : acc0));
                    high = (((long)(acc1 << leftShifts[channel + 1]) * multipliers[channel + 1]) + 0x40000000L) >> 31;
                    rounding = roundings[channel + 1];
                    acc1 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel + 1] : -((rounding - high) >> rightShifts[channel + 1])) + outputOffset;
                    output[outIndex + 1] = (sbyte)(acc1 < min ? min : (acc1 > max ? max : acc1));
                    high = (((long)(acc2 << leftShifts[channel + 2]) * multipliers[channel + 2]) + 0x40000000L) >> 31;
                    rounding = roundings[channel + 2];
                    acc2 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel + 2] : -((rounding - high) >> rightShifts[channel + 2])) + outputOffset;
                    output[outIndex + 2] = (sbyte)(acc2 < min ? min : (acc2 > max ? max : acc2));
                    high = (((long)(acc3 << leftShifts[channel + 3]) * multipliers[channel + 3]) + 0x40000000L) >> 31;
                    rounding = roundings[channel + 3];
                    acc3 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel + 3] : -((rounding - high) >> rightShifts[channel + 3])) + outputOffset;
                    output[outIndex + 3] = (sbyte)(acc3 < min ? min : (acc3 > max ? max : acc3));
                    outIndex += 4;
                    channel += 4;
                }

                while (channel < outDepth)
                {
                    int acc = foldedBias[channel];
                    for (int r = 0; r < runCount; r++)
                    {
                        int i = pixel + runStarts[r];
                        int end = i + runLength;
                        while (i < end)
                        {
                            acc += input[i++] * filter[w++];
                        }
                    }

                    acc = QuantizedMath.MultiplyByQuantizedMultiplier(acc, multipliers[channel], shifts[channel]) + outputOffset;
                    output[outIndex++] = (sbyte)(acc < min ? min : (acc > max ? max : acc));
                    channel++;
                }

                pixel += pixelStep;
            }
        }

        /// <summary>
        /// As <see cref="BorderPixelAnyGroups"/> for an ungrouped convolution, four output channels at a
        /// time: each input value inside the input is loaded once, offset once, and multiplied into four
        /// accumulators. The taps inside the input form, per filter row, one run (dilation width 1) or
        /// one run per column.
        /// </summary>
        private void BorderPixelBlocked(int batchBase, int inY, int inX, int outIndex)
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
            int outDepth = window.OutputDepth;
            int blockedDepth = outDepth & ~3;
            int rowLength = _rowLength;
            int d1 = rowLength;
            int d2 = 2 * rowLength;
            int d3 = 3 * rowLength;
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
            int filterRowStep = kernelWidth * inDepth;

            // The taps inside the input, per filter row: runCount runs of runLength values, run k
            // starting k × runInputStep (input) and k × inDepth (filter) after the row's first tap.
            bool merge = dilationWidth == 1;
            int runCount = merge ? 1 : columns;
            int runLength = merge ? columns * inDepth : inDepth;
            int runInputStep = dilationWidth * inDepth;

            // Input index of tap (kyFirst, kxFirst), channel 0; filter index of that tap in channel 0's row.
            int firstTap = rows > 0 ? batchBase + ((((inY + (kyFirst * dilationHeight)) * inputWidth) + inX + (kxFirst * dilationWidth)) * inDepth) : 0;
            int firstWeight = _filter.offset + (((kyFirst * kernelWidth) + kxFirst) * inDepth);
            int channel = 0;
            while (channel < blockedDepth)
            {
                int acc0 = bias[channel];
                int acc1 = bias[channel + 1];
                int acc2 = bias[channel + 2];
                int acc3 = bias[channel + 3];
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
                        int end = i + runLength;
                        while (i < end)
                        {
                            int x = input[i++] + inputOffset;
                            acc0 += x * filter[w];
                            acc1 += x * filter[w + d1];
                            acc2 += x * filter[w + d2];
                            acc3 += x * filter[w + d3];
                            w++;
                        }

                        runInput += runInputStep;
                        runWeight += inDepth;
                    }

                    rowInput += inputRowStep;
                    rowWeight += filterRowStep;
                }

                long high = (((long)(acc0 << leftShifts[channel]) * multipliers[channel]) + 0x40000000L) >> 31;
                int rounding = roundings[channel];
                acc0 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel] : -((rounding - high) >> rightShifts[channel])) + outputOffset;
                output[outIndex] = (sbyte)(acc0 < min ? min : (acc0 > max ? max : acc0));
                high = (((long)(acc1 << leftShifts[channel + 1]) * multipliers[channel + 1]) + 0x40000000L) >> 31;
                rounding = roundings[channel + 1];
                acc1 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel + 1] : -((rounding - high) >> rightShifts[channel + 1])) + outputOffset;
                output[outIndex + 1] = (sbyte)(acc1 < min ? min : (acc1 > max ? max : acc1));
                high = (((long)(acc2 << leftShifts[channel + 2]) * multipliers[channel + 2]) + 0x40000000L) >> 31;
                rounding = roundings[channel + 2];
                acc2 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel + 2] : -((rounding - high) >> rightShifts[channel + 2])) + outputOffset;
                output[outIndex + 2] = (sbyte)(acc2 < min ? min : (acc2 > max ? max : acc2));
                high = (((long)(acc3 << leftShifts[channel + 3]) * multipliers[channel + 3]) + 0x40000000L) >> 31;
                rounding = roundings[channel + 3];
                acc3 = (int)(high >= 0 ? (high + rounding) >> rightShifts[channel + 3] : -((rounding - high) >> rightShifts[channel + 3])) + outputOffset;
                output[outIndex + 3] = (sbyte)(acc3 < min ? min : (acc3 > max ? max : acc3));
                outIndex += 4;
                channel += 4;
            }

            while (channel < outDepth)
            {
                int acc = bias[channel];
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
                        int end = i + runLength;
                        while (i < end)
                        {
                            acc += (input[i++] + inputOffset) * filter[w++];
                        }

                        runInput += runInputStep;
                        runWeight += inDepth;
                    }

                    rowInput += inputRowStep;
                    rowWeight += filterRowStep;
                }

                acc = QuantizedMath.MultiplyByQuantizedMultiplier(acc, multipliers[channel], _shifts[channel]) + outputOffset;
                output[outIndex++] = (sbyte)(acc < min ? min : (acc > max ? max : acc));
                channel++;
            }
        }
    }
}
