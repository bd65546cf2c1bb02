using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// FULLY_CONNECTED, int8, per-tensor or per-channel (TFLM reference_integer_ops::FullyConnected).
    /// Inputs: 0 input int8 (batches × depth elements), 1 filter int8 constant [units, depth],
    /// 2 bias int32 [units] with the input zero point folded in (bias + input_offset × Σ filter),
    /// 3 multipliers int32 [units], or [1] for per-tensor weights, 4 shifts int32 (same length as the multipliers). Output: int8, batches × units elements.
    /// Parameters: 0 output offset (output zero point), 1 activation min, 2 activation max.
    /// </summary>
    internal sealed partial class FullyConnectedKernel : Kernel
    {
        private readonly Tensor _input;
        private readonly Tensor _filter;
        private readonly Tensor _output;
        private readonly int[] _bias;
        private readonly int[] _multipliers;
        private readonly int[] _shifts;
        private readonly bool _perChannel;
        private readonly int _batches;
        private readonly int _depth;
        private readonly int _units;
        private readonly int _outputOffset;
        private readonly int _activationMin;
        private readonly int _activationMax;

        internal FullyConnectedKernel(OperatorDefinition op, Tensor[] tensors)
        {
            Check.Counts(op, 5, 1, 3);
            _input = Check.Int8Input(op, tensors, 0);
            _filter = Check.Int8Constant(op, tensors, 1);
            _output = Check.Int8Output(op, tensors, 0);
            Check.Rank(op, _filter, 2, "filter");
            _units = _filter.shape[0];
            _depth = _filter.shape[1];
            Check.That(_input.elementCount % _depth == 0, op, "input size is not a multiple of the filter depth");
            _batches = _input.elementCount / _depth;
            Check.That(_output.elementCount == _batches * _units, op, "output size must be batches × units");
            _bias = Check.Int32Constant(op, tensors, 2, _units);
            _multipliers = Check.Int32Constant(op, tensors, 3, _units, 1);
            _shifts = Check.Shifts(op, tensors, 4, _multipliers.Length);
            _perChannel = _multipliers.Length == _units;
            _outputOffset = op.Parameters[0];
            Check.ZeroPoint(op, _outputOffset, "output");
            _activationMin = op.Parameters[1];
            _activationMax = op.Parameters[2];
            Check.ActivationRange(op, _activationMin, _activationMax);
        }

        internal override long MacCount
        {
            get { return (long)_batches * _units * _depth; }
        }

        internal override void Invoke()
        {
            sbyte[] input = _input.data;
            sbyte[] filter = _filter.data;
            sbyte[] output = _output.data;
            int[] bias = _bias;
            int[] multipliers = _multipliers;
            int[] shifts = _shifts;
            int depth = _depth;
            int units = _units;
            int outputOffset = _outputOffset;
            int min = _activationMin;
            int max = _activationMax;
            int inputBase = _input.offset;
            int outputIndex = _output.offset;
            int depth4 = depth & ~3;
            bool perChannel = _perChannel;
            int multiplier = multipliers[0];
            int shift = shifts[0];
            for (int b = 0; b < _batches; b++)
            {
                int weights = _filter.offset;
                for (int c = 0; c < units; c++)
                {
                    int acc = bias[c];
                    int i = inputBase;
                    int end4 = inputBase + depth4;
                    int end = inputBase + depth;
                    while (i < end4)
                    {
                        acc += (input[i] * filter[weights]) + (input[i + 1] * filter[weights + 1])
                            + (input[i + 2] * filter[weights + 2]) + (input[i + 3] * filter[weights + 3]);
                        i += 4;
                        weights += 4;
                    }

                    while (i < end)
                    {
                        acc += input[i++] * filter[weights++];
                    }

                    if (perChannel)
                    {
                        multiplier = multipliers[c];
                        shift = shifts[c];
                    }

                    acc = QuantizedMath.MultiplyByQuantizedMultiplier(acc, multiplier, shift) + outputOffset;
                    output[outputIndex++] = (sbyte)(acc < min ? min : (acc > max ? max : acc));
                }

                inputBase += depth;
            }
        }
    }
}
