namespace NanoQuant
{
    /// <summary>
    /// The per-channel variant of <see cref="FullyConnectedKernel"/>: an output stage per unit. Its loops repeat the
    /// other variants' shape (loads, multiply-accumulates, the inlined requantization, clamp, store) on purpose: on
    /// nanoCLR's IL interpreter a helper called per output or per tap is a dispatched call, so each variant stays flat
    /// (docs/architecture.md, "Still written twice"); the goldens, tests/Kernels and InlinedRequantizationTests guard
    /// each copy.
    /// </summary>
    internal sealed partial class FullyConnectedKernel
    {
        // Per-channel output stages (or a negative multiplier, a left shift, a right shift over
        // Requantization.MaxFoldedRightShift): the four-unit loop with per-unit shifts, or QuantizedMath.
        private void InvokePerChannel()
        {
            sbyte[] input = _input.data;
            sbyte[] filter = _filter.data;
            sbyte[] output = _output.data;
            int[] bias = _bias;
            int[] multipliers = _multipliers;
            int[] shifts = _shifts;
            int[] unitMultipliers = _unitMultipliers;
            int[] leftShifts = _leftShifts;
            int[] rightShifts = _rightShifts;
            int[] roundings = _roundings;
            int depth = _depth;
            int units = _units;
            int blockedUnits = unitMultipliers == null ? 0 : units & ~3;
            int depth2 = depth & ~1;
            int d1 = depth;
            int d2 = 2 * depth;
            int d3 = 3 * depth;
            int d1n = d1 + 1;
            int d2n = d2 + 1;
            int d3n = d3 + 1;
            int blockStep = 3 * depth;
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
                int c = 0;

                // Four units at a time: each input value is loaded once and multiplied into four
                // accumulators (output-channel blocking), half the loads of a plain dot product.
                while (c < blockedUnits)
                {
                    int acc0 = bias[c];
                    int acc1 = bias[c + 1];
                    int acc2 = bias[c + 2];
                    int acc3 = bias[c + 3];
                    int i = inputBase;
                    int end2 = inputBase + depth2;
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
                    long high = (((long)(acc0 << leftShifts[c]) * unitMultipliers[c]) + 0x40000000L) >> 31;
                    int rounding = roundings[c];
                    acc0 = (int)(high >= 0 ? (high + rounding) >> rightShifts[c] : -((rounding - high) >> rightShifts[c])) + outputOffset;
                    output[outputIndex] = (sbyte)(acc0 < min ? min : (acc0 > max ? max : acc0));
                    high = (((long)(acc1 << leftShifts[c + 1]) * unitMultipliers[c + 1]) + 0x40000000L) >> 31;
                    rounding = roundings[c + 1];
                    acc1 = (int)(high >= 0 ? (high + rounding) >> rightShifts[c + 1] : -((rounding - high) >> rightShifts[c + 1])) + outputOffset;
                    output[outputIndex + 1] = (sbyte)(acc1 < min ? min : (acc1 > max ? max : acc1));
                    high = (((long)(acc2 << leftShifts[c + 2]) * unitMultipliers[c + 2]) + 0x40000000L) >> 31;
                    rounding = roundings[c + 2];
                    acc2 = (int)(high >= 0 ? (high + rounding) >> rightShifts[c + 2] : -((rounding - high) >> rightShifts[c + 2])) + outputOffset;
                    output[outputIndex + 2] = (sbyte)(acc2 < min ? min : (acc2 > max ? max : acc2));
                    high = (((long)(acc3 << leftShifts[c + 3]) * unitMultipliers[c + 3]) + 0x40000000L) >> 31;
                    rounding = roundings[c + 3];
                    acc3 = (int)(high >= 0 ? (high + rounding) >> rightShifts[c + 3] : -((rounding - high) >> rightShifts[c + 3])) + outputOffset;
                    output[outputIndex + 3] = (sbyte)(acc3 < min ? min : (acc3 > max ? max : acc3));
                    outputIndex += 4;
                    c += 4;
                }

                for (; c < units; c++)
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

                    if (unitMultipliers != null)
                    {
                        long high = (((long)(acc << leftShifts[c]) * unitMultipliers[c]) + 0x40000000L) >> 31;
                        int rounding = roundings[c];
                        acc = (int)(high >= 0 ? (high + rounding) >> rightShifts[c] : -((rounding - high) >> rightShifts[c])) + outputOffset;
                    }
                    else
                    {
                        if (perChannel)
                        {
                            multiplier = multipliers[c];
                            shift = shifts[c];
                        }

                        acc = QuantizedMath.MultiplyByQuantizedMultiplier(acc, multiplier, shift) + outputOffset;
                    }

                    output[outputIndex++] = (sbyte)(acc < min ? min : (acc > max ? max : acc));
                }

                inputBase += depth;
            }
        }
    }
}
