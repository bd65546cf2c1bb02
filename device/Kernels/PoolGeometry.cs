using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// The checked geometry shared by <see cref="AveragePool2DKernel"/> and <see cref="MaxPool2DKernel"/>.
    /// Parameters: 0 stride height, 1 stride width, 2 filter height, 3 filter width, 4 pad top,
    /// 5 pad bottom, 6 pad left, 7 pad right, 8 activation min, 9 activation max.
    /// Input and output are NHWC, both int8 or both int16, with equal batches and depth; every pad lies in
    /// [0, filter − 1] and each output size is exactly (in + pad before + pad after − filter) / stride + 1,
    /// so every pooling window overlaps the input in at least one element.
    /// </summary>
    internal sealed class PoolGeometry
    {
        internal const int ParameterCount = Pool2DLayout.ParameterCount;

        internal readonly Tensor Input;
        internal readonly Tensor Output;
        internal readonly int Batches;
        internal readonly int Depth;
        internal readonly int InputHeight;
        internal readonly int InputWidth;
        internal readonly int OutputHeight;
        internal readonly int OutputWidth;
        internal readonly int StrideHeight;
        internal readonly int StrideWidth;
        internal readonly int FilterHeight;
        internal readonly int FilterWidth;
        internal readonly int PadTop;
        internal readonly int PadLeft;
        internal readonly int ActivationMin;
        internal readonly int ActivationMax;

        internal PoolGeometry(OperatorDefinition op, Tensor[] tensors)
        {
            Check.Counts(op, 1, 1, ParameterCount);
            Input = Check.ActivationInput(op, tensors, 0);
            Output = Check.OutputLike(op, tensors, 0, Input);
            Check.Rank(op, Input, 4, "input");
            Check.Rank(op, Output, 4, "output");
            Batches = Input.shape[0];
            Depth = Input.shape[3];
            Check.That(Output.shape[0] == Batches && Output.shape[3] == Depth, op, "input and output must have the same batches and depth");
            InputHeight = Input.shape[1];
            InputWidth = Input.shape[2];
            OutputHeight = Output.shape[1];
            OutputWidth = Output.shape[2];

            const int Limit = Pool2DLayout.MaxExtent;
            StrideHeight = Check.Parameter(op, Pool2DLayout.StrideHeight, 1, Limit, "stride height");
            StrideWidth = Check.Parameter(op, Pool2DLayout.StrideWidth, 1, Limit, "stride width");
            FilterHeight = Check.Parameter(op, Pool2DLayout.FilterHeight, 1, Limit, "filter height");
            FilterWidth = Check.Parameter(op, Pool2DLayout.FilterWidth, 1, Limit, "filter width");
            PadTop = Check.Parameter(op, Pool2DLayout.PadTop, 0, FilterHeight - 1, "pad top");
            int padBottom = Check.Parameter(op, Pool2DLayout.PadBottom, 0, FilterHeight - 1, "pad bottom");
            PadLeft = Check.Parameter(op, Pool2DLayout.PadLeft, 0, FilterWidth - 1, "pad left");
            int padRight = Check.Parameter(op, Pool2DLayout.PadRight, 0, FilterWidth - 1, "pad right");
            CheckExtent(op, InputHeight, PadTop, padBottom, FilterHeight, StrideHeight, OutputHeight, "height");
            CheckExtent(op, InputWidth, PadLeft, padRight, FilterWidth, StrideWidth, OutputWidth, "width");
            ActivationMin = op.Parameters[Pool2DLayout.ActivationMin];
            ActivationMax = op.Parameters[Pool2DLayout.ActivationMax];
            Check.ActivationRange(op, ActivationMin, ActivationMax, Output);
        }

        private static void CheckExtent(OperatorDefinition op, int input, int before, int after, int filter, int stride, int output, string name)
        {
            int span = input + before + after - filter;
            if (!(span >= 0))
            {
                Check.Fail(op, "padded input " + name + " is smaller than the filter");
            }

            if (!(output == (span / stride) + 1))
            {
                Check.Fail(op, "output " + name + " " + output.ToString() + " does not match input " + name + ", filter, stride and padding (expected " + ((span / stride) + 1).ToString() + ")");
            }
        }
    }
}
