using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// FULLY_CONNECTED 16x8: int16 input, int8 weights (per tensor or per channel), int64 bias,
    /// 64-bit accumulation (TFLM reference_integer_ops::FullyConnected / FullyConnectedPerChannel with
    /// int16 input and int64 bias): acc = Σ w × (x + input offset) (+ bias), out =
    /// clamp(MultiplyByQuantizedMultiplier(acc, m[u], s[u]) + output offset).
    /// Inputs: 0 input int16, its last dimension the accumulation depth; 1 weights int8 constant
    /// [units, depth]; 2 bias int64 [units] or absent; 3 multipliers int32 [units] (≥ 0; a per-tensor
    /// multiplier is repeated); 4 shifts int32 [units] (in [−31, 7]).
    /// Output 0: int16 [batches, units] (any shape of that many elements).
    /// Parameters: 0 input offset (−input zero point), 1 output offset, 2 activation min, 3 activation max.
    /// </summary>
    internal sealed class FullyConnectedInt16Kernel : Kernel
    {
        // Bytes of input whose products with int8 weights, input offset added, sum exactly in int32
        // (an even count of values, for the loop that takes two at a time).
        private const int ChunkBytes = 2 * (Int16Math.Int32OffsetProducts & ~1);

        private readonly Tensor _input;
        private readonly Tensor _weights;
        private readonly Tensor _output;
        private readonly long[] _bias;
        private readonly int[] _multipliers;
        private readonly int[] _shifts;
        private readonly int _batches;
        private readonly int _depth;
        private readonly int _units;
        private readonly int _inputOffset;
        private readonly int _outputOffset;
        private readonly int _min;
        private readonly int _max;

        internal FullyConnectedInt16Kernel(OperatorDefinition op, Tensor[] tensors)
        {
            Check.Counts(op, FullyConnectedLayout.InputCount, 1, FullyConnectedLayout.Int16ParameterCount);
            _input = Check.Int16Input(op, tensors, FullyConnectedLayout.InputSlot);
            _weights = Check.Int8Constant(op, tensors, FullyConnectedLayout.FilterSlot);
            _output = Check.Int16Output(op, tensors, 0);
            Check.Rank(op, _weights, 2, "weights");
            _units = _weights.shape[0];
            _depth = _weights.shape[1];
            Check.That(_input.elementCount % _depth == 0, op, "input elements are not a multiple of the weights' depth");
            _batches = _input.elementCount / _depth;
            Check.That((long)_batches * _units == _output.elementCount, op, "output must hold batches × units elements");
            _bias = Check.OptionalInt64Constant(op, tensors, FullyConnectedLayout.BiasSlot, _units);
            _multipliers = Int16Math.Multipliers(op, tensors, FullyConnectedLayout.MultipliersSlot, _units);
            _shifts = Int16Math.Shifts(op, tensors, FullyConnectedLayout.ShiftsSlot, _units);
            _inputOffset = Check.Parameter(op, FullyConnectedLayout.Int16InputOffset, -32767, 32768, "input offset");
            _outputOffset = Check.Parameter(op, FullyConnectedLayout.Int16OutputOffset, -32768, 32767, "output offset");
            _min = op.Parameters[FullyConnectedLayout.Int16ActivationMin];
            _max = op.Parameters[FullyConnectedLayout.Int16ActivationMax];
            Check.ActivationRange(op, _min, _max, _output);
        }

        internal override long MacCount
        {
            get { return (long)_batches * _units * _depth; }
        }

        internal override void Invoke()
        {
            sbyte[] input = _input.data;
            sbyte[] weights = _weights.data;
            sbyte[] output = _output.data;
            long[] bias = _bias;
            int[] multipliers = _multipliers;
            int[] shifts = _shifts;
            int depth = _depth;
            int units = _units;
            int blockedUnits = units & ~3;
            int d1 = depth;
            int d2 = 2 * depth;
            int d3 = 3 * depth;
            int blockStep = 3 * depth;
            int inputOffset = _inputOffset;
            int outputOffset = _outputOffset;
            int min = _min;
            int max = _max;
            int o = _output.offset;
            for (int b = 0; b < _batches; b++)
            {
                int rowStart = _input.offset + (b * depth * 2);
                int rowEnd = rowStart + (depth * 2);
                int w = _weights.offset;
                int u = 0;

                // Four units at a time: each decoded input value feeds four accumulators.
                while (u < blockedUnits)
                {
                    long acc0 = 0;
                    long acc1 = 0;
                    long acc2 = 0;
                    long acc3 = 0;
                    if (bias != null)
                    {
                        acc0 = bias[u];
                        acc1 = bias[u + 1];
                        acc2 = bias[u + 2];
                        acc3 = bias[u + 3];
                    }

                    int p = rowStart;
                    while (p < rowEnd)
                    {
                        // Up to Int16Math.Int32OffsetProducts products per chunk sum exactly in int32 (no
                        // widening per multiply-accumulate); each chunk's sums are then added in 64 bits.
                        int chunkEnd = rowEnd - p > ChunkBytes ? p + ChunkBytes : rowEnd;
                        int s0 = 0;
                        int s1 = 0;
                        int s2 = 0;
                        int s3 = 0;
                        // Two input values per step while two remain, then the last one.
                        int pairEnd = chunkEnd - 2;
                        while (p < pairEnd)
                        {
                            int x0 = ((input[p] & 0xFF) | (input[p + 1] << 8)) + inputOffset;
                            int x1 = ((input[p + 2] & 0xFF) | (input[p + 3] << 8)) + inputOffset;
                            s0 += (weights[w] * x0) + (weights[w + 1] * x1);
                            s1 += (weights[w + d1] * x0) + (weights[w + d1 + 1] * x1);
                            s2 += (weights[w + d2] * x0) + (weights[w + d2 + 1] * x1);
                            s3 += (weights[w + d3] * x0) + (weights[w + d3 + 1] * x1);
                            p += 4;
                            w += 2;
                        }

                        if (p < chunkEnd)
                        {
                            int x = ((input[p] & 0xFF) | (input[p + 1] << 8)) + inputOffset;
                            s0 += weights[w] * x;
                            s1 += weights[w + d1] * x;
                            s2 += weights[w + d2] * x;
                            s3 += weights[w + d3] * x;
                            p += 2;
                            w++;
                        }

                        acc0 += s0;
                        acc1 += s1;
                        acc2 += s2;
                        acc3 += s3;
                    }

                    w += blockStep;
                    Int16Math.Store(output, o, acc0, multipliers[u], shifts[u], outputOffset, min, max);
                    Int16Math.Store(output, o + 2, acc1, multipliers[u + 1], shifts[u + 1], outputOffset, min, max);
                    Int16Math.Store(output, o + 4, acc2, multipliers[u + 2], shifts[u + 2], outputOffset, min, max);
                    Int16Math.Store(output, o + 6, acc3, multipliers[u + 3], shifts[u + 3], outputOffset, min, max);
                    o += 8;
                    u += 4;
                }

                while (u < units)
                {
                    long acc = bias != null ? bias[u] : 0;
                    int p = rowStart;
                    while (p < rowEnd)
                    {
                        acc += weights[w++] * (((input[p] & 0xFF) | (input[p + 1] << 8)) + inputOffset);
                        p += 2;
                    }

                    Int16Math.Store(output, o, acc, multipliers[u], shifts[u], outputOffset, min, max);
                    o += 2;
                    u++;
                }
            }
        }
    }
}
