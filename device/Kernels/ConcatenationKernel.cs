using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// CONCATENATION, int8 or int16 (TFLM reference_ops::Concatenation): the inputs are joined along one axis.
    /// TFLM requires every input to share the output's scale and zero point, so bytes are copied as is.
    /// Inputs: 0..n−1 int8 tensors of the output's rank whose dimensions equal the output's except
    /// along the axis, where they sum to the output's. Output: int8 (or int16 with int16 inputs).
    /// Parameters: 0 axis (in [0, rank − 1], resolved by the host).
    /// </summary>
    internal sealed class ConcatenationKernel : Kernel
    {
        private readonly Tensor[] _inputs;
        private readonly Tensor _output;
        private readonly int[] _chunks;
        private readonly int _outer;

        internal ConcatenationKernel(OperatorDefinition op, Tensor[] tensors)
        {
            int count = op.Inputs.Length;
            Check.That(count >= 1, op, "needs at least one input");
            if (!(op.Outputs.Length == 1))
            {
                Check.Fail(op, "expects 1 output, has " + op.Outputs.Length.ToString());
            }

            if (!(op.Parameters.Length == 1))
            {
                Check.Fail(op, "expects 1 parameter, has " + op.Parameters.Length.ToString());
            }

            _output = tensors[op.Outputs[0]].type == NanoQuant.Format.TensorType.Int16 ? Check.Int16Output(op, tensors, 0) : Check.Int8Output(op, tensors, 0);
            int elementSize = _output.type == NanoQuant.Format.TensorType.Int16 ? 2 : 1;
            int rank = _output.shape.Length;
            Check.That(rank >= 1, op, "output must have rank 1 or more");
            int axis = Check.Parameter(op, ConcatenationLayout.Axis, 0, rank - 1, "axis");

            int outer = 1;
            for (int d = 0; d < axis; d++)
            {
                outer *= _output.shape[d];
            }

            int inner = 1;
            for (int d = axis + 1; d < rank; d++)
            {
                inner *= _output.shape[d];
            }

            _inputs = new Tensor[count];
            _chunks = new int[count];
            int axisTotal = 0;
            for (int i = 0; i < count; i++)
            {
                Tensor t = elementSize == 2 ? Check.Int16Input(op, tensors, i) : Check.Int8Input(op, tensors, i);
                Check.Rank(op, t, rank, "input " + i.ToString());
                for (int d = 0; d < rank; d++)
                {
                    if (!(d == axis || t.shape[d] == _output.shape[d]))
                    {
                        Check.Fail(op, "input " + i.ToString() + " differs from the output in dimension " + d.ToString());
                    }
                }

                axisTotal += t.shape[axis];
                Check.That(axisTotal <= _output.shape[axis], op, "inputs are larger than the output along the axis");
                _inputs[i] = t;
                _chunks[i] = t.shape[axis] * inner * elementSize;
            }

            Check.That(axisTotal == _output.shape[axis], op, "inputs along the axis must add up to the output's dimension");
            _outer = outer;
        }

        internal override void Invoke()
        {
            Tensor[] inputs = _inputs;
            int[] chunks = _chunks;
            int count = inputs.Length;
            sbyte[] output = _output.data;
            int o = _output.offset;
            for (int k = 0; k < _outer; k++)
            {
                for (int i = 0; i < count; i++)
                {
                    Tensor t = inputs[i];
                    int chunk = chunks[i];
                    System.Array.Copy(t.data, t.offset + (k * chunk), output, o, chunk);
                    o += chunk;
                }
            }
        }
    }
}
