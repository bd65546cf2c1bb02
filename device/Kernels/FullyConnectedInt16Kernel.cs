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
            _input = Check.Int16Input(op, tensors, FullyConnectedLayout.Input);
            _weights = Check.Int8Constant(op, tensors, FullyConnectedLayout.Filter);
            _output = Check.Int16Output(op, tensors, 0);
            Check.Rank(op, _weights, 2, "weights");
            _units = _weights.shape[0];
            _depth = _weights.shape[1];
            Check.That(_input.elementCount % _depth == 0, op, "input elements are not a multiple of the weights' depth");
            _batches = _input.elementCount / _depth;
            Check.That((long)_batches * _units == _output.elementCount, op, "output must hold batches × units elements");
            _bias = Check.OptionalInt64Constant(op, tensors, FullyConnectedLayout.Bias, _units);
            _multipliers = Int16Math.Multipliers(op, tensors, FullyConnectedLayout.Multipliers, _units);
            _shifts = Int16Math.Shifts(op, tensors, FullyConnectedLayout.Shifts, _units);
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
            int inputOffset = _inputOffset;
            int outputOffset = _outputOffset;
            int min = _min;
            int max = _max;
            int o = _output.offset;
            for (int b = 0; b < _batches; b++)
            {
                int rowStart = _input.offset + (b * depth * 2);
                int w = _weights.offset;
                for (int u = 0; u < units; u++)
                {
                    long acc = 0;
                    int p = rowStart;
                    for (int d = 0; d < depth; d++)
                    {
                        acc += weights[w++] * (((input[p] & 0xFF) | (input[p + 1] << 8)) + inputOffset);
                        p += 2;
                    }

                    if (bias != null)
                    {
                        acc += bias[u];
                    }

                    int v = Int16Math.MultiplyByQuantizedMultiplier(acc, multipliers[u], shifts[u]) + outputOffset;
                    v = v < min ? min : (v > max ? max : v);
                    output[o] = (sbyte)v;
                    output[o + 1] = (sbyte)(v >> 8);
                    o += 2;
                }
            }
        }
    }
}
