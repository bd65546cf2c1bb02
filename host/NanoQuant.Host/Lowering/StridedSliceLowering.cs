using NanoQuant.Format;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Host.Lowering;

/// <summary>
/// STRIDED_SLICE → <see cref="OperatorType.StridedSlice"/> (device/Kernels/StridedSliceKernel.cs).
/// begin, end and strides (constant int32 tensors, one entry per input dimension, as TFLM requires)
/// and the masks are resolved here into one explicit (start, stop, step) per input dimension, with
/// TFLM's StridedSliceStartForAxis / StridedSliceEndForAxis rules: negative indices count from the
/// end, indices clamp to [0, size] (forward) or [−1, size − 1] (backward), begin_mask/end_mask take
/// the whole extent, a shrunk axis takes one element. TFLM ignores ellipsis_mask, new_axis_mask and
/// offset; where TFLite's meaning of those would select something else the model is refused rather
/// than run differently from either.
/// </summary>
public sealed class StridedSliceLowering : IOperatorLowering
{
    public IReadOnlyList<BuiltinOperator> Operators { get; } = [BuiltinOperator.StridedSlice];

    public void Lower(LoweringContext context, TfLiteOperator op)
    {
        context.RequireCounts(op, 4, 4, 1);
        var input = context.Input(op, 0);
        var output = context.Output(op, 0);
        context.PerTensor(op, input);
        context.PerTensor(op, output);
        int rank = input.Shape.Length;
        if (rank == 0)
        {
            throw context.Unsupported(op, "a scalar input cannot be sliced");
        }

        int[] begin = ConstantIndices(context, op, 1, "begin", rank);
        int[] end = ConstantIndices(context, op, 2, "end", rank);
        int[] strides = ConstantIndices(context, op, 3, "strides", rank);

        var options = context.Options(op);
        int beginMask = options.GetInt(0), endMask = options.GetInt(1), ellipsisMask = options.GetInt(2);
        int newAxisMask = options.GetInt(3), shrinkMask = options.GetInt(4);
        bool offset = options.GetBool(5);
        if (newAxisMask != 0)
        {
            throw context.Unsupported(op, $"new_axis_mask {newAxisMask} is not supported (TFLM ignores it, TFLite inserts dimensions)");
        }

        if ((ellipsisMask & (ellipsisMask - 1)) != 0)
        {
            throw context.Unsupported(op, $"ellipsis_mask {ellipsisMask} has more than one bit set");
        }

        var parameters = new int[StridedSliceLayout.PerDimension * rank];
        var outputShape = new List<int>();
        for (int d = 0; d < rank; d++)
        {
            int size = input.Shape[d];
            int stride = strides[d];
            if (stride == 0)
            {
                throw context.Unsupported(op, $"stride of dimension {d} is 0");
            }

            bool shrink = (shrinkMask & (1 << d)) != 0;
            bool beginAll = (beginMask & (1 << d)) != 0, endAll = (endMask & (1 << d)) != 0;
            int start = Start(begin[d], stride, size, beginAll);
            int stop = shrink ? start + 1 : Stop(end[d], stride, size, endAll, 0);

            // What TFLite would select differently: an ellipsis covering this dimension means its
            // whole extent with step 1; offset means end counts from start.
            if ((ellipsisMask & (1 << d)) != 0 && !(start == 0 && stop == size && stride == 1))
            {
                throw context.Unsupported(op, $"ellipsis_mask covers dimension {d}, which TFLM would slice as [{start}:{stop}:{stride}] instead of whole");
            }

            if (offset && !shrink && Stop(end[d], stride, size, endAll, start) != stop)
            {
                throw context.Unsupported(op, $"offset is set and changes the end of dimension {d}; TFLM ignores offset, TFLite does not");
            }

            if (shrink && (stride < 0 || start < 0 || start >= size))
            {
                throw context.Unsupported(op, $"shrunk dimension {d} must select one element in range with a positive stride (start {start}, stride {stride})");
            }

            long span = stride > 0 ? (long)stop - start : (long)start - stop;
            long magnitude = Math.Abs((long)stride);
            int count = span <= 0 ? 0 : (int)((span + magnitude - 1) / magnitude);
            if (count == 0)
            {
                throw context.Unsupported(op, $"dimension {d} selects no element (an empty output)");
            }

            if (!shrink)
            {
                outputShape.Add(count);
            }

            if (count == 1)
            {
                (stop, stride) = (start + 1, 1);
            }

            int block = StridedSliceLayout.PerDimension * d;
            parameters[block + StridedSliceLayout.Start] = start;
            parameters[block + StridedSliceLayout.Stop] = stop;
            parameters[block + StridedSliceLayout.Step] = stride;
        }

        if (!output.Shape.SequenceEqual(outputShape))
        {
            throw context.Unsupported(op, $"output {output} has shape [{string.Join(",", output.Shape)}], the slice gives [{string.Join(",", outputShape)}]");
        }

        context.Emit(op, OperatorType.StridedSlice, [context.Int8Operand(op, input)], [context.Int8Output(op, 0)], parameters);
    }

    private static int[] ConstantIndices(LoweringContext context, TfLiteOperator op, int slot, string name, int rank)
    {
        var tensor = context.Input(op, slot);
        if (!tensor.IsConstant)
        {
            throw context.Unsupported(op, $"{name} {tensor} must be a constant tensor");
        }

        int[] values = context.Int32Data(op, tensor);
        if (values.Length != rank)
        {
            throw context.Unsupported(op, $"{name} {tensor} has {values.Length} entries; TFLM needs one per input dimension ({rank})");
        }

        return values;
    }

    /// <summary>TFLM's StridedSliceStartForAxis.</summary>
    private static int Start(int begin, int stride, int size, bool all)
    {
        long start = begin < 0 ? (long)begin + size : begin;
        start = stride > 0 ? Math.Clamp(start, 0, size) : Math.Clamp(start, -1, size - 1);
        if (all)
        {
            start = stride > 0 ? 0 : size - 1;
        }

        return (int)start;
    }

    /// <summary>TFLM's StridedSliceEndForAxis for an axis that is not shrunk; <paramref name="offsetBy"/> is added to end first (TFLite's offset).</summary>
    private static int Stop(int end, int stride, int size, bool all, int offsetBy)
    {
        long stop = (long)end + offsetBy;
        if (stop < 0)
        {
            stop += size;
        }

        stop = stride > 0 ? Math.Clamp(stop, 0, size) : Math.Clamp(stop, -1, size - 1);
        if (all)
        {
            stop = stride > 0 ? size : -1;
        }

        return (int)stop;
    }
}
