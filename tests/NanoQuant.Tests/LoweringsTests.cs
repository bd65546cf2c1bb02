using NanoQuant.Host.Conversion;
using NanoQuant.Host.Lowering;
using NanoQuant.Host.TfLite;

namespace NanoQuant.Tests;

/// <summary>The one registry of lowerings, keyed by operator and activation type.</summary>
public class LoweringsTests
{
    [Theory]
    [InlineData(TfLiteType.Int8)]
    [InlineData(TfLiteType.Int16)]
    public void EachOperatorFindsALoweringOfItsActivationType(TfLiteType activations)
    {
        var operators = Lowerings.Operators(activations).ToList();
        Assert.NotEmpty(operators);
        foreach (var op in operators)
        {
            var lowering = Lowerings.Find(op, activations);
            Assert.NotNull(lowering);
            Assert.Equal(activations, lowering.Activations);
            Assert.Contains(op, lowering.Operators);
        }
    }

    [Fact]
    public void ConvolutionsHaveOneClassPerOperatorIn16x8AsInInt8()
    {
        BuiltinOperator[] convolutions = [BuiltinOperator.Conv2d, BuiltinOperator.DepthwiseConv2d, BuiltinOperator.FullyConnected];
        foreach (var activations in new[] { TfLiteType.Int8, TfLiteType.Int16 })
        {
            var types = convolutions.Select(op => Lowerings.Find(op, activations)!.GetType()).ToList();
            Assert.Equal(3, types.Distinct().Count());
            Assert.All(types, t => Assert.Single(Lowerings.Find(convolutions[types.IndexOf(t)], activations)!.Operators));
        }
    }

    [Fact]
    public void HardSwishHasNo16x8Lowering()
    {
        Assert.NotNull(Lowerings.Find(BuiltinOperator.HardSwish, TfLiteType.Int8));
        Assert.Null(Lowerings.Find(BuiltinOperator.HardSwish, TfLiteType.Int16));
        Assert.Equal(Lowerings.Operators(TfLiteType.Int16).Order(), Converter.SupportedInt16Operators.Order());
    }
}
