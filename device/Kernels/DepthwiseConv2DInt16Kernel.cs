using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// DEPTHWISE_CONV_2D 16x8: int16 activations, int8 per-channel weights, int64 bias, 64-bit
    /// accumulation (TFLM reference_integer_ops::DepthwiseConvPerChannel, int16 input). Zero points are 0.
    /// Inputs: 0 input int16 [batches, height, width, in channels]; 1 filter int8 constant, channel-major
    /// [out channels, kernel height, kernel width]; 2 bias int64 [out channels] or absent; 3 multipliers
    /// int32 [out channels] (≥ 0); 4 shifts int32 [out channels] (in [−31, 7]).
    /// Output 0: int16 [batches, out height, out width, out channels], out channel = in channel ×
    /// depth multiplier + m.
    /// Parameters 0–10: the window of <see cref="ConvWindow"/>; 11 depth multiplier.
    /// This file is the wrapper: rows of a 3×3 filter (multiplier 1, dilation width 1, stride width 1 or 2)
    /// whose three filter rows lie inside the input go to the sliding variant
    /// (DepthwiseConv2DInt16Kernel.Sliding.cs); every other row is walked pixel by pixel here.
    /// </summary>
    internal sealed partial class DepthwiseConv2DInt16Kernel : Kernel
    {
        private readonly Tensor _input;
        private readonly Tensor _filter;
        private readonly Tensor _output;
        private readonly long[] _bias;
        private readonly int[] _multipliers;
        private readonly int[] _shifts;
        private readonly ConvWindow _window;
        private readonly int _depthMultiplier;

        // Stride width (1 or 2) when SlidingRow computes the rows whose three filter rows lie inside the input; 0 otherwise.
        private readonly int _slidingStride;

        internal DepthwiseConv2DInt16Kernel(OperatorDefinition op, Tensor[] tensors)
        {
            Check.Counts(op, Conv2DLayout.Int16InputCount, 1, DepthwiseConv2DLayout.ParameterCount);
            _input = Check.Int16Input(op, tensors, Conv2DLayout.InputSlot);
            _filter = Check.Int8Constant(op, tensors, Conv2DLayout.FilterSlot);
            _output = Check.Int16Output(op, tensors, 0);
            Check.Rank(op, _filter, 3, "filter");
            int outDepth = _filter.shape[0];
            _window = new ConvWindow(op, _input, _output, _filter.shape[1], _filter.shape[2], outDepth);
            _depthMultiplier = Check.Parameter(op, DepthwiseConv2DLayout.DepthMultiplier, 1, outDepth, "depth multiplier");
            if (!((long)_window.InputDepth * _depthMultiplier == outDepth))
            {
                Check.Fail(op, "output channels " + outDepth.ToString() + " are not input channels " + _window.InputDepth.ToString() + " × depth multiplier " + _depthMultiplier.ToString());
            }

            _bias = Check.OptionalInt64Constant(op, tensors, Conv2DLayout.BiasSlot, outDepth);
            _multipliers = Int16Math.Multipliers(op, tensors, Conv2DLayout.Int16MultipliersSlot, outDepth);
            _shifts = Int16Math.Shifts(op, tensors, Conv2DLayout.Int16ShiftsSlot, outDepth);
            bool sliding = _window.KernelHeight == 3 && _window.KernelWidth == 3 && _depthMultiplier == 1 && _window.DilationWidth == 1;
            _slidingStride = sliding && (_window.StrideWidth == 1 || _window.StrideWidth == 2) ? _window.StrideWidth : 0;
        }

        internal override long MacCount
        {
            get
            {
                ConvWindow w = _window;
                return (long)w.Batches * w.OutputHeight * w.OutputWidth * w.OutputDepth * w.KernelHeight * w.KernelWidth;
            }
        }

        internal override void Invoke()
        {
            ConvWindow w = _window;
            int rowBytes = 2 * w.InputWidth * w.InputDepth;
            int batchBytes = w.InputHeight * rowBytes;
            int outputRowBytes = 2 * w.OutputWidth * w.OutputDepth;
            int lastRow = 2 * w.DilationHeight;
            int batchBase = _input.offset;
            int o = _output.offset;
            for (int b = 0; b < w.Batches; b++)
            {
                for (int oy = 0; oy < w.OutputHeight; oy++)
                {
                    int originY = (oy * w.StrideHeight) - w.PadTop;
                    if (_slidingStride != 0 && originY >= 0 && originY + lastRow < w.InputHeight)
                    {
                        SlidingRow(batchBase + (originY * rowBytes), o);
                    }
                    else
                    {
                        WalkRow(batchBase, originY, o);
                    }

                    o += outputRowBytes;
                }

                batchBase += batchBytes;
            }
        }

        /// <summary>
        /// One output row, pixel by pixel and channel by channel, over the taps inside the input only
        /// (<paramref name="originY"/> is the window's top row, possibly above the input).
        /// </summary>
        private void WalkRow(int batchBase, int originY, int o)
        {
            ConvWindow w = _window;
            sbyte[] input = _input.data;
            sbyte[] filter = _filter.data;
            sbyte[] output = _output.data;
            long[] bias = _bias;
            int[] multipliers = _multipliers;
            int[] shifts = _shifts;
            int filterBase = _filter.offset;
            int inHeight = w.InputHeight;
            int inWidth = w.InputWidth;
            int inDepth = w.InputDepth;
            int outDepth = w.OutputDepth;
            int kernelHeight = w.KernelHeight;
            int kernelWidth = w.KernelWidth;
            int dilationHeight = w.DilationHeight;
            int dilationWidth = w.DilationWidth;
            int taps = kernelHeight * kernelWidth;
            int depthMultiplier = _depthMultiplier;
            int min = w.ActivationMin;
            int max = w.ActivationMax;
            int columnStep = 2 * dilationWidth * inDepth;
            int rowStep = 2 * dilationHeight * inWidth * inDepth;
            int kyFirst = ConvWindow.FirstTap(originY, dilationHeight, kernelHeight);
            int rows = ConvWindow.EndTap(originY, dilationHeight, kernelHeight, inHeight) - kyFirst;
            for (int ox = 0; ox < w.OutputWidth; ox++)
            {
                // Only the taps inside the input, rows [kyFirst, kyFirst + rows) × columns
                // [kxFirst, kxFirst + columns), are visited: no check per tap.
                int originX = (ox * w.StrideWidth) - w.PadLeft;
                int kxFirst = ConvWindow.FirstTap(originX, dilationWidth, kernelWidth);
                int columns = ConvWindow.EndTap(originX, dilationWidth, kernelWidth, inWidth) - kxFirst;
                int tapRows = columns > 0 ? rows : 0;
                int firstTap = batchBase + (((((originY + (kyFirst * dilationHeight)) * inWidth) + originX + (kxFirst * dilationWidth)) * inDepth) * 2);
                int firstWeight = filterBase + (kyFirst * kernelWidth) + kxFirst;
                for (int oc = 0; oc < outDepth; oc++)
                {
                    long acc = bias != null ? bias[oc] : 0;
                    int rowInput = firstTap + (2 * (oc / depthMultiplier));
                    int rowWeight = firstWeight + (oc * taps);
                    for (int r = 0; r < tapRows; r++)
                    {
                        int i = rowInput;
                        int f = rowWeight;
                        int end = f + columns;
                        while (f < end)
                        {
                            acc += filter[f++] * ((input[i] & 0xFF) | (input[i + 1] << 8));
                            i += columnStep;
                        }

                        rowInput += rowStep;
                        rowWeight += kernelWidth;
                    }

                    Int16Math.Store(output, o, acc, multipliers[oc], shifts[oc], 0, min, max);
                    o += 2;
                }
            }
        }
    }
}
