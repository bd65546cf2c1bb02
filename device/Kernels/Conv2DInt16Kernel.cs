using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// CONV_2D 16x8: int16 activations, int8 per-channel weights, int64 bias, 64-bit accumulation
    /// (TFLM reference_integer_ops::ConvPerChannel with int16 input and int64 bias). Zero points are 0:
    /// acc = Σ x × w (+ bias), out = clamp(MultiplyByQuantizedMultiplier(acc, m[c], s[c])), the
    /// 64-bit multiply of <see cref="Int16Math"/>. Grouped convolutions are kept.
    /// Inputs: 0 input int16 [batches, height, width, in channels]; 1 filter int8 constant
    /// [out channels, kernel height, kernel width, in channels per group]; 2 bias int64 [out channels]
    /// or absent; 3 multipliers int32 [out channels] (≥ 0); 4 shifts int32 [out channels] (in [−31, 7]).
    /// Output 0: int16 [batches, out height, out width, out channels].
    /// Parameters 0–10: the window of <see cref="ConvWindow"/> (input and output offsets 0, activation
    /// range within int16).
    /// This file is the wrapper: it checks the operands and sends each part of the output to a variant,
    /// as CMSIS-NN's wrapper does — ungrouped (Conv2DInt16Kernel.Blocked.cs: four output channels per
    /// loaded input, interior rows two positions at a time) or grouped (Conv2DInt16Kernel.Grouped.cs).
    /// Every variant visits only the taps inside the input (no check per tap); the sums are exact in
    /// 64 bits, so the order of accumulation cannot change a result.
    /// </summary>
    internal sealed partial class Conv2DInt16Kernel : WindowedKernel
    {
        private readonly Tensor _input;
        private readonly Tensor _filter;
        private readonly Tensor _output;
        private readonly long[] _bias;
        private readonly int[] _multipliers;
        private readonly int[] _shifts;
        private readonly ConvWindow _window;
        private readonly int _filterDepth;
        private readonly int _groups;
        private readonly int _filtersPerGroup;

        // One output channel's filter: kernel height × kernel width × filter depth weights.
        private readonly int _rowLength;

        // Interior of an ungrouped convolution: each output channel is a dot product over runs of
        // _runBytes contiguous input bytes; run r starts _runStarts[r] bytes after the window's first.
        private readonly int[] _runStarts;
        private readonly int _runBytes;

        internal Conv2DInt16Kernel(OperatorDefinition op, Tensor[] tensors)
        {
            Check.Counts(op, Conv2DLayout.Int16InputCount, 1, Conv2DLayout.ParameterCount);
            _input = Check.Int16Input(op, tensors, Conv2DLayout.InputSlot);
            _filter = Check.Int8Constant(op, tensors, Conv2DLayout.FilterSlot);
            _output = Check.Int16Output(op, tensors, 0);
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
            _bias = Check.OptionalInt64Constant(op, tensors, Conv2DLayout.BiasSlot, outDepth);
            _multipliers = Int16Math.Multipliers(op, tensors, Conv2DLayout.Int16MultipliersSlot, outDepth);
            _shifts = Int16Math.Shifts(op, tensors, Conv2DLayout.Int16ShiftsSlot, outDepth);

            // With dilation 1 along the width, a filter row's taps are one contiguous run of kernel
            // width × channels values, in the input as in the filter.
            _runStarts = _window.RunStarts(_window.DilationWidth == 1, 2);
            _runBytes = _window.DilationWidth == 1 ? kernelWidth * inDepth * 2 : inDepth * 2;
        }

        internal override long MacCount
        {
            get
            {
                ConvWindow w = _window;
                return (long)w.Batches * w.OutputHeight * w.OutputWidth * w.OutputDepth * w.KernelHeight * w.KernelWidth * _filterDepth;
            }
        }

        internal override void Invoke()
        {
            // Element indices from the tensors' starts; the variants turn them into byte indices.
            Walk(_window, 0, 0);
        }

        protected override void InteriorRow(int pixel, int count, int outIndex)
        {
            int inByte = _input.offset + (2 * pixel);
            int outByte = _output.offset + (2 * outIndex);
            int pixelStep = 2 * _window.StrideWidth * _window.InputDepth;
            int outStep = 2 * _window.OutputDepth;
            if (_groups == 1)
            {
                int pairs = count >> 1;
                if (pairs > 0)
                {
                    InteriorPairs(inByte, pairs, outByte);
                }

                if ((count & 1) != 0)
                {
                    int done = pairs << 1;
                    PixelBlocked(inByte + (done * pixelStep), _filter.offset, _window.KernelHeight, _window.KernelWidth, outByte + (done * outStep));
                }
            }
            else
            {
                for (int p = 0; p < count; p++)
                {
                    PixelGrouped(inByte, _filter.offset, _window.KernelHeight, _window.KernelWidth, outByte);
                    inByte += pixelStep;
                    outByte += outStep;
                }
            }
        }

        /// <summary>
        /// One output position with taps outside the input: only the taps inside, rows
        /// [kyFirst, kyEnd) × columns [kxFirst, kxEnd) of the filter, are visited.
        /// </summary>
        protected override void BorderPixel(int batchBase, int inY, int inX, int outIndex)
        {
            ConvWindow window = _window;
            int dilationHeight = window.DilationHeight;
            int dilationWidth = window.DilationWidth;
            int kyFirst = ConvWindow.FirstTap(inY, dilationHeight, window.KernelHeight);
            int kyEnd = ConvWindow.EndTap(inY, dilationHeight, window.KernelHeight, window.InputHeight);
            int kxFirst = ConvWindow.FirstTap(inX, dilationWidth, window.KernelWidth);
            int kxEnd = ConvWindow.EndTap(inX, dilationWidth, window.KernelWidth, window.InputWidth);
            int columns = kxEnd - kxFirst;
            int rows = columns > 0 ? kyEnd - kyFirst : 0;
            int firstTap = rows > 0 ? _input.offset + (2 * (batchBase + ((((inY + (kyFirst * dilationHeight)) * window.InputWidth) + inX + (kxFirst * dilationWidth)) * window.InputDepth))) : 0;
            int firstWeight = _filter.offset + (((kyFirst * window.KernelWidth) + kxFirst) * _filterDepth);
            int outByte = _output.offset + (2 * outIndex);
            if (_groups == 1)
            {
                PixelBlocked(firstTap, firstWeight, rows, columns, outByte);
            }
            else
            {
                PixelGrouped(firstTap, firstWeight, rows, columns, outByte);
            }
        }
    }
}
