using NanoQuant.Format;
using NanoQuant.Host.DeviceModels;
using NanoQuant.Host.Lowering;
using NanoQuant.Host.Planning;

namespace NanoQuant.Tests.Kernels;

/// <summary>
/// The 16x8 CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED kernels (device/Kernels/Conv2DInt16Kernel*.cs,
/// DepthwiseConv2DInt16Kernel.cs, FullyConnectedInt16Kernel.cs) against a plain reference loop: every tap
/// bounds-checked, one 64-bit accumulator per output, TFLM's 64-bit MultiplyByQuantizedMultiplier. The
/// synthetic cases reach the variants the 16x8 goldens do not (grouped convolution, dilation along the
/// width, channel counts that are not a multiple of four, odd interior runs, batches, all-border outputs),
/// with extreme values (−32768 inputs, −128 weights) so a sum that only fits in 64 bits is exercised.
/// </summary>
public class ConvInt16KernelTests
{
    public static TheoryData<string> Convs() => new()
    {
        // batches, height, width, in channels, out channels, filter depth (groups = in / filter depth), kh, kw, stride h, stride w, dilation h, dilation w, padding (0 SAME, 1 VALID)
        "2,9,7,6,4,6,3,3,1,2,1,1,0",
        "1,8,8,8,8,2,3,3,2,2,2,1,0",
        "1,5,6,5,3,5,5,4,1,1,1,1,0",
        "3,4,4,3,5,3,6,6,1,3,1,1,0",
        "1,12,11,4,7,4,3,2,3,1,2,3,1",
        "1,6,10,9,6,3,1,1,2,3,1,1,0",
        "1,1,30,7,5,7,1,5,1,1,1,2,0",
        "1,7,9,16,13,16,3,3,1,1,1,1,0",
        "1,4,4,600,5,600,1,1,1,1,1,1,1",
    };

    [Theory]
    [MemberData(nameof(Convs))]
    public void Conv2D_int16_matches_a_reference_loop(string spec)
    {
        int[] v = spec.Split(',').Select(int.Parse).ToArray();
        var random = new Random(spec.GetHashCode(StringComparison.Ordinal) & 0x7FFF);
        var op = Int16ConvOp.Create(random, OperatorType.Conv2D, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], (PaddingType)v[12], 1, withBias: v[1] % 2 == 0);
        op.AssertMatchesReference(random);
    }

    public static TheoryData<string> Depthwise() => new()
    {
        // batches, height, width, in channels, multiplier, kh, kw, stride h, stride w, dilation h, dilation w, padding
        "2,7,6,5,1,3,3,1,1,1,1,0",
        "1,9,9,3,2,3,3,2,2,1,1,0",
        "1,8,7,2,3,5,3,1,2,2,2,0",
        "1,6,6,4,1,3,3,1,1,1,1,1",
        "1,3,3,2,4,5,5,1,1,1,1,0",
        // 3×3, multiplier 1, dilation width 1: the sliding rows (stride width 1 and 2, dilation height 2, valid and same)
        "1,9,8,3,1,3,3,2,2,1,1,0",
        "1,9,7,3,1,3,3,1,1,2,1,0",
        "2,7,9,4,1,3,3,2,2,1,1,1",
        "1,5,11,2,1,3,3,1,2,3,1,0",
    };

    [Theory]
    [MemberData(nameof(Depthwise))]
    public void DepthwiseConv2D_int16_matches_a_reference_loop(string spec)
    {
        int[] v = spec.Split(',').Select(int.Parse).ToArray();
        var random = new Random(spec.GetHashCode(StringComparison.Ordinal) & 0x7FFF);
        var op = Int16ConvOp.Create(random, OperatorType.DepthwiseConv2D, v[0], v[1], v[2], v[3], v[3] * v[4], 1, v[5], v[6], v[7], v[8], v[9], v[10], (PaddingType)v[11], v[4], withBias: v[0] == 1);
        op.AssertMatchesReference(random);
    }

    [Theory]
    [InlineData(1, 7, 5, true)]
    [InlineData(3, 16, 8, true)]
    [InlineData(2, 33, 6, false)]
    [InlineData(1, 700, 3, true)]
    // The input offset's extremes over more values than one int32 chunk (Int16Math.Int32OffsetProducts) holds.
    [InlineData(2, 600, 5, true, 32768)]
    [InlineData(1, 1100, 4, false, -32767)]
    public void FullyConnected_int16_matches_a_reference_loop(int batches, int depth, int units, bool withBias, int? inputOffset = null)
    {
        var random = new Random(batches * 1000 + depth * 10 + units);
        var op = Int16ConvOp.CreateFullyConnected(random, batches, depth, units, withBias, inputOffset);
        op.AssertMatchesReference(random);
    }

    /// <summary>A one-operator 16x8 device model built directly, with a reference implementation of the operator.</summary>
    private sealed class Int16ConvOp
    {
        private OperatorType _type;
        private int _batches, _height, _width, _inDepth, _outDepth, _filterDepth, _kh, _kw, _sh, _sw, _dh, _dw, _padTop, _padLeft, _outHeight, _outWidth, _multiplier;
        private int _min, _max, _inputOffset, _outputOffset;
        private sbyte[] _weights = [];
        private long[]? _bias;
        private int[] _multipliers = [], _shifts = [];
        private byte[] _model = [];

        public static Int16ConvOp Create(Random random, OperatorType type, int batches, int height, int width, int inDepth, int outDepth, int filterDepth,
            int kh, int kw, int sh, int sw, int dh, int dw, PaddingType padding, int multiplier, bool withBias)
        {
            var s = new Int16ConvOp
            {
                _type = type, _batches = batches, _height = height, _width = width, _inDepth = inDepth, _outDepth = outDepth, _filterDepth = filterDepth,
                _kh = kh, _kw = kw, _sh = sh, _sw = sw, _dh = dh, _dw = dw, _multiplier = multiplier,
            };
            s._outHeight = ConvCommon.OutputSize(padding, height, kh, sh, dh)!.Value;
            s._outWidth = ConvCommon.OutputSize(padding, width, kw, sw, dw)!.Value;
            s._padTop = (int)WindowPadding.Before(height, kh, sh, dh, s._outHeight);
            s._padLeft = (int)WindowPadding.Before(width, kw, sw, dw, s._outWidth);
            int taps = kh * kw * (type == OperatorType.Conv2D ? filterDepth : 1);
            s.Constants(random, outDepth * taps, outDepth, withBias);

            var model = new DeviceModel();
            int input = model.AddTensor(new DeviceTensor { Type = TensorType.Int16, Storage = TensorStorage.Arena, Shape = [batches, height, width, inDepth], Scale = 1 });
            int[] filterShape = type == OperatorType.Conv2D ? [outDepth, kh, kw, filterDepth] : [outDepth, kh, kw];
            int output = model.AddTensor(new DeviceTensor { Type = TensorType.Int16, Storage = TensorStorage.Arena, Shape = [batches, s._outHeight, s._outWidth, outDepth], Scale = 1 });
            var p = new int[type == OperatorType.Conv2D ? Conv2DLayout.ParameterCount : DepthwiseConv2DLayout.ParameterCount];
            p[ConvWindowLayout.Padding] = (int)padding;
            p[ConvWindowLayout.StrideHeight] = sh;
            p[ConvWindowLayout.StrideWidth] = sw;
            p[ConvWindowLayout.DilationHeight] = dh;
            p[ConvWindowLayout.DilationWidth] = dw;
            p[ConvWindowLayout.PadTop] = s._padTop;
            p[ConvWindowLayout.PadLeft] = s._padLeft;
            p[ConvWindowLayout.ActivationMin] = s._min;
            p[ConvWindowLayout.ActivationMax] = s._max;
            if (type == OperatorType.DepthwiseConv2D)
            {
                p[DepthwiseConv2DLayout.DepthMultiplier] = multiplier;
            }

            s.Finish(model, type, input, filterShape, output, p);
            return s;
        }

        public static Int16ConvOp CreateFullyConnected(Random random, int batches, int depth, int units, bool withBias, int? inputOffset = null)
        {
            var s = new Int16ConvOp { _type = OperatorType.FullyConnected, _batches = batches, _inDepth = depth, _outDepth = units, _height = 1, _width = 1 };
            s.Constants(random, units * depth, units, withBias);
            s._inputOffset = inputOffset ?? random.Next(-200, 200);
            s._outputOffset = random.Next(-300, 300);
            var model = new DeviceModel();
            int input = model.AddTensor(new DeviceTensor { Type = TensorType.Int16, Storage = TensorStorage.Arena, Shape = [batches, depth], Scale = 1 });
            int output = model.AddTensor(new DeviceTensor { Type = TensorType.Int16, Storage = TensorStorage.Arena, Shape = [batches, units], Scale = 1 });
            var p = new int[FullyConnectedLayout.Int16ParameterCount];
            p[FullyConnectedLayout.Int16InputOffset] = s._inputOffset;
            p[FullyConnectedLayout.Int16OutputOffset] = s._outputOffset;
            p[FullyConnectedLayout.Int16ActivationMin] = s._min;
            p[FullyConnectedLayout.Int16ActivationMax] = s._max;
            s.Finish(model, OperatorType.FullyConnected, input, [units, depth], output, p);
            return s;
        }

        private void Constants(Random random, int weightCount, int channels, bool withBias)
        {
            // Weights and inputs include the extremes (−128, −32768), so Σ x × w can leave int32.
            _weights = Enumerable.Range(0, weightCount).Select(i => i % 7 == 0 ? (sbyte)-128 : (sbyte)random.Next(-127, 128)).ToArray();
            _bias = withBias ? Enumerable.Range(0, channels).Select(_ => (long)random.Next(-2_000_000, 2_000_000) * 1000).ToArray() : null;
            _multipliers = Enumerable.Range(0, channels).Select(c => c == 1 ? 0x7FFF8000 : random.Next(1 << 30, int.MaxValue)).ToArray();
            _shifts = Enumerable.Range(0, channels).Select(_ => random.Next(-20, -10)).ToArray();
            _min = random.Next(-32768, -20000);
            _max = random.Next(20000, 32768);
        }

        private void Finish(DeviceModel model, OperatorType type, int input, int[] filterShape, int output, int[] parameters)
        {
            int filter = model.AddTensor(new DeviceTensor { Type = TensorType.Int8, Storage = TensorStorage.Constant, Shape = filterShape, ConstantData = _weights.Select(v => unchecked((byte)v)).ToArray() });
            int bias = _bias is null ? -1 : model.AddTensor(new DeviceTensor
            {
                Type = TensorType.Int64, Storage = TensorStorage.Constant, Shape = [_bias.Length], ConstantData = _bias.SelectMany(BitConverter.GetBytes).ToArray(),
            });
            int multipliers = AddInt32(model, _multipliers);
            int shifts = AddInt32(model, _shifts);
            model.Operators.Add(new DeviceOperator(type, [input, filter, bias, multipliers, shifts], [output], parameters));
            model.Inputs.Add(input);
            model.Outputs.Add(output);
            MemoryPlanner.Plan(model);
            _model = DeviceModelWriter.Write(model);
        }

        public void AssertMatchesReference(Random random)
        {
            var interpreter = new Interpreter(_model);
            var input = new short[_batches * _height * _width * _inDepth];
            for (int i = 0; i < input.Length; i++)
            {
                input[i] = i % 5 == 0 ? short.MinValue : (short)random.Next(-32768, 32768);
            }

            interpreter.GetInput(0).CopyFromInt16(input, 0);
            interpreter.Invoke();
            var actual = new short[interpreter.GetOutput(0).Length];
            interpreter.GetOutput(0).CopyToInt16(actual, 0);
            Assert.Equal(_type == OperatorType.FullyConnected ? FullyConnectedReference(input) : ConvReference(input), actual);
        }

        private short Output(long acc, int c, int outputOffset)
        {
            // TFLM's MultiplyByQuantizedMultiplier(int64, int32, int): the multiplier rounded to 16 bits, one rounding shift.
            long reduced = _multipliers[c] < 0x7FFF0000 ? (_multipliers[c] + (1 << 15)) >> 16 : 0x7FFF;
            int totalShift = 15 - _shifts[c];
            int v = (int)(((acc * reduced) + (1L << (totalShift - 1))) >> totalShift) + outputOffset;
            return (short)Math.Clamp(v, _min, _max);
        }

        private short[] ConvReference(short[] input)
        {
            var output = new short[_batches * _outHeight * _outWidth * _outDepth];
            int groups = _inDepth / _filterDepth, perGroup = _outDepth / groups;
            int o = 0;
            for (int b = 0; b < _batches; b++)
            {
                for (int oy = 0; oy < _outHeight; oy++)
                {
                    for (int ox = 0; ox < _outWidth; ox++)
                    {
                        for (int c = 0; c < _outDepth; c++)
                        {
                            long acc = _bias?[c] ?? 0;
                            for (int ky = 0; ky < _kh; ky++)
                            {
                                for (int kx = 0; kx < _kw; kx++)
                                {
                                    int y = (oy * _sh) - _padTop + (ky * _dh), x = (ox * _sw) - _padLeft + (kx * _dw);
                                    if (y < 0 || y >= _height || x < 0 || x >= _width)
                                    {
                                        continue;
                                    }

                                    int pixel = ((b * _height + y) * _width + x) * _inDepth;
                                    if (_type == OperatorType.Conv2D)
                                    {
                                        for (int i = 0; i < _filterDepth; i++)
                                        {
                                            acc += (long)input[pixel + (c / perGroup * _filterDepth) + i] * _weights[(((c * _kh) + ky) * _kw + kx) * _filterDepth + i];
                                        }
                                    }
                                    else
                                    {
                                        acc += (long)input[pixel + (c / _multiplier)] * _weights[(c * _kh + ky) * _kw + kx];
                                    }
                                }
                            }

                            output[o++] = Output(acc, c, 0);
                        }
                    }
                }
            }

            return output;
        }

        private short[] FullyConnectedReference(short[] input)
        {
            var output = new short[_batches * _outDepth];
            for (int b = 0; b < _batches; b++)
            {
                for (int u = 0; u < _outDepth; u++)
                {
                    long acc = _bias?[u] ?? 0;
                    for (int d = 0; d < _inDepth; d++)
                    {
                        acc += (long)(input[(b * _inDepth) + d] + _inputOffset) * _weights[(u * _inDepth) + d];
                    }

                    output[(b * _outDepth) + u] = Output(acc, u, _outputOffset);
                }
            }

            return output;
        }

        private static int AddInt32(DeviceModel model, int[] values) => model.AddTensor(new DeviceTensor
        {
            Type = TensorType.Int32,
            Storage = TensorStorage.Constant,
            Shape = [values.Length],
            ConstantData = values.SelectMany(BitConverter.GetBytes).ToArray(),
        });
    }
}
