using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// STRIDED_SLICE, int8 or int16 (TFLM reference_ops::StridedSlice). The host resolves begin, end, strides
    /// and every mask into one explicit range per input dimension; the kernel only iterates.
    /// Inputs: 0 input int8 or int16 (rank r). Output: the same type, whose shape, ignoring dimensions of size 1, equals
    /// the per-dimension counts ignoring counts of 1 (shrunk axes disappear from the output).
    /// Parameters: 3 × r values, for each input dimension d: start, stop, step. Dimension d visits
    /// start, start + step, … while before stop (below it for a positive step, above it for a
    /// negative one); every visited index must lie inside the input.
    /// </summary>
    internal sealed class StridedSliceKernel : Kernel
    {
        private readonly Tensor _input;
        private readonly Tensor _output;
        private readonly StridedGather _gather;

        internal StridedSliceKernel(OperatorDefinition op, Tensor[] tensors)
        {
            Check.That(op.Inputs.Length == 1 && op.Outputs.Length == 1, op, "expects 1 input and 1 output");
            _input = Check.ActivationInput(op, tensors, 0);
            _output = Check.OutputLike(op, tensors, 0, _input);
            int rank = _input.shape.Length;
            Check.That(rank >= 1, op, "input must have rank 1 or more");
            if (!(op.Parameters.Length == StridedSliceLayout.PerDimension * rank))
            {
                Check.Fail(op, "expects " + (StridedSliceLayout.PerDimension * rank).ToString() + " parameters (start, stop, step per input dimension), has " + op.Parameters.Length.ToString());
            }

            int[] counts = new int[rank];
            int[] strides = new int[rank];
            int start = 0;
            int inputStride = 1;
            for (int d = rank - 1; d >= 0; d--)
            {
                int size = _input.shape[d];
                int block = StridedSliceLayout.PerDimension * d;
                int first = Check.Parameter(op, block + StridedSliceLayout.Start, -1, size, "start");
                int stop = Check.Parameter(op, block + StridedSliceLayout.Stop, -1, size, "stop");
                int step = Check.Parameter(op, block + StridedSliceLayout.Step, -size, size, "step");
                if (!(step != 0))
                {
                    Check.Fail(op, "step of dimension " + d.ToString() + " is 0");
                }

                int span = step > 0 ? stop - first : first - stop;
                int magnitude = step > 0 ? step : -step;
                int count = span <= 0 ? 0 : (span + magnitude - 1) / magnitude;
                if (!(count >= 1))
                {
                    Check.Fail(op, "dimension " + d.ToString() + " selects no element");
                }

                int last = first + ((count - 1) * step);
                if (!(first >= 0 && first < size && last >= 0 && last < size))
                {
                    Check.Fail(op, "range of dimension " + d.ToString() + " leaves the input");
                }

                counts[d] = count;
                strides[d] = step * inputStride;
                start += first * inputStride;
                inputStride *= size;
            }

            Check.That(StridedGather.SameIgnoringOnes(counts, _output.shape), op, "output shape does not match the slice");
            _gather = StridedGather.ForElements(counts, strides, start, _input);
        }

        internal override void Invoke()
        {
            _gather.Run(_input.data, _input.offset, _output.data, _output.offset);
        }
    }
}
