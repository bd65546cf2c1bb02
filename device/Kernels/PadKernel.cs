using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// PAD and PADV2, int8 or int16 (TFLM reference_ops::Pad): the input is copied into the output at offset
    /// (before₀, before₁, …) and every other output element is the pad value. For PAD the host passes
    /// the output zero point as the pad value, for PADV2 its constant value input.
    /// Inputs: 0 input int8 or int16 (rank r). Output: the same type, rank r, output dim d = input dim d +
    /// before_d + after_d. Parameters: 0 pad value (int8; 0 for int16, whose zero point is 0), then for each dimension d: 1 + 2d before_d, 2 + 2d after_d (≥ 0).
    /// </summary>
    internal sealed class PadKernel : Kernel
    {
        private const int Levels = 5;
        private readonly Tensor _input;
        private readonly Tensor _output;
        private readonly sbyte _value;
        private readonly int[] _counts = new int[Levels];
        private readonly int[] _strides = new int[Levels];
        private readonly int _firstRow;
        private readonly int _block;

        internal PadKernel(OperatorDefinition op, Tensor[] tensors)
        {
            Check.That(op.Inputs.Length == 1 && op.Outputs.Length == 1, op, "expects 1 input and 1 output");
            _input = Check.ActivationInput(op, tensors, 0);
            _output = Check.OutputLike(op, tensors, 0, _input);
            int rank = _input.shape.Length;
            Check.That(rank >= 1, op, "input must have rank 1 or more");
            Check.Rank(op, _output, rank, "output");
            if (!(op.Parameters.Length == PadLayout.Paddings + (PadLayout.PaddingsPerDimension * rank)))
            {
                Check.Fail(op, "expects " + (PadLayout.Paddings + (PadLayout.PaddingsPerDimension * rank)).ToString() + " parameters (value, then before and after per dimension), has " + op.Parameters.Length.ToString());
            }

            int elementSize = _input.type == TensorType.Int16 ? 2 : 1;
            _value = (sbyte)Check.Parameter(op, PadLayout.PadValue, elementSize == 2 ? 0 : -128, elementSize == 2 ? 0 : 127, "pad value");

            int[] before = new int[rank];
            int innermostPadded = -1;
            for (int d = 0; d < rank; d++)
            {
                int outputDim = _output.shape[d];
                before[d] = Check.Parameter(op, PadLayout.Paddings + (PadLayout.PaddingsPerDimension * d), 0, outputDim, "padding before dimension " + d.ToString());
                int after = Check.Parameter(op, PadLayout.Paddings + (PadLayout.PaddingsPerDimension * d) + 1, 0, outputDim, "padding after dimension " + d.ToString());
                if (!(outputDim == _input.shape[d] + before[d] + after))
                {
                    Check.Fail(op, "output dimension " + d.ToString() + " must be input dimension + padding before + padding after");
                }

                if (before[d] != 0 || after != 0)
                {
                    innermostPadded = d;
                }
            }

            // Dimensions after the innermost padded one are unpadded, so for each index over the
            // dimensions before it the input block of all remaining dimensions lands contiguously.
            int k = innermostPadded < 0 ? 0 : innermostPadded;
            int block = 1;
            for (int d = k; d < rank; d++)
            {
                block *= _input.shape[d];
            }

            int outputStride = 1;
            int firstRow = 0;
            int[] strides = new int[rank];
            for (int d = rank - 1; d >= 0; d--)
            {
                strides[d] = outputStride;
                firstRow += before[d] * outputStride;
                outputStride *= _output.shape[d];
            }

            for (int i = 0; i < Levels; i++)
            {
                int d = i - (Levels - k);
                _counts[i] = d >= 0 ? _input.shape[d] : 1;
                _strides[i] = d >= 0 ? strides[d] * elementSize : 0;
            }

            // The walk is in bytes: an int16 element is two bytes, its pad value two zero bytes.
            _firstRow = firstRow * elementSize;
            _block = block * elementSize;
        }

        internal override void Invoke()
        {
            sbyte[] input = _input.data;
            sbyte[] output = _output.data;
            sbyte value = _value;
            int block = _block;
            int[] counts = _counts;
            int[] strides = _strides;
            int c0 = counts[0], c1 = counts[1], c2 = counts[2], c3 = counts[3], c4 = counts[4];
            int s0 = strides[0], s1 = strides[1], s2 = strides[2], s3 = strides[3], s4 = strides[4];
            int source = _input.offset;
            int cursor = _output.offset;
            int p0 = _output.offset + _firstRow;
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
                                while (cursor < p4)
                                {
                                    output[cursor++] = value;
                                }

                                System.Array.Copy(input, source, output, p4, block);
                                source += block;
                                cursor = p4 + block;
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

            int end = _output.offset + _output.byteLength;
            while (cursor < end)
            {
                output[cursor++] = value;
            }
        }
    }
}
