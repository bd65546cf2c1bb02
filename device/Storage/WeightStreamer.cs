using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// Streaming mode: keeps int8 constants on storage and, before an operator runs, reads that
    /// operator's int8 constant inputs from the model file into one reusable buffer, pointing each
    /// tensor's data and offset at its slice (kernels read tensor.data/tensor.offset at the start of
    /// Invoke, so they run unchanged). The buffer is sized at load for the operator that needs most.
    /// Staging reads through the source's chunk buffer and allocates nothing.
    /// </summary>
    internal sealed class WeightStreamer
    {
        private readonly ModelSource _source;
        private readonly sbyte[] _buffer;
        private readonly int[] _operatorStart;
        private readonly Tensor[] _staged;
        private readonly int[] _bufferOffset;
        private int _current = -1;

        /// <summary>Plans the buffer for <paramref name="operators"/> (at most <paramref name="maxArrayBytes"/> bytes); nothing is read yet.</summary>
        internal WeightStreamer(ModelSource source, Tensor[] tensors, OperatorDefinition[] operators, int maxArrayBytes)
        {
            _source = source;
            _operatorStart = new int[operators.Length + 1];

            // First pass: count the distinct int8 constant inputs of each operator and the largest total.
            int entries = 0;
            int largest = 0;
            for (int o = 0; o < operators.Length; o++)
            {
                int[] inputs = operators[o].Inputs;
                int bytes = 0;
                for (int i = 0; i < inputs.Length; i++)
                {
                    if (IsStreamed(tensors, inputs, i))
                    {
                        entries++;
                        bytes += tensors[inputs[i]].byteLength;
                    }
                }

                if (bytes > largest)
                {
                    largest = bytes;
                }
            }

            _staged = new Tensor[entries];
            _bufferOffset = new int[entries];
            if (largest > maxArrayBytes)
            {
                throw new InvalidModelException("an operator has " + largest.ToString() + " bytes of int8 weights, more than the largest array of " + maxArrayBytes.ToString() + " bytes");
            }

            _buffer = new sbyte[largest];

            // Second pass: lay each operator's constants out from the start of the buffer.
            int k = 0;
            for (int o = 0; o < operators.Length; o++)
            {
                _operatorStart[o] = k;
                int[] inputs = operators[o].Inputs;
                int offset = 0;
                for (int i = 0; i < inputs.Length; i++)
                {
                    if (IsStreamed(tensors, inputs, i))
                    {
                        Tensor t = tensors[inputs[i]];
                        _staged[k] = t;
                        _bufferOffset[k] = offset;
                        offset += t.byteLength;
                        k++;
                    }
                }
            }

            _operatorStart[operators.Length] = k;
        }

        /// <summary>Bytes of the reusable weight buffer (the largest operator's int8 constants).</summary>
        internal int BufferBytes
        {
            get { return _buffer.Length; }
        }

        /// <summary>Reads operator <paramref name="index"/>'s int8 constants into the buffer and points their tensors at it.</summary>
        internal void Stage(int index)
        {
            if (index == _current)
            {
                // The buffer still holds exactly this operator's constants.
                return;
            }

            _current = -1;
            int end = _operatorStart[index + 1];
            sbyte[] buffer = _buffer;
            for (int k = _operatorStart[index]; k < end; k++)
            {
                Tensor t = _staged[k];
                int offset = _bufferOffset[k];
                _source.ReadInt8(t.fileOffset, buffer, offset, t.byteLength);
                t.data = buffer;
                t.offset = offset;
            }

            _current = index;
        }

        /// <summary>An int8 constant input, listed the first time it appears among the operator's inputs.</summary>
        private static bool IsStreamed(Tensor[] tensors, int[] inputs, int slot)
        {
            int index = inputs[slot];
            if (index == ModelFormat.NoTensor)
            {
                return false;
            }

            Tensor t = tensors[index];
            if (t.storage != TensorStorage.Constant || t.type != TensorType.Int8)
            {
                return false;
            }

            for (int j = 0; j < slot; j++)
            {
                if (inputs[j] == index)
                {
                    return false;
                }
            }

            return true;
        }
    }
}
