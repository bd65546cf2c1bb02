using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// CONV_2D, int8 with per-channel weights (TFLM reference_integer_ops::ConvPerChannel), grouped
    /// convolutions included (input channels a multiple of the filter's).
    /// Inputs: 0 input int8 [batches, height, width, in channels]; 1 filter int8 constant
    /// [out channels, kernel height, kernel width, in channels per group]; 2 bias int32 [out channels];
    /// 3 folded bias int32 [out channels] = bias + input offset × Σ filter row (checked at load, or computed
    /// at load when stored as derived);
    /// 4 multipliers int32 [out channels] (≥ 0); 5 shifts int32 [out channels] (in [−31, 30]).
    /// Output 0: int8 [batches, out height, out width, out channels].
    /// Parameters 0–10: the window and output stage of <see cref="ConvWindow"/> (padding type,
    /// strides, dilations, paddings top and left, input offset, output offset, activation min and max).
    /// Output positions whose every tap lies inside the input (the interior) accumulate Σ x × w onto
    /// the folded bias; the others skip the taps outside the input and accumulate Σ (x + input offset) × w
    /// onto the bias, as TFLM does. Both are the same value in wrap-around int32 arithmetic.
    /// </summary>
    internal sealed partial class Conv2DKernel : WindowedKernel
    {
        private readonly Tensor _input;
        private readonly Tensor _filter;
        private readonly Tensor _output;
        private readonly int[] _bias;
        private readonly int[] _foldedBias;
        private readonly int[] _multipliers;
        private readonly int[] _shifts;
        private readonly int[] _leftShifts;
        private readonly int[] _rightShifts;
        private readonly int[] _roundings;
        private readonly ConvWindow _window;
        private readonly bool _singleRun;
        private readonly int _filterDepth;
        private readonly int _groups;
        private readonly int _filtersPerGroup;
        private readonly int _rowLength;
        private readonly bool _mergeColumns;

        // Interior: each output channel is a dot product over runs of _runLength contiguous input
        // and filter values; run r starts _runStarts[r] after the window's first input value.
        private readonly int[] _runStarts;
        private readonly int _runLength;

        internal Conv2DKernel(OperatorDefinition op, Tensor[] tensors)
        {
            Check.Counts(op, Conv2DLayout.InputCount, 1, Conv2DLayout.ParameterCount);
            _input = Check.Int8Input(op, tensors, Conv2DLayout.Input);
            _filter = Check.Int8Constant(op, tensors, Conv2DLayout.Filter);
            _output = Check.Int8Output(op, tensors, 0);
            Check.Rank(op, _filter, 4, "filter");
            int outDepth = _filter.shape[0];
            int kernelHeight = _filter.shape[1];
            int kernelWidth = _filter.shape[2];
            _filterDepth = _filter.shape[3];
            _window = new ConvWindow(op, _input, _output, kernelHeight, kernelWidth, outDepth);
            int inDepth = _window.InputDepth;
            if (!(inDepth % _filterDepth == 0))
            {
                Check.Fail(op, "input channels " + inDepth.ToString() + " are not a multiple of the filter's " + _filterDepth.ToString());
            }

            _groups = inDepth / _filterDepth;
            if (!(outDepth % _groups == 0))
            {
                Check.Fail(op, "output channels " + outDepth.ToString() + " do not divide into " + _groups.ToString() + " groups");
            }

            _filtersPerGroup = outDepth / _groups;
            _rowLength = kernelHeight * kernelWidth * _filterDepth;

            _bias = Check.Int32Constant(op, tensors, Conv2DLayout.Bias, outDepth);
            _multipliers = Check.Int32Constant(op, tensors, Conv2DLayout.Multipliers, outDepth);
            _shifts = Check.Shifts(op, tensors, Conv2DLayout.Shifts, outDepth);
            ConvWindow.CheckMultipliers(op, _multipliers);
            _foldedBias = ConvWindow.FoldedBias(op, tensors, Conv2DLayout.FoldedBias, _bias, _filter, _rowLength, _window.InputOffset);
            _leftShifts = Requantization.LeftShifts(_shifts);
            _rightShifts = Requantization.RightShifts(_shifts);
            _roundings = Requantization.Roundings(_shifts);

            // With dilation 1 along the width and one group, a filter row's taps are one contiguous
            // run of kernel width × channels values, in the input as in the filter.
            _mergeColumns = _window.DilationWidth == 1 && _groups == 1;
            int width = _window.InputWidth;
            bool hasInterior = _window.InteriorTop < _window.InteriorBottom && _window.InteriorLeft < _window.InteriorRight;
            if (!hasInterior)
            {
                _runStarts = new int[0];
                _runLength = 0;
            }
            else if (_mergeColumns)
            {
                _runStarts = new int[kernelHeight];
                for (int ky = 0; ky < kernelHeight; ky++)
                {
                    _runStarts[ky] = ky * _window.DilationHeight * width * inDepth;
                }

                _runLength = kernelWidth * inDepth;
            }
            else
            {
                _runStarts = new int[kernelHeight * kernelWidth];
                for (int ky = 0; ky < kernelHeight; ky++)
                {
                    for (int kx = 0; kx < kernelWidth; kx++)
                    {
                        _runStarts[(ky * kernelWidth) + kx] = ((ky * _window.DilationHeight * width) + (kx * _window.DilationWidth)) * inDepth;
                    }
                }

                _runLength = _filterDepth;
            }

            _singleRun = _runStarts.Length == 1 && _groups == 1;
        }

        internal override long MacCount
        {
            get { return (long)_window.Batches * _window.OutputHeight * _window.OutputWidth * _window.OutputDepth * _rowLength; }
        }

        internal override void Invoke()
        {
            Walk(_window, _input.offset, _output.offset);
        }

        protected override void InteriorRow(int pixel, int count, int outIndex)
        {
            if (_groups == 1)
            {
                int pairs = count >> 1;
                if (pairs > 0)
                {
                    InteriorRowPairs(pixel, pairs, outIndex);
                }

                if ((count & 1) != 0)
                {
                    int done = pairs << 1;
                    InteriorRowBlocked(pixel + (done * _window.StrideWidth * _window.InputDepth), 1, outIndex + (done * _window.OutputDepth));
                }
            }
            else if (_singleRun)
            {
                InteriorRowSingleRun(pixel, count, outIndex);
            }
            else
            {
                InteriorRowRuns(pixel, count, outIndex);
            }
        }

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
        /// One output position with taps outside the input: those are skipped, the others add
        /// (x + input offset) × w onto the raw bias. <paramref name="inY"/>, <paramref name="inX"/>
        /// are the input position of the window's first tap (possibly negative).
        /// </summary>
        protected override void BorderPixel(int batchBase, int inY, int inX, int outIndex)
        {
            if (_groups == 1)
            {
                BorderPixelBlocked(batchBase, inY, inX, outIndex);
            }
            else
            {
                BorderPixelAnyGroups(batchBase, inY, inX, outIndex);
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
