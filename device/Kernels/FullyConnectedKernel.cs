using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// FULLY_CONNECTED, int8, per-tensor or per-channel (TFLM reference_integer_ops::FullyConnected).
    /// Inputs: 0 input int8 (batches × depth elements), 1 filter int8 constant [units, depth],
    /// 2 bias int32 [units] with the input zero point folded in (bias + input_offset × Σ filter),
    /// 3 multipliers int32 [units], or [1] for per-tensor weights, 4 shifts int32 (same length as the multipliers). Output: int8, batches × units elements.
    /// Parameters: 0 output offset (output zero point), 1 activation min, 2 activation max.
    /// This file is the wrapper and the uniform (one output stage) variant; FullyConnectedKernel.PerChannel.cs
    /// is the per-channel one. The two repeat one loop shape on purpose (flat for nanoCLR's IL interpreter: a
    /// helper per output is a dispatched call); the goldens, FullyConnectedKernelTests and
    /// InlinedRequantizationTests guard each copy.
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

        // The output stage per unit (per-tensor values repeated), for the four-unit loop; null when a
        // multiplier is negative (then every unit takes the one-unit loop and QuantizedMath).
        private readonly int[] _unitMultipliers;
        private readonly int[] _leftShifts;
        private readonly int[] _rightShifts;
        private readonly int[] _roundings;
        private readonly int _batches;
        private readonly int _depth;
        private readonly int _units;
        private readonly int _outputOffset;
        private readonly int _activationMin;
        private readonly int _activationMax;

        // One multiplier ≥ 0 and one right shift (≤ Requantization.MaxFoldedRightShift, no left shift) for
        // every unit, the common case of per-tensor weights: Invoke keeps the output stage in locals, in
        // Requantization.ApplyFolded's one-rounding form with the output offset folded in.
        private readonly bool _uniform;
        private readonly long _uniformMultiplier;
        private readonly int _uniformShift;
        private readonly long _uniformUp;
        private readonly long _uniformDown;

        internal FullyConnectedKernel(OperatorDefinition op, Tensor[] tensors)
        {
            Check.Counts(op, FullyConnectedLayout.InputCount, 1, FullyConnectedLayout.ParameterCount);
            _input = Check.Int8Input(op, tensors, FullyConnectedLayout.InputSlot);
            _filter = Check.Int8Constant(op, tensors, FullyConnectedLayout.FilterSlot);
            _output = Check.Int8Output(op, tensors, 0);
            Check.Rank(op, _filter, 2, "filter");
            _units = _filter.shape[0];
            _depth = _filter.shape[1];
            Check.That(_input.elementCount % _depth == 0, op, "input size is not a multiple of the filter depth");
            _batches = _input.elementCount / _depth;
            Check.That(_output.elementCount == _batches * _units, op, "output size must be batches × units");
            _bias = Check.Int32Constant(op, tensors, FullyConnectedLayout.BiasSlot, _units);
            _multipliers = Check.Int32Constant(op, tensors, FullyConnectedLayout.MultipliersSlot, _units, 1);
            _shifts = Check.Shifts(op, tensors, FullyConnectedLayout.ShiftsSlot, _multipliers.Length);
            _perChannel = _multipliers.Length == _units;
            _outputOffset = op.Parameters[FullyConnectedLayout.OutputOffset];
            Check.ZeroPoint(op, _outputOffset, "output");
            _activationMin = op.Parameters[FullyConnectedLayout.ActivationMin];
            _activationMax = op.Parameters[FullyConnectedLayout.ActivationMax];
            Check.ActivationRange(op, _activationMin, _activationMax);

            bool nonNegative = true;
            for (int c = 0; c < _multipliers.Length; c++)
            {
                nonNegative = nonNegative && _multipliers[c] >= 0;
            }

            if (nonNegative)
            {
                int[] shifts = new int[_units];
                _unitMultipliers = new int[_units];
                for (int c = 0; c < _units; c++)
                {
                    _unitMultipliers[c] = _multipliers[_perChannel ? c : 0];
                    shifts[c] = _shifts[_perChannel ? c : 0];
                }

                _leftShifts = Requantization.LeftShifts(shifts);
                _rightShifts = Requantization.RightShifts(shifts);
                _roundings = Requantization.Roundings(shifts);
                _uniform = true;
                for (int c = 0; c < _units; c++)
                {
                    _uniform = _uniform && _leftShifts[c] == 0 && _unitMultipliers[c] == _unitMultipliers[0] && _rightShifts[c] == _rightShifts[0]
                        && _rightShifts[c] <= Requantization.MaxFoldedRightShift;
                }

                if (_uniform)
                {
                    _uniformMultiplier = _unitMultipliers[0];
                    _uniformShift = 31 + _rightShifts[0];
                    _uniformUp = Requantization.FoldedUp(_rightShifts[0], _outputOffset);
                    _uniformDown = Requantization.FoldedDown(_rightShifts[0], _outputOffset);
                }
            }
        }

        internal override long MacCount
        {
            get { return (long)_batches * _units * _depth; }
        }

        // One output stage for every unit (the common case) runs here, without a second call (on nanoCLR a
        // call and its locals cost as much as several multiply-accumulates, and hello_world has 288 MACs).
        internal override void Invoke()
        {
            if (!_uniform)
            {
                InvokePerChannel();
                return;
            }

            sbyte[] input = _input.data;
            sbyte[] filter = _filter.data;
            sbyte[] output = _output.data;
            int[] bias = _bias;
            int depth = _depth;
            int units = _units;
            int blockedUnits = units & ~3;
            int depth2 = depth & ~1;
            int d1 = depth;
            int d2 = 2 * depth;
            int d3 = 3 * depth;
            int d1n = d1 + 1;
            int d2n = d2 + 1;
            int d3n = d3 + 1;
            int blockStep = d3;
            int blockedUnits8 = units & ~7;
            int d4 = 4 * depth;
            int d5 = 5 * depth;
            int d6 = 6 * depth;
            int d7 = 7 * depth;
            int d4n = d4 + 1;
            int d5n = d5 + 1;
            int d6n = d6 + 1;
            int d7n = d7 + 1;
            int blockStep8 = d7;
            long multiplier = _uniformMultiplier;
            int shift = _uniformShift;
            long up = _uniformUp;
            long down = _uniformDown;
            int min = _activationMin;
            int max = _activationMax;
            int inputBase = _input.offset;
            int outputIndex = _output.offset;
            for (int b = _batches; b > 0; b--)
            {
                int weights = _filter.offset;
                int end2 = inputBase + depth2;
                int c = 0;

                // Eight units at a time while eight remain: each pair of input values feeds eight accumulators,
                // then four at a time, then one.
                while (c < blockedUnits8)
                {
                    int acc0 = bias[c];
                    int acc1 = bias[c + 1];
                    int acc2 = bias[c + 2];
                    int acc3 = bias[c + 3];
                    int acc4 = bias[c + 4];
                    int acc5 = bias[c + 5];
                    int acc6 = bias[c + 6];
                    int acc7 = bias[c + 7];
                    int i = inputBase;
                    while (i < end2)
                    {
                        int x0 = input[i];
                        int x1 = input[i + 1];
                        acc0 += (x0 * filter[weights]) + (x1 * filter[weights + 1]);
                        acc1 += (x0 * filter[weights + d1]) + (x1 * filter[weights + d1n]);
                        acc2 += (x0 * filter[weights + d2]) + (x1 * filter[weights + d2n]);
                        acc3 += (x0 * filter[weights + d3]) + (x1 * filter[weights + d3n]);
                        acc4 += (x0 * filter[weights + d4]) + (x1 * filter[weights + d4n]);
                        acc5 += (x0 * filter[weights + d5]) + (x1 * filter[weights + d5n]);
                        acc6 += (x0 * filter[weights + d6]) + (x1 * filter[weights + d6n]);
                        acc7 += (x0 * filter[weights + d7]) + (x1 * filter[weights + d7n]);
                        i += 2;
                        weights += 2;
                    }

                    if (depth2 != depth)
                    {
                        int x = input[i];
                        acc0 += x * filter[weights];
                        acc1 += x * filter[weights + d1];
                        acc2 += x * filter[weights + d2];
                        acc3 += x * filter[weights + d3];
                        acc4 += x * filter[weights + d4];
                        acc5 += x * filter[weights + d5];
                        acc6 += x * filter[weights + d6];
                        acc7 += x * filter[weights + d7];
                        weights++;
                    }

                    weights += blockStep8;
                    long p = acc0 * multiplier;
                    acc0 = (int)(p >= -0x40000000L ? (p + up) >> shift : -((down - p) >> shift));
                    output[outputIndex] = (sbyte)(acc0 < min ? min : (acc0 > max ? max : acc0));
                    p = acc1 * multiplier;
                    acc1 = (int)(p >= -0x40000000L ? (p + up) >> shift : -((down - p) >> shift));
                    output[outputIndex + 1] = (sbyte)(acc1 < min ? min : (acc1 > max ? max : acc1));
                    p = acc2 * multiplier;
                    acc2 = (int)(p >= -0x40000000L ? (p + up) >> shift : -((down - p) >> shift));
                    output[outputIndex + 2] = (sbyte)(acc2 < min ? min : (acc2 > max ? max : acc2));
                    p = acc3 * multiplier;
                    acc3 = (int)(p >= -0x40000000L ? (p + up) >> shift : -((down - p) >> shift));
                    output[outputIndex + 3] = (sbyte)(acc3 < min ? min : (acc3 > max ? max : acc3));
                    p = acc4 * multiplier;
                    acc4 = (int)(p >= -0x40000000L ? (p + up) >> shift : -((down - p) >> shift));
                    output[outputIndex + 4] = (sbyte)(acc4 < min ? min : (acc4 > max ? max : acc4));
                    p = acc5 * multiplier;
                    acc5 = (int)(p >= -0x40000000L ? (p + up) >> shift : -((down - p) >> shift));
                    output[outputIndex + 5] = (sbyte)(acc5 < min ? min : (acc5 > max ? max : acc5));
                    p = acc6 * multiplier;
                    acc6 = (int)(p >= -0x40000000L ? (p + up) >> shift : -((down - p) >> shift));
                    output[outputIndex + 6] = (sbyte)(acc6 < min ? min : (acc6 > max ? max : acc6));
                    p = acc7 * multiplier;
                    acc7 = (int)(p >= -0x40000000L ? (p + up) >> shift : -((down - p) >> shift));
                    output[outputIndex + 7] = (sbyte)(acc7 < min ? min : (acc7 > max ? max : acc7));
                    outputIndex += 8;
                    c += 8;
                }

                while (c < blockedUnits)
                {
                    int acc0 = bias[c];
                    int acc1 = bias[c + 1];
                    int acc2 = bias[c + 2];
                    int acc3 = bias[c + 3];
                    int i = inputBase;
                    while (i < end2)
                    {
                        int x0 = input[i];
                        int x1 = input[i + 1];
                        acc0 += (x0 * filter[weights]) + (x1 * filter[weights + 1]);
                        acc1 += (x0 * filter[weights + d1]) + (x1 * filter[weights + d1n]);
                        acc2 += (x0 * filter[weights + d2]) + (x1 * filter[weights + d2n]);
                        acc3 += (x0 * filter[weights + d3]) + (x1 * filter[weights + d3n]);
                        i += 2;
                        weights += 2;
                    }

                    if (depth2 != depth)
                    {
                        int x = input[i];
                        acc0 += x * filter[weights];
                        acc1 += x * filter[weights + d1];
                        acc2 += x * filter[weights + d2];
                        acc3 += x * filter[weights + d3];
                        weights++;
                    }

                    weights += blockStep;
                    long p = acc0 * multiplier;
                    acc0 = (int)(p >= -0x40000000L ? (p + up) >> shift : -((down - p) >> shift));
                    output[outputIndex] = (sbyte)(acc0 < min ? min : (acc0 > max ? max : acc0));
                    p = acc1 * multiplier;
                    acc1 = (int)(p >= -0x40000000L ? (p + up) >> shift : -((down - p) >> shift));
                    output[outputIndex + 1] = (sbyte)(acc1 < min ? min : (acc1 > max ? max : acc1));
                    p = acc2 * multiplier;
                    acc2 = (int)(p >= -0x40000000L ? (p + up) >> shift : -((down - p) >> shift));
                    output[outputIndex + 2] = (sbyte)(acc2 < min ? min : (acc2 > max ? max : acc2));
                    p = acc3 * multiplier;
                    acc3 = (int)(p >= -0x40000000L ? (p + up) >> shift : -((down - p) >> shift));
                    output[outputIndex + 3] = (sbyte)(acc3 < min ? min : (acc3 > max ? max : acc3));
                    outputIndex += 4;
                    c += 4;
                }

                while (c < units)
                {
                    int acc = bias[c];
                    int i = inputBase;
                    while (i < end2)
                    {
                        acc += (input[i] * filter[weights]) + (input[i + 1] * filter[weights + 1]);
                        i += 2;
                        weights += 2;
                    }

                    if (depth2 != depth)
                    {
                        acc += input[i] * filter[weights];
                        weights++;
                    }

                    long p = acc * multiplier;
                    acc = (int)(p >= -0x40000000L ? (p + up) >> shift : -((down - p) >> shift));
                    output[outputIndex++] = (sbyte)(acc < min ? min : (acc > max ? max : acc));
                    c++;
                }

                inputBase += depth;
            }
        }
    }
}