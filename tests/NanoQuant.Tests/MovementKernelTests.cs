using NanoQuant.Format;
using NanoQuant.Host.DeviceModels;
using NanoQuant.Host.Lowering;
using NanoQuant.Host.Planning;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Tests;

/// <summary>
/// The pooling and data-movement kernels against straightforward reference loops over many shapes
/// and parameters the goldens do not reach, their load-time validation, and the MobileNetV2 model's
/// TRANSPOSE, PAD, MEAN and RESHAPE operators lowered and run one by one.
/// </summary>
public class MovementKernelTests
{
    // ---------- helpers ----------

    private static int Count(int[] shape) => shape.Aggregate(1, (a, b) => a * b);

    private static int[] Strides(int[] shape)
    {
        var s = new int[shape.Length];
        int stride = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            s[d] = stride;
            stride *= shape[d];
        }

        return s;
    }

    private static int[] Unravel(int index, int[] shape)
    {
        var idx = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            idx[d] = index % shape[d];
            index /= shape[d];
        }

        return idx;
    }

    private static sbyte[] Random(Random rng, int count)
    {
        var v = new sbyte[count];
        for (int i = 0; i < count; i++)
        {
            v[i] = (sbyte)rng.Next(-128, 128);
        }

        return v;
    }

    /// <summary>A model of one operator over int8 arena inputs; returns the interpreter (loading checks every kernel).</summary>
    private static Interpreter Build(OperatorType type, int[][] inputShapes, int[] outputShape, int[] parameters, int inputZeroPoint = 0, int outputZeroPoint = 0)
    {
        var model = new DeviceModel();
        var inputs = inputShapes.Select(s => model.AddTensor(new DeviceTensor { Type = TensorType.Int8, Storage = TensorStorage.Arena, Shape = s, Scale = 1, ZeroPoint = inputZeroPoint })).ToArray();
        int output = model.AddTensor(new DeviceTensor { Type = TensorType.Int8, Storage = TensorStorage.Arena, Shape = outputShape, Scale = 1, ZeroPoint = outputZeroPoint });
        model.Inputs.AddRange(inputs.Distinct());
        model.Outputs.Add(output);
        model.Operators.Add(new DeviceOperator(type, inputs, [output], parameters));
        MemoryPlanner.Plan(model);
        return new Interpreter(DeviceModelWriter.Write(model));
    }

    private static sbyte[] Run(Interpreter interpreter, params sbyte[][] inputs)
    {
        for (int i = 0; i < inputs.Length; i++)
        {
            interpreter.GetInput(i).CopyFrom(inputs[i], 0);
        }

        interpreter.Invoke();
        var output = interpreter.GetOutput(0);
        var result = new sbyte[output.Length];
        output.CopyTo(result, 0);
        return result;
    }

    private static void Rejected(OperatorType type, int[][] inputShapes, int[] outputShape, int[] parameters) =>
        Assert.Throws<InvalidModelException>(() => Build(type, inputShapes, outputShape, parameters));

    private static int[] RandomShape(Random rng, int rank, int max) => Enumerable.Range(0, rank).Select(_ => rng.Next(1, max + 1)).ToArray();

    // ---------- Reshape ----------

    [Fact]
    public void Reshape_copies_bytes_and_checks_length()
    {
        var rng = new Random(1);
        var input = Random(rng, 24);
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
            var input = Random(rng, Count(shape));
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

            var input = Random(rng, Count(shape));
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

    // ---------- Pad ----------

    [Fact]
    public void Pad_matches_reference_for_every_rank()
    {
        var rng = new Random(4);
        for (int trial = 0; trial < 300; trial++)
        {
            int rank = rng.Next(1, 7);
            var shape = RandomShape(rng, rank, 4);
            var before = Enumerable.Range(0, rank).Select(_ => rng.Next(3) == 0 ? rng.Next(0, 3) : 0).ToArray();
            var after = Enumerable.Range(0, rank).Select(_ => rng.Next(3) == 0 ? rng.Next(0, 3) : 0).ToArray();
            var outShape = Enumerable.Range(0, rank).Select(d => shape[d] + before[d] + after[d]).ToArray();
            int value = rng.Next(-128, 128);
            var parameters = new int[1 + (2 * rank)];
            parameters[0] = value;
            for (int d = 0; d < rank; d++)
            {
                (parameters[1 + (2 * d)], parameters[2 + (2 * d)]) = (before[d], after[d]);
            }

            var input = Random(rng, Count(shape));
            var actual = Run(Build(OperatorType.Pad, [shape], outShape, parameters), input);

            var inStrides = Strides(shape);
            var expected = new sbyte[Count(outShape)];
            for (int o = 0; o < expected.Length; o++)
            {
                var idx = Unravel(o, outShape);
                int source = 0;
                bool inside = true;
                for (int d = 0; d < rank; d++)
                {
                    int i = idx[d] - before[d];
                    inside &= i >= 0 && i < shape[d];
                    source += i * inStrides[d];
                }

                expected[o] = inside ? input[source] : (sbyte)value;
            }

            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Pad_rejects_inconsistent_paddings()
    {
        Rejected(OperatorType.Pad, [[2, 3]], [4, 3], [0, 1, 0, 0, 0]);
        Rejected(OperatorType.Pad, [[2, 3]], [4, 3], [0, 3, -1, 0, 0]);
        Rejected(OperatorType.Pad, [[2, 3]], [4, 3], [200, 1, 1, 0, 0]);
        Rejected(OperatorType.Pad, [[2, 3]], [4, 3], [0, 1, 1, 0]);
        Rejected(OperatorType.Pad, [[2, 3]], [4, 3, 1], [0, 1, 1, 0, 0, 0, 0]);
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
            var inputs = shapes.Select(s => Random(rng, Count(s))).ToArray();
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

    // ---------- Mean ----------

    [Fact]
    public void Mean_matches_reference_for_any_axes()
    {
        var rng = new Random(6);
        for (int trial = 0; trial < 300; trial++)
        {
            int rank = rng.Next(1, 7);
            var shape = RandomShape(rng, rank, 5);
            int mask = rng.Next(0, 1 << rank);
            bool keep = rng.Next(2) == 0;
            var outShape = Enumerable.Range(0, rank).Where(d => keep || (mask & (1 << d)) == 0).Select(d => (mask & (1 << d)) != 0 ? 1 : shape[d]).ToArray();
            if (outShape.Length == 0)
            {
                outShape = [1];
            }

            int count = Enumerable.Range(0, rank).Where(d => (mask & (1 << d)) != 0).Aggregate(1, (a, d) => a * shape[d]);
            int inZp = rng.Next(-128, 128), outZp = rng.Next(-128, 128);
            var (m, s) = NanoQuant.Host.Conversion.QuantizationMath.QuantizeMultiplier(Math.Exp(rng.NextDouble() * 6 - 3));
            (m, s) = MeanLowering.FoldCount(m, s, count);
            var input = Random(rng, Count(shape));
            var actual = Run(Build(OperatorType.Mean, [shape], outShape, [inZp, outZp, m, s, mask]), input);

            var keptShape = Enumerable.Range(0, rank).Select(d => (mask & (1 << d)) != 0 ? 1 : shape[d]).ToArray();
            var sums = new int[Count(keptShape)];
            var keptStrides = Strides(keptShape);
            for (int i = 0; i < input.Length; i++)
            {
                var idx = Unravel(i, shape);
                int o = 0;
                for (int d = 0; d < rank; d++)
                {
                    o += (keptShape[d] == 1 ? 0 : idx[d]) * keptStrides[d];
                }

                sums[o] += input[i];
            }

            var expected = sums.Select(sum =>
            {
                int v = QuantizedMath.MultiplyByQuantizedMultiplier(sum - (inZp * count), m, s) + outZp;
                return (sbyte)Math.Clamp(v, -128, 127);
            }).ToArray();
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Mean_rejects_bad_parameters()
    {
        Rejected(OperatorType.Mean, [[1, 4, 4, 8]], [1, 8], [0, 0, 1 << 30, -1, 0b0110 | 0b10000]);
        Rejected(OperatorType.Mean, [[1, 4, 4, 8]], [1, 4], [0, 0, 1 << 30, -1, 0b0110]);
        Rejected(OperatorType.Mean, [[1, 4, 4, 8]], [1, 8], [0, 200, 1 << 30, -1, 0b0110]);
        Rejected(OperatorType.Mean, [[1, 4, 4, 8]], [1, 8], [0, 0, -5, -1, 0b0110]);
        Rejected(OperatorType.Mean, [[1, 4, 4, 8]], [1, 8], [0, 0, 1 << 30, -40, 0b0110]);
        Build(OperatorType.Mean, [[1, 4, 4, 8]], [1, 1, 1, 8], [0, 0, 1 << 30, -1, 0b0110]);
    }

    [Fact]
    public void Mean_folds_the_count_as_TFLM_does()
    {
        // 49 elements: shift by 5 (floor(log2 49)), multiplier × 32 / 49 truncated.
        Assert.Equal(((int)((1518500250L << 5) / 49), -1 - 5), MeanLowering.FoldCount(1518500250, -1, 49));

        // The extra shift stops where the final shift would pass −31.
        Assert.Equal(((int)((1073741824L << 2) / 1024), -31), MeanLowering.FoldCount(1073741824, -29, 1024));
    }

    // ---------- Pooling ----------

    [Theory]
    [InlineData(OperatorType.AveragePool2D)]
    [InlineData(OperatorType.MaxPool2D)]
    public void Pooling_matches_reference(OperatorType type)
    {
        var rng = new Random(7);
        for (int trial = 0; trial < 300; trial++)
        {
            int batches = rng.Next(1, 3), height = rng.Next(1, 9), width = rng.Next(1, 9), depth = rng.Next(1, 5);
            int fh = rng.Next(1, 5), fw = rng.Next(1, 5), sh = rng.Next(1, 4), sw = rng.Next(1, 4);
            bool same = rng.Next(2) == 0;
            if (!same && (fh > height || fw > width))
            {
                continue;
            }

            var (oh, pt, pb) = Geometry(same, height, fh, sh);
            var (ow, pl, pr) = Geometry(same, width, fw, sw);
            int min = rng.Next(-128, 0), max = rng.Next(0, 128);
            var input = Random(rng, batches * height * width * depth);
            var actual = Run(Build(type, [[batches, height, width, depth]], [batches, oh, ow, depth], [sh, sw, fh, fw, pt, pb, pl, pr, min, max]), input);

            var expected = new sbyte[batches * oh * ow * depth];
            int o = 0;
            for (int b = 0; b < batches; b++)
            {
                for (int oy = 0; oy < oh; oy++)
                {
                    for (int ox = 0; ox < ow; ox++)
                    {
                        for (int c = 0; c < depth; c++)
                        {
                            int sum = 0, n = 0, best = -128;
                            for (int fy = 0; fy < fh; fy++)
                            {
                                for (int fx = 0; fx < fw; fx++)
                                {
                                    int y = (oy * sh) - pt + fy, x = (ox * sw) - pl + fx;
                                    if (y >= 0 && y < height && x >= 0 && x < width)
                                    {
                                        int v = input[(((b * height) + y) * width + x) * depth + c];
                                        sum += v;
                                        n++;
                                        best = Math.Max(best, v);
                                    }
                                }
                            }

                            int r = type == OperatorType.MaxPool2D ? best : (sum > 0 ? (sum + (n / 2)) / n : (sum - (n / 2)) / n);
                            expected[o++] = (sbyte)Math.Clamp(r, min, max);
                        }
                    }
                }
            }

            Assert.Equal(expected, actual);
        }
    }

    private static (int Out, int Before, int After) Geometry(bool same, int input, int filter, int stride)
    {
        int output = same ? (input + stride - 1) / stride : (input + stride - filter) / stride;
        int total = Math.Max(((output - 1) * stride) + filter - input, 0);
        return (output, total / 2, total - (total / 2));
    }

    [Fact]
    public void Pooling_rejects_inconsistent_geometry()
    {
        int[][] input = [[1, 8, 8, 4]];
        Build(OperatorType.MaxPool2D, input, [1, 4, 4, 4], [2, 2, 2, 2, 0, 0, 0, 0, -128, 127]);
        Rejected(OperatorType.MaxPool2D, input, [1, 5, 4, 4], [2, 2, 2, 2, 0, 0, 0, 0, -128, 127]);
        Rejected(OperatorType.MaxPool2D, input, [1, 4, 4, 4], [2, 2, 2, 2, 2, 0, 0, 0, -128, 127]);
        Rejected(OperatorType.MaxPool2D, input, [1, 4, 4, 4], [2, 2, 2, 2, -1, 1, 0, 0, -128, 127]);
        Rejected(OperatorType.AveragePool2D, input, [1, 4, 4, 4], [0, 2, 2, 2, 0, 0, 0, 0, -128, 127]);
        Rejected(OperatorType.AveragePool2D, input, [1, 4, 4, 4], [2, 2, 2, 2, 0, 0, 0, 0, 10, -10]);
        Rejected(OperatorType.AveragePool2D, input, [1, 4, 4, 3], [2, 2, 2, 2, 0, 0, 0, 0, -128, 127]);
        Rejected(OperatorType.AveragePool2D, input, [1, 4, 4, 4], [2, 2, 2, 2, 0, 0, 0, 0, -128]);
        Rejected(OperatorType.AveragePool2D, [[8, 8, 4]], [4, 4, 4], [2, 2, 2, 2, 0, 0, 0, 0, -128, 127]);
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
            var input = Random(rng, inputTensor.ElementCount);
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
