using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// Stages an operator's int8 constant inputs into one reusable buffer before it runs, pointing each
    /// tensor's data and offset at its slice (kernels read tensor.data/tensor.offset at the start of
    /// Invoke, so they run unchanged). In streaming mode every int8 constant is read from the model
    /// file; in either mode a palette-stored constant is decoded (from its block in RAM; or, streaming,
    /// its tables read into a small scratch and its packed indices into the end of its own slot of the
    /// buffer, then decoded in place). The buffer is sized at load for the operator that needs
    /// most. Staging reads through the source's chunk buffer and allocates nothing.
    /// </summary>
    internal sealed class WeightStreamer
    {
        private readonly ModelSource _source;
        private readonly bool _streamAll;
        private readonly sbyte[] _buffer;
        private readonly sbyte[] _tableScratch;
        private readonly int[] _operatorStart;
        private readonly Tensor[] _staged;
        private readonly int[] _bufferOffset;
        private int _current = -1;

        /// <summary>
        /// Plans the buffer for <paramref name="operators"/> (at most <paramref name="maxArrayBytes"/> bytes); nothing is
        /// read yet. With <paramref name="streamAll"/> every int8 constant is read from <paramref name="source"/>;
        /// otherwise only palettes are staged, decoded from their blocks in RAM (and the source is not kept).
        /// </summary>
        internal WeightStreamer(ModelSource source, Tensor[] tensors, OperatorDefinition[] operators, bool streamAll, int maxArrayBytes)
        {
            _source = streamAll ? source : null;
            _streamAll = streamAll;
            _operatorStart = new int[operators.Length + 1];
            int largestTables = 0;

            // First pass: count the distinct int8 constant inputs of each operator and the largest total.
            int entries = 0;
            int largest = 0;
            for (int o = 0; o < operators.Length; o++)
            {
                int[] inputs = operators[o].Inputs;
                int bytes = 0;
                for (int i = 0; i < inputs.Length; i++)
                {
                    if (IsStaged(tensors, inputs, i, streamAll))
                    {
                        Tensor t = tensors[inputs[i]];
                        entries++;
                        bytes += t.byteLength;
                        if (streamAll && t.palette != null && t.palette.TableBytes > largestTables)
                        {
                            largestTables = t.palette.TableBytes;
                        }
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
            _tableScratch = new sbyte[largestTables];

            // Second pass: lay each operator's constants out from the start of the buffer.
            int k = 0;
            for (int o = 0; o < operators.Length; o++)
            {
                _operatorStart[o] = k;
                int[] inputs = operators[o].Inputs;
                int offset = 0;
                for (int i = 0; i < inputs.Length; i++)
                {
                    if (IsStaged(tensors, inputs, i, streamAll))
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

        /// <summary>Bytes of the reusable weight buffer (the largest operator's staged int8 constants, decoded).</summary>
        internal int BufferBytes
        {
            get { return _buffer.Length; }
        }

        /// <summary>Streaming mode: bytes of the scratch a palette's value tables are read into (the largest palette's; 0 otherwise).</summary>
        internal int TableScratchBytes
        {
            get { return _tableScratch.Length; }
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
                Palette palette = t.palette;
                if (palette == null)
                {
                    _source.ReadInt8(t.fileOffset, buffer, offset, t.byteLength);
                }
                else if (_streamAll)
                {
                    // Tables into the scratch, indices into the tail of the tensor's own slot, decoded in place.
                    palette.ReadAndDecode(_source, t.fileOffset, _tableScratch, t.elementCount, buffer, offset);
                }
                else
                {
                    int tables = palette.BlockOffset + Format.ModelFormat.PaletteHeaderSize;
                    palette.Decode(palette.Block, tables, palette.Block, tables + palette.TableBytes, t.elementCount, buffer, offset);
                }

                t.data = buffer;
                t.offset = offset;
            }

            _current = index;
        }

        /// <summary>
        /// An int8 constant input (any, with <paramref name="streamAll"/>; a palette otherwise), listed the
        /// first time it appears among the operator's inputs.
        /// </summary>
        private static bool IsStaged(Tensor[] tensors, int[] inputs, int slot, bool streamAll)
        {
            int index = inputs[slot];
            if (index == ModelFormat.NoTensor)
            {
                return false;
            }

            Tensor t = tensors[index];
            if (t.storage != TensorStorage.Constant || (t.type != TensorType.Int8 && t.type != TensorType.Int16))
            {
                return false;
            }

            if (!streamAll && t.palette == null)
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
