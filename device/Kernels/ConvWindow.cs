using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// The sliding window and output stage Conv2D and DepthwiseConv2D share, read and checked from
    /// an operator's parameters 0–10 (slots in shared/Layouts/ConvWindowLayout.cs):
    /// 0 padding (0 SAME, 1 VALID: TFLite's numbering), 1 stride height, 2 stride width,
    /// 3 dilation height, 4 dilation width (each in [1, 4096]), 5 padding top, 6 padding left,
    /// 7 input offset (−input zero point, in [−127, 128]), 8 output offset (output zero point),
    /// 9 activation min, 10 activation max. The padding arithmetic is shared/Layouts/WindowPadding.cs.
    /// The input [batches, height, width, channels] and output [batches, out height, out width,
    /// out channels] must be NHWC of rank 4 with the same batch count, and the output height and
    /// width and both paddings must be exactly what TFLite's ComputePaddingHeightWidth gives for
    /// the padding type, stride, dilation and kernel size, so no tap or output index can leave
    /// its tensor. Also computes the interior: the output rows and columns whose every tap lies
    /// inside the input.
    /// </summary>
    internal sealed class ConvWindow
    {
        /// <summary>Number of parameters the window reads (0–10).</summary>
        internal const int ParameterCount = ConvWindowLayout.Count;

        internal readonly int Batches;
        internal readonly int InputHeight;
        internal readonly int InputWidth;
        internal readonly int InputDepth;
        internal readonly int OutputHeight;
        internal readonly int OutputWidth;
        internal readonly int OutputDepth;
        internal readonly int KernelHeight;
        internal readonly int KernelWidth;
        internal readonly int StrideHeight;
        internal readonly int StrideWidth;
        internal readonly int DilationHeight;
        internal readonly int DilationWidth;
        internal readonly int PadTop;
        internal readonly int PadLeft;
        internal readonly int InputOffset;
        internal readonly int OutputOffset;
        internal readonly int ActivationMin;
        internal readonly int ActivationMax;

        /// <summary>Interior output rows are [InteriorTop, InteriorBottom), columns [InteriorLeft, InteriorRight); empty ranges are (0, 0).</summary>
        internal readonly int InteriorTop;
        internal readonly int InteriorBottom;
        internal readonly int InteriorLeft;
        internal readonly int InteriorRight;

        internal ConvWindow(OperatorDefinition op, Tensor input, Tensor output, int kernelHeight, int kernelWidth, int outputDepth)
        {
            if (!(op.Parameters.Length >= ParameterCount))
            {
                Check.Fail(op, "expects at least " + ParameterCount.ToString() + " parameters");
            }

            Check.Rank(op, input, 4, "input");
            Check.Rank(op, output, 4, "output");
            Check.That(kernelHeight >= 1 && kernelWidth >= 1, op, "kernel size must be positive");
            Batches = input.shape[0];
            InputHeight = input.shape[1];
            InputWidth = input.shape[2];
            InputDepth = input.shape[3];
            OutputHeight = output.shape[1];
            OutputWidth = output.shape[2];
            OutputDepth = output.shape[3];
            KernelHeight = kernelHeight;
            KernelWidth = kernelWidth;
            Check.That(output.shape[0] == Batches, op, "input and output batch counts differ");
            if (!(OutputDepth == outputDepth))
            {
                Check.Fail(op, "output has " + OutputDepth.ToString() + " channels, the filter " + outputDepth.ToString());
            }

            int padding = Check.Parameter(op, ConvWindowLayout.Padding, WindowPadding.Same, WindowPadding.Valid, "padding type");
            StrideHeight = Check.Parameter(op, ConvWindowLayout.StrideHeight, 1, WindowPadding.MaxStride, "stride height");
            StrideWidth = Check.Parameter(op, ConvWindowLayout.StrideWidth, 1, WindowPadding.MaxStride, "stride width");
            DilationHeight = Check.Parameter(op, ConvWindowLayout.DilationHeight, 1, WindowPadding.MaxDilation, "dilation height");
            DilationWidth = Check.Parameter(op, ConvWindowLayout.DilationWidth, 1, WindowPadding.MaxDilation, "dilation width");
            PadTop = op.Parameters[ConvWindowLayout.PadTop];
            PadLeft = op.Parameters[ConvWindowLayout.PadLeft];
            InputOffset = Check.Parameter(op, ConvWindowLayout.InputOffset, -127, 128, "input offset");
            OutputOffset = op.Parameters[ConvWindowLayout.OutputOffset];
            ActivationMin = op.Parameters[ConvWindowLayout.ActivationMin];
            ActivationMax = op.Parameters[ConvWindowLayout.ActivationMax];
            if (output.type == NanoQuant.Format.TensorType.Int16)
            {
                // 16x8: TFLM requires zero points 0 and applies no offsets.
                Check.That(InputOffset == 0 && OutputOffset == 0, op, "int16 input and output zero points must be 0");
            }
            else
            {
                Check.ZeroPoint(op, OutputOffset, "output");
            }

            Check.ActivationRange(op, ActivationMin, ActivationMax, output);

            CheckAxis(op, padding, InputHeight, kernelHeight, StrideHeight, DilationHeight, PadTop, OutputHeight, "height");
            CheckAxis(op, padding, InputWidth, kernelWidth, StrideWidth, DilationWidth, PadLeft, OutputWidth, "width");
            Interior(InputHeight, kernelHeight, StrideHeight, DilationHeight, PadTop, OutputHeight, out InteriorTop, out InteriorBottom);
            Interior(InputWidth, kernelWidth, StrideWidth, DilationWidth, PadLeft, OutputWidth, out InteriorLeft, out InteriorRight);
        }

        /// <summary>
        /// The number of groups of a CONV_2D whose filter holds <paramref name="filterDepth"/> input channels: the input's
        /// channels must be a multiple of it and the output's a multiple of the groups (int8 and 16x8 alike).
        /// </summary>
        internal int Groups(OperatorDefinition op, int filterDepth)
        {
            if (!(filterDepth >= 1 && InputDepth % filterDepth == 0))
            {
                Check.Fail(op, "input channels " + InputDepth.ToString() + " are not a multiple of the filter's " + filterDepth.ToString());
            }

            int groups = InputDepth / filterDepth;
            if (!(OutputDepth % groups == 0))
            {
                Check.Fail(op, "output channels " + OutputDepth.ToString() + " do not divide into " + groups.ToString() + " groups");
            }

            return groups;
        }

        /// <summary>
        /// Where each contiguous run of a window's taps starts, counted from the window's first input value in units of
        /// <paramref name="elementSize"/> (1: elements, 2: int16 bytes): one run per filter row when
        /// <paramref name="mergeColumns"/> (dilation 1 along the width, so a row's taps are kernel width × channels
        /// contiguous values, in the input as in the filter), else one per tap. Set-up for the kernels' interior loops.
        /// </summary>
        internal int[] RunStarts(bool mergeColumns, int elementSize)
        {
            int pixel = InputDepth * elementSize;
            int row = InputWidth * pixel;
            if (mergeColumns)
            {
                int[] rowStarts = new int[KernelHeight];
                for (int ky = 0; ky < KernelHeight; ky++)
                {
                    rowStarts[ky] = ky * DilationHeight * row;
                }

                return rowStarts;
            }

            int[] tapStarts = new int[KernelHeight * KernelWidth];
            for (int ky = 0; ky < KernelHeight; ky++)
            {
                for (int kx = 0; kx < KernelWidth; kx++)
                {
                    tapStarts[(ky * KernelWidth) + kx] = (ky * DilationHeight * row) + (kx * DilationWidth * pixel);
                }
            }

            return tapStarts;
        }

        /// <summary>
        /// The folded bias of input <paramref name="slot"/>, bias + input offset × Σ weights of each channel
        /// (channels are contiguous rows of the filter): a stored int32 constant is checked against it, so the
        /// interior and the border of the output compute the same function; a derived one (format version 3)
        /// is computed here.
        /// </summary>
        internal static int[] FoldedBias(OperatorDefinition op, Tensor[] tensors, int slot, int[] bias, Tensor filter, int rowLength, int inputOffset)
        {
            int index = slot < op.Inputs.Length ? op.Inputs[slot] : Format.ModelFormat.NoTensor;
            bool derived = index != Format.ModelFormat.NoTensor && tensors[index].storage == Format.TensorStorage.Derived;
            int[] folded;
            if (derived)
            {
                if (tensors[index].elementCount != bias.Length)
                {
                    Check.Fail(op, "input " + slot.ToString() + " must hold " + bias.Length.ToString() + " values, holds " + tensors[index].elementCount.ToString());
                }

                folded = new int[bias.Length];
            }
            else
            {
                folded = Check.Int32Constant(op, tensors, slot, bias.Length);
            }

            sbyte[] weights = filter.data;
            int w = filter.offset;
            for (int c = 0; c < bias.Length; c++)
            {
                int sum = 0;
                for (int j = 0; j < rowLength; j++)
                {
                    sum += weights[w++];
                }

                int value = bias[c] + (inputOffset * sum);
                if (derived)
                {
                    folded[c] = value;
                }
                else if (!(folded[c] == value))
                {
                    Check.Fail(op, "folded bias of channel " + c.ToString() + " is not bias + input offset × Σ weights");
                }
            }

            return folded;
        }

        /// <summary>Checks multipliers: non-negative (QuantizeMultiplier never yields a negative one).</summary>
        internal static void CheckMultipliers(OperatorDefinition op, int[] multipliers)
        {
            for (int c = 0; c < multipliers.Length; c++)
            {
                if (!(multipliers[c] >= 0))
                {
                    Check.Fail(op, "multiplier of channel " + c.ToString() + " is negative");
                }
            }
        }

        /// <summary>First filter tap (row or column) whose input position origin + tap × dilation is ≥ 0.</summary>
        internal static int FirstTap(int origin, int dilation, int kernel)
        {
            if (origin >= 0)
            {
                return 0;
            }

            int first = (dilation - 1 - origin) / dilation;
            return first < kernel ? first : kernel;
        }

        /// <summary>One past the last filter tap whose input position origin + tap × dilation is &lt; <paramref name="inSize"/>.</summary>
        internal static int EndTap(int origin, int dilation, int kernel, int inSize)
        {
            int room = inSize - 1 - origin;
            if (room < 0)
            {
                return 0;
            }

            int end = (room / dilation) + 1;
            return end < kernel ? end : kernel;
        }

        private static void CheckAxis(OperatorDefinition op, int padding, int inSize, int kernel, int stride, int dilation, int pad, int outSize, string name)
        {
            long effective = WindowPadding.EffectiveSize(kernel, dilation);
            long expected = WindowPadding.OutputSize(padding, inSize, kernel, stride, dilation);
            if (!(outSize == expected))
            {
                Check.Fail(op, "output " + name + " " + outSize.ToString() + " is not the " + expected.ToString() + " the padding, stride, dilation and kernel give");
            }

            long expectedPad = WindowPadding.Before(inSize, kernel, stride, dilation, expected);
            if (!(pad == expectedPad))
            {
                Check.Fail(op, "padding " + name + " " + pad.ToString() + " is not the " + expectedPad.ToString() + " the padding type gives");
            }

            if (!(pad >= 0 && pad < effective))
            {
                Check.Fail(op, "padding " + name + " is outside [0, kernel extent)");
            }

            if (!((long)outSize * stride + effective + inSize <= int.MaxValue))
            {
                Check.Fail(op, "window along " + name + " is too large for 32-bit index arithmetic");
            }
        }

        private static void Interior(int inSize, int kernel, int stride, int dilation, int pad, int outSize, out int start, out int end)
        {
            int last = (kernel - 1) * dilation;
            start = 0;
            end = 0;
            bool found = false;
            for (int o = 0; o < outSize; o++)
            {
                int origin = (o * stride) - pad;
                if (origin >= 0 && origin + last <= inSize - 1)
                {
                    if (!found)
                    {
                        start = o;
                        found = true;
                    }

                    end = o + 1;
                }
            }
        }
    }
}
