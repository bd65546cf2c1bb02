using NanoQuant.Format;
using NanoQuant.Host.Conversion;
using NanoQuant.Host.DeviceModels;
using NanoQuant.Host.Lowering;
using NanoQuant.Host.Planning;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Tests;

/// <summary>
/// CONV_2D and DEPTHWISE_CONV_2D beyond the operator goldens: every convolution of the real models
/// run alone on TFLM's recorded input, synthetic cases (grouped, batched, dilated, strided, all
/// border) against a plain reference loop, and malformed parameters refused at load.
/// </summary>
public class ConvKernelTests
{
    public static TheoryData<string> RealModels() => new(["vww_96_int8", "person_detect", "kws_ref_model_int8", "pretrainedResnet_quant", "micro_speech_quantized", "network_tester_model"]);

    [Theory]
    [MemberData(nameof(RealModels))]
    public void Every_convolution_matches_TFLite_Micro_layer_by_layer(string name)
    {
        var golden = Golden.Load(name);
        var source = TfLiteReader.ReadFile(golden.ModelPath);
        int checkedLayers = 0;
        foreach (var op in source.Operators.Where(o => o.Code is BuiltinOperator.Conv2d or BuiltinOperator.DepthwiseConv2d))
        {
            var input = golden.Layer(op.Inputs[0]);
            var expected = golden.Layer(op.Outputs[0]);
            Assert.NotNull(input);
            Assert.NotNull(expected);
            var single = new TfLiteModel
            {
                SchemaVersion = source.SchemaVersion,
                Description = null,
                Tensors = source.Tensors,
                Operators = [op],
                Inputs = [op.Inputs[0]],
                Outputs = [op.Outputs[0]],
                SubgraphCount = 1,
            };
            var interpreter = new Interpreter(Converter.Convert(single).Bytes);
            interpreter.GetInput(0).CopyFrom(input.ToSBytes(), 0);
            interpreter.Invoke();
            var actual = new sbyte[interpreter.GetOutput(0).Length];
            interpreter.GetOutput(0).CopyTo(actual, 0);
            Assert.True(expected.ToSBytes().SequenceEqual(actual), $"{name} {op}: output differs from TFLM");
            checkedLayers++;
        }

        Assert.True(checkedLayers > 0);
    }

    public static TheoryData<string> SyntheticConvs() => new()
    {
        // batches, height, width, in channels, out channels, filter depth (groups = in / filter depth), kh, kw, stride h, stride w, dilation h, dilation w, padding (0 SAME, 1 VALID)
        "2,9,7,6,4,3,3,3,1,2,1,1,0",
        "1,8,8,8,8,2,3,3,2,2,2,1,0",
        "1,5,6,5,3,5,5,4,1,1,1,1,0",
        "3,4,4,3,5,3,6,6,1,3,1,1,0",
        "1,12,11,4,7,4,3,2,3,1,2,3,1",
        "1,6,10,9,6,3,1,1,2,3,1,1,0",
        "1,1,30,7,5,7,1,5,1,1,1,2,0",
    };

    [Theory]
    [MemberData(nameof(SyntheticConvs))]
    public void Conv2D_matches_a_reference_loop(string spec)
    {
        int[] v = spec.Split(',').Select(int.Parse).ToArray();
        int batches = v[0], height = v[1], width = v[2], inDepth = v[3], outDepth = v[4], filterDepth = v[5], kh = v[6], kw = v[7], sh = v[8], sw = v[9], dh = v[10], dw = v[11], padding = v[12];
        var random = new Random(height * 1000 + width * 100 + inDepth * 10 + outDepth);
        var conv = SyntheticOp.Create(random, OperatorType.Conv2D, batches, height, width, inDepth, outDepth, filterDepth, kh, kw, sh, sw, dh, dw, (PaddingType)padding, 1);
        conv.AssertMatchesReference(random);
    }

    public static TheoryData<string> SyntheticDepthwise() => new()
    {
        // batches, height, width, in channels, multiplier, kh, kw, stride h, stride w, dilation h, dilation w, padding
        "2,7,6,5,1,3,3,1,1,1,1,0",
        "1,9,8,3,3,3,3,2,1,2,2,0",
        "1,6,6,4,2,5,2,1,2,1,1,0",
        "2,3,3,2,1,4,4,1,1,1,1,0",
        "1,13,10,6,1,3,2,3,2,3,1,1",
        "1,30,1,8,1,10,1,1,1,1,1,1",
        "1,5,5,7,2,1,1,2,2,1,1,0",
        // depth multipliers 4, 8 and 16 (the four- and eight-channel blocked loops), odd and even filter widths
        "1,8,8,3,4,3,3,1,1,1,1,1",
        "1,12,10,1,8,10,8,2,2,1,1,1",
        "1,9,10,2,8,3,3,1,2,1,1,0",
        "2,12,9,1,8,4,5,2,1,1,2,1",
        "1,7,7,2,16,2,5,1,1,1,1,1",
    };

    [Theory]
    [MemberData(nameof(SyntheticDepthwise))]
    public void DepthwiseConv2D_matches_a_reference_loop(string spec)
    {
        int[] v = spec.Split(',').Select(int.Parse).ToArray();
        int batches = v[0], height = v[1], width = v[2], inDepth = v[3], multiplier = v[4], kh = v[5], kw = v[6], sh = v[7], sw = v[8], dh = v[9], dw = v[10], padding = v[11];
        var random = new Random(height * 1000 + width * 100 + inDepth * 10 + multiplier);
        var conv = SyntheticOp.Create(random, OperatorType.DepthwiseConv2D, batches, height, width, inDepth, inDepth * multiplier, 1, kh, kw, sh, sw, dh, dw, (PaddingType)padding, multiplier);
        conv.AssertMatchesReference(random);
    }

    public static TheoryData<string, int, int> BadParameters() => new()
    {
        { "op_conv_3x3_same_relu", 0, 2 },       // padding type
        { "op_conv_3x3_same_relu", 1, 0 },       // stride
        { "op_conv_3x3_same_relu", 2, 5000 },    // stride
        { "op_conv_3x3_same_relu", 3, 0 },       // dilation
        { "op_conv_3x3_same_relu", 4, 2 },       // dilation that changes the output size
        { "op_conv_3x3_same_relu", 5, 2 },       // padding top
        { "op_conv_3x3_same_relu", 6, -1 },      // padding left
        { "op_conv_3x3_same_relu", 7, 129 },     // input offset
        { "op_conv_3x3_same_relu", 8, 128 },     // output offset
        { "op_conv_3x3_same_relu", 10, -129 },   // activation max below min
        { "op_conv_3x3_same_relu", 9, 200 },     // activation min outside int8
        { "op_conv_3x3_valid_s2", 1, 1 },        // stride that changes the output size
        { "op_conv_3x3_valid_s2", 0, 0 },        // SAME where the output size is VALID's
        { "op_dwconv_3x3_mult2_same_relu", 11, 1 },  // depth multiplier
        { "op_dwconv_3x3_mult2_same_relu", 11, 0 },
        { "op_dwconv_3x3_mult2_same_relu", 5, 3 },
    };

    [Theory]
    [MemberData(nameof(BadParameters))]
    public void Malformed_parameters_are_refused_at_load(string model, int parameter, int value)
    {
        var conversion = Converter.ConvertFile(SharedResources.ModelPath(model));
        var op = conversion.Model.Operators[0];
        int[] parameters = [.. op.Parameters];
        parameters[parameter] = value;
        conversion.Model.Operators[0] = op with { Parameters = parameters };
        Assert.Throws<InvalidModelException>(() => new Interpreter(DeviceModelWriter.Write(conversion.Model)));
    }

    [Theory]
    [InlineData("op_conv_3x3_same_relu", 3)]
    [InlineData("op_conv_3x3_same_relu", 5)]
    [InlineData("op_dwconv_3x3_same", 3)]
    [InlineData("op_dwconv_3x3_same", 5)]
    public void Inconsistent_constants_are_refused_at_load(string model, int input)
    {
        // Input 3 is the folded bias (must equal bias + offset × Σ w), input 5 the shifts (a shift of 40 is out of range).
        var conversion = Converter.ConvertFile(SharedResources.ModelPath(model));
        var tensor = conversion.Model.Tensors[conversion.Model.Operators[0].Inputs[input]];
        tensor.ConstantData![0] = input == 5 ? (byte)40 : unchecked((byte)(tensor.ConstantData[0] + 1));
        Assert.Throws<InvalidModelException>(() => new Interpreter(DeviceModelWriter.Write(conversion.Model)));
    }

    [Fact]
    public void Padding_matches_TFLite_formulas()
    {
        // The one implementation (shared/Layouts/WindowPadding.cs) the lowering, the float reference and the device checks use.
        Assert.Equal(4, WindowPadding.OutputSize(WindowPadding.Same, 7, 3, 2, 1));
        Assert.Equal(3, WindowPadding.OutputSize(WindowPadding.Valid, 7, 3, 2, 1));
        Assert.Equal(1, WindowPadding.Before(7, 3, 2, 1, 4));
        Assert.Equal(0, WindowPadding.Before(7, 3, 2, 1, 3));
        Assert.Equal(2, WindowPadding.Before(10, 3, 1, 2, 10));
        Assert.Equal(0, WindowPadding.Before(96, 3, 2, 1, 48));
        Assert.Equal(2, WindowPadding.Total(7, 3, 2, 1, 4));
        Assert.Equal(5, WindowPadding.EffectiveSize(3, 2));
        Assert.Equal(8_187_905L, WindowPadding.EffectiveSize(2000, 4096));
        Assert.True(WindowPadding.OutputSize(WindowPadding.Valid, 2, 5, 1, 1) < 1);
        Assert.Null(ConvCommon.OutputSize(PaddingType.Valid, 2, 5, 1, 1));
        Assert.Equal(4, ConvCommon.OutputSize(PaddingType.Same, 7, 3, 2, 1));
    }

    /// <summary>A one-operator device model built directly, with a reference implementation of the operator.</summary>
    private sealed class SyntheticOp
    {
        private OperatorType _type;
        private int _batches, _height, _width, _inDepth, _outDepth, _filterDepth, _kh, _kw, _sh, _sw, _dh, _dw, _padTop, _padLeft, _outHeight, _outWidth, _multiplier;
        private int _inputOffset, _outputOffset, _min, _max;
        private sbyte[] _weights = [];
        private int[] _bias = [], _multipliers = [], _shifts = [];
        private byte[] _model = [];

        public static SyntheticOp Create(Random random, OperatorType type, int batches, int height, int width, int inDepth, int outDepth, int filterDepth,
            int kh, int kw, int sh, int sw, int dh, int dw, PaddingType padding, int multiplier)
        {
            var s = new SyntheticOp
            {
                _type = type, _batches = batches, _height = height, _width = width, _inDepth = inDepth, _outDepth = outDepth, _filterDepth = filterDepth,
                _kh = kh, _kw = kw, _sh = sh, _sw = sw, _dh = dh, _dw = dw, _multiplier = multiplier,
            };
            s._outHeight = ConvCommon.OutputSize(padding, height, kh, sh, dh)!.Value;
            s._outWidth = ConvCommon.OutputSize(padding, width, kw, sw, dw)!.Value;
            s._padTop = (int)WindowPadding.Before(height, kh, sh, dh, s._outHeight);
            s._padLeft = (int)WindowPadding.Before(width, kw, sw, dw, s._outWidth);
            int taps = kh * kw * (type == OperatorType.Conv2D ? filterDepth : 1);
            s._weights = Enumerable.Range(0, outDepth * taps).Select(_ => (sbyte)random.Next(-127, 128)).ToArray();
            s._bias = Enumerable.Range(0, outDepth).Select(_ => random.Next(-20000, 20000)).ToArray();
            s._multipliers = Enumerable.Range(0, outDepth).Select(_ => random.Next(1 << 30, int.MaxValue)).ToArray();
            s._shifts = Enumerable.Range(0, outDepth).Select(_ => random.Next(-12, -6)).ToArray();
            s._inputOffset = random.Next(-127, 129);
            s._outputOffset = random.Next(-128, 128);
            s._min = random.Next(-128, -60);
            s._max = random.Next(60, 128);

            var model = new DeviceModel();
            int input = model.AddTensor(new DeviceTensor { Type = TensorType.Int8, Storage = TensorStorage.Arena, Shape = [batches, height, width, inDepth], Scale = 1 });
            int[] filterShape = type == OperatorType.Conv2D ? [outDepth, kh, kw, filterDepth] : [outDepth, kh, kw];
            int filter = model.AddTensor(new DeviceTensor { Type = TensorType.Int8, Storage = TensorStorage.Constant, Shape = filterShape, ConstantData = s._weights.Select(v => unchecked((byte)v)).ToArray() });
            int[] folded = Folding.FoldInputOffset(s._bias, s._weights, outDepth, taps, s._inputOffset);
            int bias = AddInt32(model, s._bias);
            int foldedBias = AddInt32(model, folded);
            int multipliers = AddInt32(model, s._multipliers);
            int shifts = AddInt32(model, s._shifts);
            int output = model.AddTensor(new DeviceTensor { Type = TensorType.Int8, Storage = TensorStorage.Arena, Shape = [batches, s._outHeight, s._outWidth, outDepth], Scale = 1 });
            int[] parameters = [(int)padding, sh, sw, dh, dw, s._padTop, s._padLeft, s._inputOffset, s._outputOffset, s._min, s._max];
            if (type == OperatorType.DepthwiseConv2D)
            {
                parameters = [.. parameters, multiplier];
            }

            model.Operators.Add(new DeviceOperator(type, [input, filter, bias, foldedBias, multipliers, shifts], [output], parameters));
            model.Inputs.Add(input);
            model.Outputs.Add(output);
            MemoryPlanner.Plan(model);
            s._model = DeviceModelWriter.Write(model);
            return s;
        }

        public void AssertMatchesReference(Random random)
        {
            var interpreter = new Interpreter(_model);
            var input = new sbyte[_batches * _height * _width * _inDepth];
            for (int i = 0; i < input.Length; i++)
            {
                input[i] = (sbyte)random.Next(-128, 128);
            }

            interpreter.GetInput(0).CopyFrom(input, 0);
            interpreter.Invoke();
            var actual = new sbyte[interpreter.GetOutput(0).Length];
            interpreter.GetOutput(0).CopyTo(actual, 0);
            Assert.Equal(Reference(input), actual);
        }

        private sbyte[] Reference(sbyte[] input)
        {
            var output = new sbyte[_batches * _outHeight * _outWidth * _outDepth];
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
                            int acc = 0;
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
                                            acc += (input[pixel + (c / perGroup * _filterDepth) + i] + _inputOffset) * _weights[(((c * _kh) + ky) * _kw + kx) * _filterDepth + i];
                                        }
                                    }
                                    else
                                    {
                                        acc += (input[pixel + (c / _multiplier)] + _inputOffset) * _weights[(c * _kh + ky) * _kw + kx];
                                    }
                                }
                            }

                            acc += _bias[c];
                            acc = QuantizedMath.MultiplyByQuantizedMultiplier(acc, _multipliers[c], _shifts[c]) + _outputOffset;
                            output[o++] = (sbyte)Math.Clamp(acc, _min, _max);
                        }
                    }
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
