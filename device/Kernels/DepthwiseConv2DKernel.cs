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
    /// This file is the wrapper (checks, then each output part to a variant); the variants are partial files:
    /// DepthwiseConv2DKernel.Sliding.cs, .MultiplierBlocked.cs and .AnyMultiplier.cs.
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
            _input = Check.Int8Input(op, tensors, Conv2DLayout.InputSlot);
            _filter = Check.Int8Constant(op, tensors, Conv2DLayout.FilterSlot);
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

            _bias = Check.Int32Constant(op, tensors, Conv2DLayout.BiasSlot, outDepth);
            _multipliers = Check.Int32Constant(op, tensors, Conv2DLayout.MultipliersSlot, outDepth);
            _shifts = Check.Shifts(op, tensors, Conv2DLayout.ShiftsSlot, outDepth);
            ConvWindow.CheckMultipliers(op, _multipliers);
            _foldedBias = ConvWindow.FoldedBias(op, tensors, Conv2DLayout.FoldedBiasSlot, _bias, _filter, _taps, _window.InputOffset);

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
    }
}
