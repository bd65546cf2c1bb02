using NanoQuant.Format;

namespace NanoQuant
{
    /// <summary>
    /// MEAN, int8 or int16 (TFLM reference_ops::QuantizedMeanOrSum, the path TFLM takes for every int8 and int16 MEAN):
    /// each output element is the int32 sum s of the n input elements it reduces, then
    /// clamp(MultiplyByQuantizedMultiplier(s − n × input zero point, multiplier, shift) + output zero point)
    /// to the output type. The host folds 1/n into multiplier and shift exactly as TFLM does.
    /// Inputs: 0 input int8 or int16. Output: the same type, holding the kept dimensions in input order (keep_dims or
    /// not: dimensions of size 1 are ignored when the shapes are compared).
    /// Parameters: 0 input zero point, 1 output zero point, 2 multiplier (≥ 0), 3 shift,
    /// 4 reduced-axes mask (bit d set: input dimension d is reduced).
    /// </summary>
    internal sealed partial class MeanKernel : Kernel
    {
        private const int Levels = 3;
        private readonly Tensor _input;
        private readonly Tensor _output;
        private readonly int _correction;
        private readonly int _outputZeroPoint;
        private readonly int _multiplier;
        private readonly int _shift;
        private readonly int[] _keptCounts = new int[Levels];
        private readonly int[] _keptStrides = new int[Levels];
        private readonly int[] _reducedCounts = new int[Levels];
        private readonly int[] _reducedStrides = new int[Levels];
        private readonly bool _wide;

        internal MeanKernel(OperatorDefinition op, Tensor[] tensors)
        {
            Check.Counts(op, 1, 1, MeanLayout.ParameterCount);
            _input = Check.ActivationInput(op, tensors, 0);
            _output = Check.OutputLike(op, tensors, 0, _input);
            _wide = _input.type == NanoQuant.Format.TensorType.Int16;
            int elementSize = _wide ? 2 : 1;
            int rank = _input.shape.Length;
            int inputZeroPoint = op.Parameters[MeanLayout.InputZeroPoint];
            _outputZeroPoint = op.Parameters[MeanLayout.OutputZeroPoint];
            if (_wide)
            {
                inputZeroPoint = Check.Parameter(op, MeanLayout.InputZeroPoint, -32768, 32767, "input zero point");
                _outputZeroPoint = Check.Parameter(op, MeanLayout.OutputZeroPoint, -32768, 32767, "output zero point");
            }
            else
            {
                Check.ZeroPoint(op, inputZeroPoint, "input");
                Check.ZeroPoint(op, _outputZeroPoint, "output");
            }

            _multiplier = Check.Parameter(op, MeanLayout.Multiplier, 0, int.MaxValue, "multiplier");
            _shift = op.Parameters[MeanLayout.Shift];
            Check.Shift(op, _shift, "shift");
            int mask = Check.Parameter(op, MeanLayout.AxesMask, 0, (1 << rank) - 1, "reduced-axes mask");

            // Split the input into alternating runs of kept and reduced dimensions (size-1
            // dimensions dropped, neighbours of one kind merged): at most three runs of each kind.
            int[] kept = new int[rank];
            int keptRank = 0;
            int[] runCounts = new int[rank];
            int[] runStrides = new int[rank];
            bool[] runReduced = new bool[rank];
            int runs = 0;
            int reducedCount = 1;
            int stride = 1;
            for (int d = rank - 1; d >= 0; d--)
            {
                int size = _input.shape[d];
                bool reduced = (mask & (1 << d)) != 0;
                if (reduced)
                {
                    reducedCount *= size;
                }

                if (size != 1)
                {
                    if (runs > 0 && runReduced[runs - 1] == reduced)
                    {
                        runCounts[runs - 1] *= size;
                    }
                    else
                    {
                        runCounts[runs] = size;
                        runStrides[runs] = stride;
                        runReduced[runs] = reduced;
                        runs++;
                    }
                }

                stride *= size;
            }

            for (int d = 0; d < rank; d++)
            {
                if ((mask & (1 << d)) == 0)
                {
                    kept[keptRank++] = _input.shape[d];
                }
            }

            int[] keptShape = new int[keptRank];
            System.Array.Copy(kept, keptShape, keptRank);
            Check.That(StridedGather.SameIgnoringOnes(keptShape, _output.shape), op, "output shape must be the input's kept dimensions");

            // Runs were collected innermost first; fill the levels innermost first too.
            int keptLevel = Levels - 1;
            int reducedLevel = Levels - 1;
            for (int i = 0; i < Levels; i++)
            {
                _keptCounts[i] = 1;
                _reducedCounts[i] = 1;
            }

            for (int r = 0; r < runs; r++)
            {
                if (runReduced[r])
                {
                    _reducedCounts[reducedLevel] = runCounts[r];
                    _reducedStrides[reducedLevel] = runStrides[r] * elementSize;
                    reducedLevel--;
                }
                else
                {
                    _keptCounts[keptLevel] = runCounts[r];
                    _keptStrides[keptLevel] = runStrides[r] * elementSize;
                    keptLevel--;
                }
            }

            _correction = (int)((long)inputZeroPoint * reducedCount);
        }

        internal override void Invoke()
        {
            if (_wide)
            {
                InvokeInt16();
                return;
            }

            sbyte[] input = _input.data;
            sbyte[] output = _output.data;
            int k0 = _keptCounts[0], k1 = _keptCounts[1], k2 = _keptCounts[2];
            int ks0 = _keptStrides[0], ks1 = _keptStrides[1], ks2 = _keptStrides[2];
            int r0 = _reducedCounts[0], r1 = _reducedCounts[1], r2 = _reducedCounts[2];
            int rs0 = _reducedStrides[0], rs1 = _reducedStrides[1], rs2 = _reducedStrides[2];
            int correction = _correction;
            int multiplier = _multiplier;
            int shift = _shift;
            int outputZeroPoint = _outputZeroPoint;
            int o = _output.offset;
            int q0 = _input.offset;
            for (int i0 = 0; i0 < k0; i0++)
            {
                int q1 = q0;
                for (int i1 = 0; i1 < k1; i1++)
                {
                    int q2 = q1;
                    for (int i2 = 0; i2 < k2; i2++)
                    {
                        int acc = 0;
                        int p0 = q2;
                        for (int j0 = 0; j0 < r0; j0++)
                        {
                            int p1 = p0;
                            for (int j1 = 0; j1 < r1; j1++)
                            {
                                int p = p1;
                                for (int j2 = 0; j2 < r2; j2++)
                                {
                                    acc += input[p];
                                    p += rs2;
                                }

                                p1 += rs1;
                            }

                            p0 += rs0;
                        }

                        int v = QuantizedMath.MultiplyByQuantizedMultiplier(acc - correction, multiplier, shift) + outputZeroPoint;
                        output[o++] = (sbyte)(v < -128 ? -128 : (v > 127 ? 127 : v));
                        q2 += ks2;
                    }

                    q1 += ks1;
                }

                q0 += ks0;
            }
        }

        /// <summary>
        /// The int16 walk: strides are in bytes, elements little-endian pairs, the clamp int16. It repeats the int8
        /// walk's loops on purpose: choosing the element width per element would be a branch per value in the
        /// innermost loop on nanoCLR's IL interpreter; the int8 and int16 MEAN goldens and MeanKernelTests guard both.
        /// </summary>
        private void InvokeInt16()
        {
            sbyte[] input = _input.data;
            sbyte[] output = _output.data;
            int k0 = _keptCounts[0], k1 = _keptCounts[1], k2 = _keptCounts[2];
            int ks0 = _keptStrides[0], ks1 = _keptStrides[1], ks2 = _keptStrides[2];
            int r0 = _reducedCounts[0], r1 = _reducedCounts[1], r2 = _reducedCounts[2];
            int rs0 = _reducedStrides[0], rs1 = _reducedStrides[1], rs2 = _reducedStrides[2];
            int o = _output.offset;
            int q0 = _input.offset;
            for (int i0 = 0; i0 < k0; i0++)
            {
                int q1 = q0;
                for (int i1 = 0; i1 < k1; i1++)
                {
                    int q2 = q1;
                    for (int i2 = 0; i2 < k2; i2++)
                    {
                        int acc = 0;
                        int p0 = q2;
                        for (int j0 = 0; j0 < r0; j0++)
                        {
                            int p1 = p0;
                            for (int j1 = 0; j1 < r1; j1++)
                            {
                                int p = p1;
                                for (int j2 = 0; j2 < r2; j2++)
                                {
                                    acc += (input[p] & 0xFF) | (input[p + 1] << 8);
                                    p += rs2;
                                }

                                p1 += rs1;
                            }

                            p0 += rs0;
                        }

                        int v = QuantizedMath.MultiplyByQuantizedMultiplier(acc - _correction, _multiplier, _shift) + _outputZeroPoint;
                        v = v < -32768 ? -32768 : (v > 32767 ? 32767 : v);
                        output[o] = (sbyte)v;
                        output[o + 1] = (sbyte)(v >> 8);
                        o += 2;
                        q2 += ks2;
                    }

                    q1 += ks1;
                }

                q0 += ks0;
            }
        }
    }
}
