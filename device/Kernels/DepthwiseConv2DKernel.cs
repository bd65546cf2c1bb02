namespace NanoQuant
{
    /// <summary>
    /// DEPTHWISE_CONV_2D, int8 with per-channel weights (TFLM reference_integer_ops::DepthwiseConvPerChannel):
    /// output channel c = input channel × depth multiplier + m sees only input channel c / multiplier.
    /// Inputs: 0 input int8 [batches, height, width, in channels]; 1 filter int8 constant
    /// [out channels, kernel height, kernel width], channel-major (the host transposes TFLite's
    /// [1, kh, kw, out channels] so each channel's taps are contiguous); 2 bias int32 [out channels];
    /// 3 folded bias int32 [out channels] = bias + input offset × Σ channel taps (checked at load);
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
        private readonly ConvWindow _window;
        private readonly bool _unrolled3x3;
        private readonly int _multiplier;
        private readonly int _taps;

        // Interior: tap t of the window reads the input _tapStarts[t] after its first tap.
        private readonly int[] _tapStarts;

        internal DepthwiseConv2DKernel(OperatorDefinition op, Tensor[] tensors)
        {
            Check.Counts(op, 6, 1, ConvWindow.ParameterCount + 1);
            _input = Check.Int8Input(op, tensors, 0);
            _filter = Check.Int8Constant(op, tensors, 1);
            _output = Check.Int8Output(op, tensors, 0);
            Check.Rank(op, _filter, 3, "filter");
            int outDepth = _filter.shape[0];
            int kernelHeight = _filter.shape[1];
            int kernelWidth = _filter.shape[2];
            _window = new ConvWindow(op, _input, _output, kernelHeight, kernelWidth, outDepth);
            _multiplier = Check.Parameter(op, ConvWindow.ParameterCount, 1, outDepth, "depth multiplier");
            if (!((long)_window.InputDepth * _multiplier == outDepth))
            {
                Check.Fail(op, "output channels " + outDepth.ToString() + " are not input channels " + _window.InputDepth.ToString() + " × depth multiplier " + _multiplier.ToString());
            }

            _taps = kernelHeight * kernelWidth;

            _bias = Check.Int32Constant(op, tensors, 2, outDepth);
            _foldedBias = Check.Int32Constant(op, tensors, 3, outDepth);
            _multipliers = Check.Int32Constant(op, tensors, 4, outDepth);
            _shifts = Check.Shifts(op, tensors, 5, outDepth);
            ConvWindow.CheckMultipliers(op, _multipliers);
            ConvWindow.CheckFoldedBias(op, _bias, _foldedBias, _filter, _taps, _window.InputOffset);

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
        }

        internal override long MacCount
        {
            get { return (long)_window.Batches * _window.OutputHeight * _window.OutputWidth * _window.OutputDepth * _taps; }
        }

        internal override void Invoke()
        {
            Walk(_window, _input.offset, _output.offset);
        }

        protected override void InteriorRow(int pixel, int count, int outIndex)
        {
            if (_unrolled3x3)
            {
                InteriorRow3x3(pixel, count, outIndex);
            }
            else
            {
                InteriorRowAnyFilter(pixel, count, outIndex);
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
