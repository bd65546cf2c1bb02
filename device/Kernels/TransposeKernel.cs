namespace NanoQuant
{
    /// <summary>
    /// TRANSPOSE, int8 or int16 (TFLM reference_ops::Transpose): output dimension j is input dimension perm[j].
    /// Inputs: 0 input int8 or int16 (rank r). Output: the same type, rank r, with shape[j] = input shape[perm[j]].
    /// Parameters: perm[0..r−1], a permutation of 0..r−1 (resolved by the host from the constant
    /// perm tensor).
    /// </summary>
    internal sealed class TransposeKernel : Kernel
    {
        private readonly Tensor _input;
        private readonly Tensor _output;
        private readonly StridedGather _gather;

        internal TransposeKernel(OperatorDefinition op, Tensor[] tensors)
        {
            Check.That(op.Inputs.Length == 1 && op.Outputs.Length == 1, op, "expects 1 input and 1 output");
            _input = Check.ActivationInput(op, tensors, 0);
            _output = Check.OutputLike(op, tensors, 0, _input);
            int rank = _input.shape.Length;
            Check.That(rank >= 1, op, "input must have rank 1 or more");
            Check.Rank(op, _output, rank, "output");
            if (!(op.Parameters.Length == rank))
            {
                Check.Fail(op, "expects " + rank.ToString() + " parameters (the permutation), has " + op.Parameters.Length.ToString());
            }

            int[] inputStrides = new int[rank];
            int stride = 1;
            for (int d = rank - 1; d >= 0; d--)
            {
                inputStrides[d] = stride;
                stride *= _input.shape[d];
            }

            bool[] used = new bool[rank];
            int[] counts = new int[rank];
            int[] strides = new int[rank];
            for (int j = 0; j < rank; j++)
            {
                int axis = Check.Parameter(op, j, 0, rank - 1, "permutation entry");
                if (!(!used[axis]))
                {
                    Check.Fail(op, "permutation names dimension " + axis.ToString() + " twice");
                }

                used[axis] = true;
                if (!(_output.shape[j] == _input.shape[axis]))
                {
                    Check.Fail(op, "output dimension " + j.ToString() + " must equal input dimension " + axis.ToString());
                }

                counts[j] = _output.shape[j];
                strides[j] = inputStrides[axis];
            }

            _gather = StridedGather.ForElements(counts, strides, 0, _input);
        }

        internal override void Invoke()
        {
            _gather.Run(_input.data, _input.offset, _output.data, _output.offset);
        }
    }
}
