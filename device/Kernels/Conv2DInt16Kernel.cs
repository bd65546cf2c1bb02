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
    /// </summary>
    internal sealed class Conv2DInt16Kernel : Kernel
    {
        private readonly Tensor _input;
        private readonly Tensor _filter;
        private readonly Tensor _output;
        private readonly long[] _bias;
        private readonly int[] _multipliers;
        private readonly int[] _shifts;
        private readonly ConvWindow _window;
        private readonly int _filterDepth;
        private readonly int _filtersPerGroup;

        internal Conv2DInt16Kernel(OperatorDefinition op, Tensor[] tensors)
        {
            Check.Counts(op, Conv2DLayout.Int16InputCount, 1, Conv2DLayout.ParameterCount);
            _input = Check.Int16Input(op, tensors, Conv2DLayout.Input);
            _filter = Check.Int8Constant(op, tensors, Conv2DLayout.Filter);
            _output = Check.Int16Output(op, tensors, 0);
            Check.Rank(op, _filter, 4, "filter");
            int outDepth = _filter.shape[0];
            _filterDepth = _filter.shape[3];
            _window = new ConvWindow(op, _input, _output, _filter.shape[1], _filter.shape[2], outDepth);
            int inDepth = _window.InputDepth;
            if (!(inDepth % _filterDepth == 0))
            {
                Check.Fail(op, "input channels " + inDepth.ToString() + " are not a multiple of the filter's " + _filterDepth.ToString());
            }

            int groups = inDepth / _filterDepth;
            if (!(outDepth % groups == 0))
            {
                Check.Fail(op, "output channels " + outDepth.ToString() + " do not divide into " + groups.ToString() + " groups");
            }

            _filtersPerGroup = outDepth / groups;
            _bias = Check.OptionalInt64Constant(op, tensors, Conv2DLayout.Bias, outDepth);
            _multipliers = Int16Math.Multipliers(op, tensors, Conv2DLayout.Int16Multipliers, outDepth);
            _shifts = Int16Math.Shifts(op, tensors, Conv2DLayout.Int16Shifts, outDepth);
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
            ConvWindow w = _window;
            sbyte[] input = _input.data;
            sbyte[] filter = _filter.data;
            sbyte[] output = _output.data;
            long[] bias = _bias;
            int[] multipliers = _multipliers;
            int[] shifts = _shifts;
            int inBase = _input.offset;
            int filterBase = _filter.offset;
            int o = _output.offset;
            int inHeight = w.InputHeight;
            int inWidth = w.InputWidth;
            int inDepth = w.InputDepth;
            int outDepth = w.OutputDepth;
            int kernelHeight = w.KernelHeight;
            int kernelWidth = w.KernelWidth;
            int filterDepth = _filterDepth;
            int filtersPerGroup = _filtersPerGroup;
            int min = w.ActivationMin;
            int max = w.ActivationMax;
            for (int b = 0; b < w.Batches; b++)
            {
                int batchBase = inBase + (b * inHeight * inWidth * inDepth * 2);
                for (int oy = 0; oy < w.OutputHeight; oy++)
                {
                    int originY = (oy * w.StrideHeight) - w.PadTop;
                    for (int ox = 0; ox < w.OutputWidth; ox++)
                    {
                        int originX = (ox * w.StrideWidth) - w.PadLeft;
                        for (int oc = 0; oc < outDepth; oc++)
                        {
                            int channelStart = (oc / filtersPerGroup) * filterDepth;
                            long acc = 0;
                            int f = filterBase + (oc * kernelHeight * kernelWidth * filterDepth);
                            for (int ky = 0; ky < kernelHeight; ky++)
                            {
                                int y = originY + (ky * w.DilationHeight);
                                for (int kx = 0; kx < kernelWidth; kx++)
                                {
                                    int x = originX + (kx * w.DilationWidth);
                                    if (y < 0 || y >= inHeight || x < 0 || x >= inWidth)
                                    {
                                        f += filterDepth;
                                        continue;
                                    }

                                    int p = batchBase + ((((y * inWidth) + x) * inDepth) + channelStart) * 2;
                                    for (int ic = 0; ic < filterDepth; ic++)
                                    {
                                        acc += filter[f++] * ((input[p] & 0xFF) | (input[p + 1] << 8));
                                        p += 2;
                                    }
                                }
                            }

                            if (bias != null)
                            {
                                acc += bias[oc];
                            }

                            int v = Int16Math.MultiplyByQuantizedMultiplier(acc, multipliers[oc], shifts[oc]);
                            v = v < min ? min : (v > max ? max : v);
                            output[o] = (sbyte)v;
                            output[o + 1] = (sbyte)(v >> 8);
                            o += 2;
                        }
                    }
                }
            }
        }
    }
}
