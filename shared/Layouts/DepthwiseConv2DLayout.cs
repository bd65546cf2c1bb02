namespace NanoQuant.Format
{
    /// <summary>
    /// Operands and parameters of DEPTHWISE_CONV_2D (<see cref="OperatorType.DepthwiseConv2D"/>): the input slots of
    /// <see cref="Conv2DLayout"/> (the filter is [1, kernel height, kernel width, out channels]); the window's
    /// parameters (<see cref="ConvWindowLayout"/>), then the depth multiplier.
    /// </summary>
    public static class DepthwiseConv2DLayout
    {
        /// <summary>Parameter index of the first of the window's parameters (<see cref="ConvWindowLayout"/>).</summary>
        public const int ConvWindowParameters = 0;

        /// <summary>Parameter index of the depth multiplier (output channels per input channel).</summary>
        public const int DepthMultiplier = ConvWindowLayout.Count;

        /// <summary>Number of parameters.</summary>
        public const int ParameterCount = ConvWindowLayout.Count + 1;
    }
}
