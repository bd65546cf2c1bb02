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
    /// This file is the wrapper (checks, then each output part to a variant, as CMSIS-NN's wrapper does); the
    /// variants are partial files: Conv2DKernel.Blocked.cs (ungrouped) and Conv2DKernel.Grouped.cs.
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
            _input = Check.Int8Input(op, tensors, Conv2DLayout.InputSlot);
            _filter = Check.Int8Constant(op, tensors, Conv2DLayout.FilterSlot);
            _output = Check.Int8Output(op, tensors, 0);
            Check.Rank(op, _filter, 4, "filter");
            int outDepth = _filter.shape[0];
            int kernelHeight = _filter.shape[1];
            int kernelWidth = _filter.shape[2];
            _filterDepth = _filter.shape[3];
            _window = new ConvWindow(op, _input, _output, kernelHeight, kernelWidth, outDepth);
            int inDepth = _window.InputDepth;
            _groups = _window.Groups(op, _filterDepth);

            _filtersPerGroup = outDepth / _groups;
            _rowLength = kernelHeight * kernelWidth * _filterDepth;

            _bias = Check.Int32Constant(op, tensors, Conv2DLayout.BiasSlot, outDepth);
            _multipliers = Check.Int32Constant(op, tensors, Conv2DLayout.MultipliersSlot, outDepth);
            _shifts = Check.Shifts(op, tensors, Conv2DLayout.ShiftsSlot, outDepth);
            ConvWindow.CheckMultipliers(op, _multipliers);
            _foldedBias = ConvWindow.FoldedBias(op, tensors, Conv2DLayout.FoldedBiasSlot, _bias, _filter, _rowLength, _window.InputOffset);
            _leftShifts = Requantization.LeftShifts(_shifts);
            _rightShifts = Requantization.RightShifts(_shifts);
            _roundings = Requantization.Roundings(_shifts);

            // With dilation 1 along the width and one group, a filter row's taps are one contiguous
            // run of kernel width × channels values, in the input as in the filter.
            _mergeColumns = _window.DilationWidth == 1 && _groups == 1;
            bool hasInterior = _window.InteriorTop < _window.InteriorBottom && _window.InteriorLeft < _window.InteriorRight;
            _runStarts = hasInterior ? _window.RunStarts(_mergeColumns, 1) : new int[0];
            _runLength = !hasInterior ? 0 : _mergeColumns ? kernelWidth * inDepth : _filterDepth;

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
    }
}
