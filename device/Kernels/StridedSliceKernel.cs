namespace NanoQuant
{
    /// <summary>
    /// STRIDED_SLICE, int8 (TFLM reference_ops::StridedSlice). The host resolves begin, end, strides
    /// and every mask into one explicit range per input dimension; the kernel only iterates.
    /// Inputs: 0 input int8 (rank r). Output: int8 whose shape, ignoring dimensions of size 1, equals
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
            _input = Check.Int8Input(op, tensors, 0);
            _output = Check.Int8Output(op, tensors, 0);
            int rank = _input.shape.Length;
            Check.That(rank >= 1, op, "input must have rank 1 or more");
            Check.That(op.Parameters.Length == 3 * rank, op, "expects " + (3 * rank).ToString() + " parameters (start, stop, step per input dimension), has " + op.Parameters.Length.ToString());

            int[] counts = new int[rank];
            int[] strides = new int[rank];
            int start = 0;
            int inputStride = 1;
            for (int d = rank - 1; d >= 0; d--)
            {
                int size = _input.shape[d];
                int first = Check.Parameter(op, 3 * d, -1, size, "start");
                int stop = Check.Parameter(op, (3 * d) + 1, -1, size, "stop");
                int step = Check.Parameter(op, (3 * d) + 2, -size, size, "step");
                Check.That(step != 0, op, "step of dimension " + d.ToString() + " is 0");
                int span = step > 0 ? stop - first : first - stop;
                int magnitude = step > 0 ? step : -step;
                int count = span <= 0 ? 0 : (span + magnitude - 1) / magnitude;
                Check.That(count >= 1, op, "dimension " + d.ToString() + " selects no element");
                int last = first + ((count - 1) * step);
                Check.That(first >= 0 && first < size && last >= 0 && last < size, op, "range of dimension " + d.ToString() + " leaves the input");
                counts[d] = count;
                strides[d] = step * inputStride;
                start += first * inputStride;
                inputStride *= size;
            }

            Check.That(StridedGather.SameIgnoringOnes(counts, _output.shape), op, "output shape does not match the slice");
            _gather = new StridedGather(counts, strides, start);
        }

        internal override void Invoke()
        {
            _gather.Run(_input.data, _input.offset, _output.data, _output.offset);
        }
    }

    /// <summary>
    /// Copies elements visited by up to six nested loops (each with a count and an input stride,
    /// possibly negative) into consecutive output elements. Shared by STRIDED_SLICE and TRANSPOSE.
    /// The constructor drops loops of count 1 and merges loops that walk the input contiguously;
    /// the caller has checked that every visited index lies inside the input.
    /// </summary>
    internal sealed class StridedGather
    {
        private const int Levels = 6;
        private readonly int[] _counts = new int[Levels];
        private readonly int[] _strides = new int[Levels];
        private readonly int _start;

        /// <param name="counts">Loop counts, outermost first.</param>
        /// <param name="strides">Input element strides of the loops.</param>
        /// <param name="start">Input element index of the first visited element.</param>
        internal StridedGather(int[] counts, int[] strides, int start)
        {
            int[] c = new int[counts.Length];
            int[] s = new int[counts.Length];
            int n = 0;
            for (int d = 0; d < counts.Length; d++)
            {
                if (counts[d] == 1)
                {
                    continue;
                }

                if (n > 0 && s[n - 1] == strides[d] * counts[d])
                {
                    c[n - 1] *= counts[d];
                    s[n - 1] = strides[d];
                    continue;
                }

                c[n] = counts[d];
                s[n] = strides[d];
                n++;
            }

            if (n > Levels)
            {
                throw new InvalidModelException("strided copy has more than " + Levels.ToString() + " dimensions");
            }

            for (int i = 0; i < Levels; i++)
            {
                int source = i - (Levels - n);
                _counts[i] = source >= 0 ? c[source] : 1;
                _strides[i] = source >= 0 ? s[source] : 0;
            }

            _start = start;
        }

        /// <summary>True when <paramref name="a"/> and <paramref name="b"/> are equal once every 1 is removed from both.</summary>
        internal static bool SameIgnoringOnes(int[] a, int[] b)
        {
            int i = 0;
            int j = 0;
            while (true)
            {
                while (i < a.Length && a[i] == 1)
                {
                    i++;
                }

                while (j < b.Length && b[j] == 1)
                {
                    j++;
                }

                if (i == a.Length || j == b.Length)
                {
                    return i == a.Length && j == b.Length;
                }

                if (a[i] != b[j])
                {
                    return false;
                }

                i++;
                j++;
            }
        }

        internal void Run(sbyte[] input, int inputOffset, sbyte[] output, int outputOffset)
        {
            int[] counts = _counts;
            int[] strides = _strides;
            int c0 = counts[0], c1 = counts[1], c2 = counts[2], c3 = counts[3], c4 = counts[4], c5 = counts[5];
            int s0 = strides[0], s1 = strides[1], s2 = strides[2], s3 = strides[3], s4 = strides[4], s5 = strides[5];
            int o = outputOffset;
            int p0 = inputOffset + _start;
            for (int i0 = 0; i0 < c0; i0++)
            {
                int p1 = p0;
                for (int i1 = 0; i1 < c1; i1++)
                {
                    int p2 = p1;
                    for (int i2 = 0; i2 < c2; i2++)
                    {
                        int p3 = p2;
                        for (int i3 = 0; i3 < c3; i3++)
                        {
                            int p4 = p3;
                            for (int i4 = 0; i4 < c4; i4++)
                            {
                                if (s5 == 1)
                                {
                                    System.Array.Copy(input, p4, output, o, c5);
                                    o += c5;
                                }
                                else
                                {
                                    int p5 = p4;
                                    for (int i5 = 0; i5 < c5; i5++)
                                    {
                                        output[o++] = input[p5];
                                        p5 += s5;
                                    }
                                }

                                p4 += s4;
                            }

                            p3 += s3;
                        }

                        p2 += s2;
                    }

                    p1 += s1;
                }

                p0 += s0;
            }
        }
    }
}
