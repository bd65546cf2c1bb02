using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// DEPTHWISE_CONV_2D, int8 with per-channel weights (TFLM reference_integer_ops::DepthwiseConvPerChannel):
    /// output channel c = input channel × depth multiplier + m sees only input channel c / multiplier.
    /// Inputs: 0 input int8 [batches, height, width, in channels]; 1 filter int8 constant
    /// [out channels, kernel height, kernel width], channel-major (the host transposes TFLite's
    /// [1, kh, kw, out channels] so each channel's taps are contiguous); 2 bias int32 [out channels];
    /// 3 folded bias int32 [out channels] = bias + input offset × Σ channel taps (checked at load, or
    /// computed at load when stored as derived);
    /// 4 multipliers int32 [out channels] (≥ 0); 5 shifts int32 [out channels] (in [−31, 30]).
    /// Output 0: int8 [batches, out height, out width, out channels].
    /// Parameters 0–10: the window and output stage of <see cref="ConvWindow"/>; 11 depth multiplier
    /// (out channels = in channels × multiplier).
    /// Each output channel accumulates its taps in a register (3×3 filters fully unrolled); interior
    /// positions use Σ x × w on the folded bias, border positions skip the taps outside the input and
    /// add (x + input offset) × w onto the bias, as TFLM does.
    /// </summary>
    internal sealed partial class DepthwiseConv2DKernel : WindowedKernel
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
        private readonly bool _unrolled3x3;

        // 3×3, depth multiplier 1, dilation width 1, stride width 1 or 2 (else 0): every output row
        // whose three filter rows lie inside the input is computed by SlidingRow.
        private readonly int _slidingStride;
        private readonly int _multiplier;
        private readonly int _taps;

        // Interior: tap t of the window reads the input _tapStarts[t] after its first tap.
        private readonly int[] _tapStarts;

        internal DepthwiseConv2DKernel(OperatorDefinition op, Tensor[] tensors)
        {
            Check.Counts(op, Conv2DLayout.InputCount, 1, DepthwiseConv2DLayout.ParameterCount);
            _input = Check.Int8Input(op, tensors, Conv2DLayout.Input);
            _filter = Check.Int8Constant(op, tensors, Conv2DLayout.Filter);
            _output = Check.Int8Output(op, tensors, 0);
            Check.Rank(op, _filter, 3, "filter");
            int outDepth = _filter.shape[0];
            int kernelHeight = _filter.shape[1];
            int kernelWidth = _filter.shape[2];
            _window = new ConvWindow(op, _input, _output, kernelHeight, kernelWidth, outDepth);
            _multiplier = Check.Parameter(op, DepthwiseConv2DLayout.DepthMultiplier, 1, outDepth, "depth multiplier");
            if (!((long)_window.InputDepth * _multiplier == outDepth))
            {
                Check.Fail(op, "output channels " + outDepth.ToString() + " are not input channels " + _window.InputDepth.ToString() + " × depth multiplier " + _multiplier.ToString());
            }

            _taps = kernelHeight * kernelWidth;

            _bias = Check.Int32Constant(op, tensors, Conv2DLayout.Bias, outDepth);
            _multipliers = Check.Int32Constant(op, tensors, Conv2DLayout.Multipliers, outDepth);
            _shifts = Check.Shifts(op, tensors, Conv2DLayout.Shifts, outDepth);
            ConvWindow.CheckMultipliers(op, _multipliers);
            _foldedBias = ConvWindow.FoldedBias(op, tensors, Conv2DLayout.FoldedBias, _bias, _filter, _taps, _window.InputOffset);

            _tapStarts = new int[_taps];
            if (_window.InteriorTop < _window.InteriorBottom && _window.InteriorLeft < _window.InteriorRight)
            {
                for (int ky = 0; ky < kernelHeight; ky++)
                {
                    for (int kx = 0; kx < kernelWidth; kx++)
                    {
                        _tapStarts[(ky * kernelWidth) + kx] = ((ky * _window.DilationHeight * _window.InputWidth) + (kx * _window.DilationWidth)) * _window.InputDepth;
                    }
                }
            }

            _unrolled3x3 = _taps == 9;
            _leftShifts = Requantization.LeftShifts(_shifts);
            _rightShifts = Requantization.RightShifts(_shifts);
            _roundings = Requantization.Roundings(_shifts);
            bool sliding = kernelHeight == 3 && kernelWidth == 3 && _multiplier == 1 && _window.DilationWidth == 1;
            _slidingStride = sliding && (_window.StrideWidth == 1 || _window.StrideWidth == 2) ? _window.StrideWidth : 0;
        }

        internal override long MacCount
        {
            get { return (long)_window.Batches * _window.OutputHeight * _window.OutputWidth * _window.OutputDepth * _taps; }
        }

        internal override void Invoke()
        {
            if (_slidingStride == 0)
            {
                Walk(_window, _input.offset, _output.offset);
                return;
            }

            ConvWindow window = _window;
            int inputHeight = window.InputHeight;
            int rowSize = window.InputWidth * window.InputDepth;
            int lastRow = 2 * window.DilationHeight;
            int outputRowSize = window.OutputWidth * window.OutputDepth;
            int outDepth = window.OutputDepth;
            int batchBase = _input.offset;
            int outIndex = _output.offset;
            for (int b = 0; b < window.Batches; b++)
            {
                for (int oy = 0; oy < window.OutputHeight; oy++)
                {
                    int inY = (oy * window.StrideHeight) - window.PadTop;
                    if (inY >= 0 && inY + lastRow < inputHeight)
                    {
                        SlidingRow(batchBase + (inY * rowSize), outIndex);
                    }
                    else
                    {
                        for (int ox = 0; ox < window.OutputWidth; ox++)
                        {
                            BorderPixel(batchBase, inY, (ox * window.StrideWidth) - window.PadLeft, outIndex + (ox * outDepth));
                        }
                    }

                    outIndex += outputRowSize;
                }

                batchBase += inputHeight * rowSize;
            }
        }

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

        protected override void InteriorRow(int pixel, int count, int outIndex)
        {
            if (_multiplier % 8 == 0)
            {
                InteriorRowMultiplier8(pixel, count, outIndex);
            }
            else if (_multiplier % 4 == 0)
            {
                InteriorRowMultiplierBlocked(pixel, count, outIndex);
            }
            else if (_unrolled3x3)
            {
                InteriorRow3x3(pixel, count, outIndex);
            }
            else
            {
                InteriorRowAnyFilter(pixel, count, outIndex);
            }
        }

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
        /// One output position with taps outside the input: those are skipped, the others add
        /// (x + input offset) × w onto the raw bias. <paramref name="inY"/>, <paramref name="inX"/>
        /// are the input position of the window's first tap (possibly negative).
        /// </summary>
        protected override void BorderPixel(int batchBase, int inY, int inX, int outIndex)
        {
            if (_multiplier % 4 == 0)
            {
                BorderPixelMultiplierBlocked(batchBase, inY, inX, outIndex);
            }
            else
            {
                BorderPixelAnyMultiplier(batchBase, inY, inX, outIndex);
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
