using NanoQuant.Format;
using NanoQuant.Host.DeviceModels;
using NanoQuant.Host.Lowering;
using NanoQuant.Host.Planning;
using NanoQuant.Host.TfLite;
using static NanoQuant.Tests.Kernels.OneOperatorModel;

namespace NanoQuant.Tests;

/// <summary>
/// The data-movement kernels (RESHAPE, TRANSPOSE, STRIDED_SLICE, CONCATENATION) against straightforward
/// reference loops over many shapes and parameters the goldens do not reach, their load-time validation, and
/// the MobileNetV2 model's TRANSPOSE, PAD, MEAN and RESHAPE operators lowered and run one by one. PAD, MEAN
/// and pooling have their own files under Kernels/.
/// </summary>
public class MovementKernelTests
{
    // ---------- Reshape ----------

    [Fact]
    public void Reshape_copies_bytes_and_checks_length()
    {
        var rng = new Random(1);
        var input = RandomInt8(rng, 24);
        Assert.Equal(input, Run(Build(OperatorType.Reshape, [[2, 3, 4]], [4, 6], []), input));
        Rejected(OperatorType.Reshape, [[2, 3, 4]], [5, 5], []);
        Rejected(OperatorType.Reshape, [[2, 3, 4]], [24], [0]);
    }

    // ---------- Transpose ----------

    [Fact]
    public void Transpose_matches_reference_for_every_rank()
    {
        var rng = new Random(2);
        for (int trial = 0; trial < 200; trial++)
        {
            int rank = rng.Next(1, 7);
            var shape = RandomShape(rng, rank, 4);
            var perm = Enumerable.Range(0, rank).OrderBy(_ => rng.Next()).ToArray();
            var outShape = perm.Select(p => shape[p]).ToArray();
            var input = RandomInt8(rng, Count(shape));
            var actual = Run(Build(OperatorType.Transpose, [shape], outShape, perm), input);

            var inStrides = Strides(shape);
            var expected = new sbyte[input.Length];
            for (int o = 0; o < expected.Length; o++)
            {
                var idx = Unravel(o, outShape);
                int source = 0;
                for (int j = 0; j < rank; j++)
                {
                    source += idx[j] * inStrides[perm[j]];
                }

                expected[o] = input[source];
            }

            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Transpose_rejects_bad_permutations()
    {
        Rejected(OperatorType.Transpose, [[2, 3, 4]], [4, 3, 2], [2, 1, 1]);
        Rejected(OperatorType.Transpose, [[2, 3, 4]], [4, 3, 2], [3, 1, 0]);
        Rejected(OperatorType.Transpose, [[2, 3, 4]], [4, 3, 2], [2, 1]);
        Rejected(OperatorType.Transpose, [[2, 3, 4]], [3, 4, 2], [2, 1, 0]);
        Rejected(OperatorType.Transpose, [[2, 3, 4]], [4, 3, 2, 1], [2, 1, 0]);
    }

    // ---------- StridedSlice ----------

    [Fact]
    public void StridedSlice_matches_reference_including_negative_steps()
    {
        var rng = new Random(3);
        for (int trial = 0; trial < 300; trial++)
        {
            int rank = rng.Next(1, 7);
            var shape = RandomShape(rng, rank, 6);
            var parameters = new int[3 * rank];
            var counts = new int[rank];
            for (int d = 0; d < rank; d++)
            {
                int size = shape[d];
                int step = rng.Next(1, size + 1) * (rng.Next(2) == 0 ? 1 : -1);
                int start = rng.Next(0, size);
                int count;
                int stop;
                if (step > 0)
                {
                    stop = rng.Next(start + 1, size + 1);
                    count = (stop - start + step - 1) / step;
                }
                else
                {
                    stop = rng.Next(-1, start);
                    count = (start - stop - step - 1) / -step;
                }

                (parameters[3 * d], parameters[(3 * d) + 1], parameters[(3 * d) + 2]) = (start, stop, step);
                counts[d] = count;
            }

            // Drop some size-1 dimensions from the output (shrunk axes).
            var outShape = counts.Where(c => c != 1 || rng.Next(2) == 0).ToArray();
            if (outShape.Length == 0)
            {
                outShape = [1];
            }

            var input = RandomInt8(rng, Count(shape));
            var actual = Run(Build(OperatorType.StridedSlice, [shape], outShape, parameters), input);

            var inStrides = Strides(shape);
            var expected = new sbyte[Count(counts)];
            for (int o = 0; o < expected.Length; o++)
            {
                var idx = Unravel(o, counts);
                int source = 0;
                for (int d = 0; d < rank; d++)
                {
                    source += (parameters[3 * d] + (idx[d] * parameters[(3 * d) + 2])) * inStrides[d];
                }

                expected[o] = input[source];
            }

            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void StridedSlice_rejects_ranges_outside_the_input_or_the_output()
    {
        Rejected(OperatorType.StridedSlice, [[4, 4]], [2, 4], [0, 2, 1, 0, 4, 0]);
        Rejected(OperatorType.StridedSlice, [[4, 4]], [2, 4], [0, 2, 1, 0, 5, 1]);
        Rejected(OperatorType.StridedSlice, [[4, 4]], [2, 4], [-1, 1, 1, 0, 4, 1]);
        Rejected(OperatorType.StridedSlice, [[4, 4]], [2, 4], [2, 2, 1, 0, 4, 1]);
        Rejected(OperatorType.StridedSlice, [[4, 4]], [2, 4], [0, 2, 1, 0, 4, 2]);
        Rejected(OperatorType.StridedSlice, [[4, 4]], [2, 4], [0, 2, 1, 0, 4]);
        Rejected(OperatorType.StridedSlice, [[4, 4]], [4, 2], [0, 2, 1, 0, 4, 1]);
        Rejected(OperatorType.StridedSlice, [[4, 4]], [2, 4], [3, -1, -2, 0, 4, 9]);
        Build(OperatorType.StridedSlice, [[4, 4]], [2, 4], [3, -1, -2, 0, 4, 1]);
    }

    // ---------- Concatenation ----------

    [Fact]
    public void Concatenation_matches_reference_on_every_axis()
    {
        var rng = new Random(5);
        for (int trial = 0; trial < 200; trial++)
        {
            int rank = rng.Next(1, 6);
            var shape = RandomShape(rng, rank, 4);
            int axis = rng.Next(rank);
            int n = rng.Next(1, 5);
            var shapes = Enumerable.Range(0, n).Select(_ =>
            {
                var s = (int[])shape.Clone();
                s[axis] = rng.Next(1, 4);
                return s;
            }).ToArray();
            var outShape = (int[])shape.Clone();
            outShape[axis] = shapes.Sum(s => s[axis]);
            var inputs = shapes.Select(s => RandomInt8(rng, Count(s))).ToArray();
            var actual = Run(Build(OperatorType.Concatenation, shapes, outShape, [axis]), inputs);

            var expected = new sbyte[Count(outShape)];
            for (int o = 0; o < expected.Length; o++)
            {
                var idx = Unravel(o, outShape);
                int i = 0;
                while (idx[axis] >= shapes[i][axis])
                {
                    idx[axis] -= shapes[i][axis];
                    i++;
                }

                int source = 0;
                var st = Strides(shapes[i]);
                for (int d = 0; d < rank; d++)
                {
                    source += idx[d] * st[d];
                }

                expected[o] = inputs[i][source];
            }

            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Concatenation_rejects_mismatched_shapes()
    {
        Rejected(OperatorType.Concatenation, [[1, 2, 3], [1, 2, 4]], [1, 4, 3], [1]);
        Rejected(OperatorType.Concatenation, [[1, 2, 3], [1, 2, 3]], [1, 5, 3], [1]);
        Rejected(OperatorType.Concatenation, [[1, 2, 3], [1, 2, 3]], [1, 4, 3], [3]);
        Rejected(OperatorType.Concatenation, [[1, 2, 3], [2, 3]], [1, 4, 3], [1]);
    }

    // ---------- MobileNetV2 ----------

    [Fact]
    public void MobileNetV2_transpose_pad_mean_and_reshape_lower_and_run()
    {
        var source = TfLiteReader.ReadFile(SharedResources.ModelPath("mobilenet_v2_quantized_1x3x224x224"));
        var rng = new Random(8);
        var lowered = new HashSet<BuiltinOperator>();
        foreach (var op in source.Operators.Where(o => o.Code is BuiltinOperator.Transpose or BuiltinOperator.Pad or BuiltinOperator.Mean or BuiltinOperator.Reshape))
        {
            var target = new DeviceModel();
            var context = new LoweringContext(source, target);
            var inputTensor = source.Tensors[op.Inputs[0]];
            target.Inputs.Add(context.Int8Operand(null, inputTensor));
            IOperatorLowering lowering = op.Code switch
            {
                BuiltinOperator.Transpose => new TransposeLowering(),
                BuiltinOperator.Pad => new PadLowering(),
                BuiltinOperator.Mean => new MeanLowering(),
                _ => new ReshapeLowering(),
            };
            lowering.Lower(context, op);
            var outputTensor = source.Tensors[op.Outputs[0]];
            target.Outputs.Add(context.TensorMap[outputTensor.Index]);
            MemoryPlanner.Plan(target);
            var interpreter = new Interpreter(DeviceModelWriter.Write(target));
            var input = RandomInt8(rng, inputTensor.ElementCount);
            var actual = Run(interpreter, input);
            Assert.Equal(outputTensor.ElementCount, actual.Length);

            if (op.Code == BuiltinOperator.Transpose)
            {
                // NCHW → NHWC.
                int c = inputTensor.Shape[1], h = inputTensor.Shape[2], w = inputTensor.Shape[3];
                for (int i = 0; i < actual.Length; i += 997)
                {
                    int ch = i % c, x = (i / c) % w, y = i / c / w;
                    Assert.Equal(input[(((ch * h) + y) * w) + x], actual[i]);
                }
            }
            else if (op.Code == BuiltinOperator.Pad)
            {
                // 1 pixel around each image, filled with the zero point.
                int h = inputTensor.Shape[1], w = inputTensor.Shape[2], c = inputTensor.Shape[3];
                int zp = outputTensor.Quantization!.ZeroPoint;
                for (int i = 0; i < actual.Length; i += 101)
                {
                    int ch = i % c, x = (i / c) % (w + 2), y = i / c / (w + 2);
                    bool inside = y >= 1 && y <= h && x >= 1 && x <= w;
                    Assert.Equal(inside ? input[((((y - 1) * w) + x - 1) * c) + ch] : (sbyte)zp, actual[i]);
                }
            }
            else if (op.Code == BuiltinOperator.Mean)
            {
                // Same quantization in and out: the rounded mean of each channel, within one step.
                int hw = inputTensor.Shape[1] * inputTensor.Shape[2], c = inputTensor.Shape[3];
                for (int ch = 0; ch < c; ch++)
                {
                    double mean = Enumerable.Range(0, hw).Average(p => input[(p * c) + ch]);
                    Assert.InRange(actual[ch], Math.Floor(mean) - 1, Math.Ceiling(mean) + 1);
                }
            }
            else
            {
                Assert.Equal(input, actual);
            }

            lowered.Add(op.Code);
        }

        Assert.Equal(4, lowered.Count);
    }
}
